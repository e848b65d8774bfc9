"""Logging of refusals. A 403 is an everyday answer (a member opening a coordinator's page),
not an error: it is logged as one line naming who, where and why, never as a traceback."""

from __future__ import annotations

import logging

from django.http import HttpRequest

logger = logging.getLogger("cswb.forbidden")


class DropForbidden(logging.Filter):
    """On `django.request`: drop the 403 records Django logs with a full traceback; the
    portal's 403 handler logs its own line."""

    def filter(self, record: logging.LogRecord) -> bool:
        return getattr(record, "status_code", None) != 403


def forbidden_log(request: HttpRequest, reason: str) -> None:
    user = getattr(request, "user", None)
    tenant = getattr(request, "tenant", None)
    logger.warning(
        "403 user=%s tenant=%s path=%s reason=%s",
        user.pk if user is not None and user.is_authenticated else "-",
        tenant.slug if tenant is not None else "-",
        request.path,
        " ".join(reason.split()) or "-",
    )
