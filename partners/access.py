from __future__ import annotations

from django.http import Http404, HttpRequest

from cswb.access import TenantNeed, get_tenant_for

from .models import Invitation


def get_invitation_for(request: HttpRequest, pk: int) -> Invitation:
    """An invitation of the current tenant, for someone who may manage invitations (403
    otherwise); 404 for one that is not the tenant's."""
    get_tenant_for(request, need=TenantNeed.MANAGE)
    invitation = Invitation.objects.select_related("tenant").filter(pk=pk).first()
    if invitation is None:
        raise Http404("No such invitation.")
    return invitation
