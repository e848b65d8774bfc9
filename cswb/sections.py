"""Parts of a page that belong to an app above the page's own.

Dependencies point one way (cswb ← partners ← tables ← indicators, engagement), yet the tenant
home (cswb) shows a person's tables and actions, and an organization's page (partners) shows
the tables it sits at. The app that owns the data registers a provider here in its
`AppConfig.ready()`; the page asks for its sections and passes them to its template. A
provider takes keyword arguments and returns template context; it runs inside the request's
tenant scope, and evaluates its lists (no query runs while the template renders).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

Provider = Callable[..., dict[str, object]]

_providers: dict[str, list[Provider]] = defaultdict(list)


def section_register(page: str, provider: Provider) -> None:
    if provider not in _providers[page]:
        _providers[page].append(provider)


def sections_for(page: str, **kwargs: object) -> dict[str, object]:
    context: dict[str, object] = {}
    for provider in _providers[page]:
        context.update(provider(**kwargs))
    return context
