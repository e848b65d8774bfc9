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


def storable_text(value: str) -> str:
    """The text with what no column can hold shown as U+FFFD (for quoting refused input back
    to its writer, e.g. a rejected row of an imported file)."""
    return UNSTORABLE.sub("\ufffd", value)


def unique_slug(
    model: type,
    name: str,
    *,
    max_length: int = 80,
    fallback: str = "item",
    reserved=(),
    taken: set[str] | None = None,
) -> str:
    """A slug for `name` that no row of `model` in the current scope has yet (nor a reserved
    word of the addresses): "food-bank", then "food-bank-2", … When many rows are made at once
    (an import), `taken` holds every slug already used, read once: it is looked up instead of
    the table, and the new slug is added to it."""
    base = slugify(name)[: max_length - 4] or fallback
    slug, n = base, 2
    while slug in reserved or (
        slug in taken if taken is not None else model.objects.filter(slug=slug).exists()
    ):
        slug, n = f"{base}-{n}", n + 1
    if taken is not None:
        taken.add(slug)
    return slug
