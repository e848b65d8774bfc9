"""Text that no column can hold: a NUL byte or a lone surrogate. PostgreSQL refuses both
(SQLite would keep them silently), and no person types one, so the portal refuses them
wherever text comes in: requests (cswb.middleware) and imported files."""

from __future__ import annotations

import re

UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def has_unstorable_text(value: str) -> bool:
    return UNSTORABLE.search(value) is not None
