"""Text helpers: slugs, and text that no column can hold.

A NUL byte or a lone surrogate: PostgreSQL refuses both (SQLite would keep them silently), and
no person types one, so the portal refuses them wherever text comes in: requests
(cswb.middleware) and imported files."""

from __future__ import annotations

import re

from django.utils.text import slugify

UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def has_unstorable_text(value: str) -> bool:
    return UNSTORABLE.search(value) is not None


def unique_slug(
    model: type, name: str, *, max_length: int = 80, fallback: str = "item", reserved=()
) -> str:
    """A slug for `name` that no row of `model` in the current scope has yet (nor a reserved
    word of the addresses): "food-bank", then "food-bank-2", …"""
    base = slugify(name)[: max_length - 4] or fallback
    slug, n = base, 2
    while slug in reserved or model.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug
