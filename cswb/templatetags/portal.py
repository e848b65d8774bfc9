"""Template filters of the portal."""

from __future__ import annotations

from urllib.parse import urlsplit

from django import template

register = template.Library()


@register.filter
def web_url(value: object) -> str:
    """A link a person wrote (a website, a video call), or "" unless it is http(s): forms
    accept no other scheme, and a `javascript:` address that reached the database some other
    way must not become a link."""
    text = str(value or "").strip()
    try:
        scheme = urlsplit(text).scheme.lower()
    except ValueError:
        return ""
    return text if scheme in ("http", "https") else ""
