"""The helper that writes a long list's markup in Python escapes exactly as Django does."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.utils.html import format_html

from cswb.ui import html_row

TEXTS = [
    "",
    "Youth mental health",
    "Food & shelter",
    "<script>alert(1)</script>",
    'Say "hello"',
    "It's planted",
    '<a hx-post="/halton/manage/" hx-trigger="load">x</a>',
    "Déjà vu — ✓ 𝄞",
    "&amp; already escaped",
    "a > b < c",
]


@pytest.mark.parametrize("text", TEXTS)
def test_html_row_escapes_as_format_html(text: str) -> None:
    template = '<li title="{title}">{name} ({n})</li>'
    made = html_row(template, title=text, name=text, n=3)
    assert made == format_html(template, title=text, name=text, n=3)
    assert made == Template('<li title="{{ text }}">{{ text }} ({{ n }})</li>').render(
        Context({"text": text, "n": 3})
    )
