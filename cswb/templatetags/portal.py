"""Template filters of the portal."""

from __future__ import annotations

from datetime import date
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


@register.filter
def period(value: object) -> str:
    """A digest period as people say it: "2026-W48" → "the week of 23 November 2026" (its
    Monday), "2026-11" → "November 2026". Anything else is shown as it is."""
    text = str(value or "")
    try:
        if "-W" in text:
            year, week = text.split("-W")
            monday = date.fromisocalendar(int(year), int(week), 1)
            return f"the week of {monday.day} {monday:%B %Y}"
        year, month = text.split("-")
        return f"{date(int(year), int(month), 1):%B %Y}"
    except ValueError:
        return text
