from django.http import HttpRequest

from cswb.selectors import memberships_for_request


def portal(request: HttpRequest) -> dict[str, object]:
    """The current tenant and the user's other tenants, for the header's switcher. Evaluated
    here, once, so no query runs while the template renders."""
    return {
        "current_tenant": getattr(request, "tenant", None),
        "current_membership": getattr(request, "membership", None),
        "my_memberships": memberships_for_request(request) if hasattr(request, "user") else [],
    }
