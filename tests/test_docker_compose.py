"""The production-shaped stack is valid compose and has every service the design asks for.
Debian's docker-compose validates without a Docker engine; .ci/run installs it."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from django.conf import settings


def _compose(*args: str) -> subprocess.CompletedProcess[str]:
    binary = shutil.which("docker-compose")
    if binary is None:
        pytest.fail("docker-compose is not installed (apt-get install docker-compose)")
    return subprocess.run(  # noqa: S603
        [binary, *args], cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=60,
        env={"PATH": "/usr/bin:/bin"},
    )  # fmt: skip


def test_compose_file_is_valid() -> None:
    result = _compose("config", "-q")
    assert result.returncode == 0, result.stderr


def test_compose_runs_every_part_of_the_portal() -> None:
    result = _compose("config", "--services")
    assert set(result.stdout.split()) == {"web", "worker", "beat", "postgres", "redis", "mailpit"}


def test_every_long_running_service_has_a_health_check() -> None:
    config = _compose("config").stdout
    assert config.count("healthcheck:") == 6
