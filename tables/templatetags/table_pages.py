"""The addresses of a table's pages, for the templates that link them many times (its tabs,
its overview): `{% with urls=table|table_urls:tenant.slug %}…{{ urls.actions }}…`."""

from __future__ import annotations

from django import template

from cswb.ui import url_maker

register = template.Library()

PAGES = {
    "detail": "tables:detail",
    "actions": "tables:actions",
    "meetings": "tables:meetings",
    "outcomes": "tables:outcomes",
    "progress": "tables:progress",
    "members": "tables:members",
    "edit": "tables:edit",
    "status": "tables:status",
}


@register.filter
def table_urls(table: object, tenant_slug: str) -> dict[str, str]:
    """Each page of the table by name (see PAGES), as reverse() gives it."""
    slug = table.slug
    return {
        key: url_maker(name, "table_slug", tenant_slug=tenant_slug)(table_slug=slug)
        for key, name in PAGES.items()
    }
