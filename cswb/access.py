"""Access helpers: one per object kind, called on the first line of a view. Each returns the
object or raises Http404 (no right to know it exists) or PermissionDenied (may see it, may not
do this). The tenant middleware has already answered 404 to non-members."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from cswb.models import ImportRecord, Tenant, TenantMembership


class TenantNeed(StrEnum):
    VIEW = "view"
    MANAGE = "manage"


def get_tenant_for(request: HttpRequest, *, need: TenantNeed = TenantNeed.VIEW) -> Tenant:
    tenant: Tenant | None = getattr(request, "tenant", None)
    membership: TenantMembership | None = getattr(request, "membership", None)
    if tenant is None or membership is None:
        raise Http404("No such plan.")
    if need is TenantNeed.MANAGE and not membership.is_admin:
        raise PermissionDenied("Only the plan's administrators can do this.")
    return tenant


@dataclass(frozen=True)
class ImportAccess:
    record: ImportRecord
    tenant: Tenant


def get_import_for(request: HttpRequest, pk: int) -> ImportAccess:
    """An import of this plan; only its administrators see imports (others: 403)."""
    tenant = get_tenant_for(request, need=TenantNeed.MANAGE)
    record = (
        ImportRecord.objects.filter(pk=pk, tenant=tenant)
        .select_related("created_by", "applied_by")
        .first()
    )
    if record is None:
        raise Http404("No such import.")
    return ImportAccess(record=record, tenant=tenant)
