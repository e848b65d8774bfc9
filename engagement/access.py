"""Access to the engagement app's objects reached by a URL: one helper per kind, the first line
of its views, returning a small frozen dataclass or raising 404 / 403."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404, HttpRequest

from cswb.access import TenantNeed, get_tenant_for
from engagement.models import DigestRun


@dataclass(frozen=True)
class DigestRunAccess:
    run: DigestRun


def get_digest_run_for(request: HttpRequest, pk: int) -> DigestRunAccess:
    """A run of the plan's digests, for its administrators (403 for anyone else)."""
    get_tenant_for(request, need=TenantNeed.MANAGE)
    run = DigestRun.objects.filter(pk=pk).first()
    if run is None:
        raise Http404("No such digest run.")
    return DigestRunAccess(run=run)
