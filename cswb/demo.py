"""Demo steps of apps above the one that owns `seed_demo` (tables): each registers a step in
its `AppConfig.ready()`, and the command runs them, in registration order, after its own.
A step takes keyword arguments (`halton`, `lakeshore`, `people` by email) and is idempotent."""

from __future__ import annotations

from collections.abc import Callable

DemoStep = Callable[..., None]

_steps: list[DemoStep] = []


def demo_step_register(step: DemoStep) -> None:
    if step not in _steps:
        _steps.append(step)


def demo_steps() -> list[DemoStep]:
    return list(_steps)
