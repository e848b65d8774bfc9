"""Conditional GET for calendar feeds and CSV exports: an `ETag` and a `Last-Modified` on
every answer, and `304 Not Modified` when the program asking (a calendar app polling a feed, a
script fetching an export) already has the current version, so that nothing is rebuilt or sent
again. The answers stay `no-store, private` (cswb.middleware.NoStoreMiddleware): the validators
serve the programs that keep their own copy, not a browser's cache.

A view checks access first, then computes cheap validators from what it read, and builds the
body only when `conditional_answer` returns None."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import datetime

from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date, quote_etag


def etag_of(parts: Iterable[object]) -> str:
    """A weak entity tag from the values that decide the content (ids, change times, names):
    weak, because two answers with the same tag may differ in a generated stamp."""
    digest = hashlib.sha256("\x1f".join(map(str, parts)).encode()).hexdigest()[:32]
    return f'W/"{digest}"'


def conditional_answer(
    request: HttpRequest, *, etag: str, last_modified: datetime | None
) -> HttpResponse | None:
    """304 with the validators when the client's copy is current; None when the view must
    answer in full (then it passes its answer through `validators_set`)."""
    response = get_conditional_response(
        request,
        etag=etag,
        last_modified=int(last_modified.timestamp()) if last_modified else None,
    )
    if response is not None:
        validators_set(response, etag=etag, last_modified=last_modified)
    return response


def validators_set(
    response: HttpResponse, *, etag: str, last_modified: datetime | None
) -> HttpResponse:
    response["ETag"] = quote_etag(etag)
    if last_modified is not None:
        response["Last-Modified"] = http_date(last_modified.timestamp())
    return response


def content_etag(content: bytes | str) -> str:
    """A strong entity tag for an answer already built (a CSV export): its digest."""
    data = content.encode() if isinstance(content, str) else content
    return f'"{hashlib.sha256(data).hexdigest()[:32]}"'


def csv_answer(
    request: HttpRequest, content: str, *, filename: str, last_modified: datetime | None
) -> HttpResponse:
    """A CSV download with its validators: the ETag is the content's digest, so a 304 is
    exact; Last-Modified is the time of the plan's latest change the caller names."""
    etag = content_etag(content)
    unchanged = conditional_answer(request, etag=etag, last_modified=last_modified)
    if unchanged is not None:
        return unchanged
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return validators_set(response, etag=etag, last_modified=last_modified)
