"""Parts of a page that belong to an app above the page's own.

Dependencies point one way (cswb ← partners ← tables ← indicators, engagement), yet the tenant
home (cswb) shows a person's tables and actions, and an organization's page (partners) shows
the tables it sits at. The app that owns the data registers a provider here in its
`AppConfig.ready()`; the page asks for its sections and passes them to its template. A
provider takes keyword arguments and returns template context; it runs inside the request's
tenant scope, and evaluates its lists (no query runs while the template renders).

A page that draws whole blocks for higher apps asks for its panels (`panels_for`) and includes
each one's template with `{% include panel.template with panel=panel.context %}`: the table
page ("table-page", called with `table`, `access`, `user`, `membership`, and the table's
current `seats` and `participations` as the page read them, organizations and people joined).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

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


# Panels: a whole block of a page drawn by a higher app, with its own template. The table page
# (tables) shows a table's population indicators (indicators) and representation goals
# (engagement) this way. A panel provider takes keyword arguments and returns a `Panel`, or
# None to show nothing; panels are drawn in `order`, then in registration order.


@dataclass(frozen=True)
class Panel:
    template: str
    context: dict[str, object]
    order: int = 100


PanelProvider = Callable[..., "Panel | None"]

_panel_providers: dict[str, list[PanelProvider]] = defaultdict(list)


def panel_register(page: str, provider: PanelProvider) -> None:
    if provider not in _panel_providers[page]:
        _panel_providers[page].append(provider)


def panels_for(page: str, **kwargs: object) -> list[Panel]:
    panels = [panel for provider in _panel_providers[page] if (panel := provider(**kwargs))]
    return sorted(panels, key=lambda panel: panel.order)
