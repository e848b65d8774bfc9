from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_safe

from cswb.access import get_tenant_for
from cswb.health import health_report
from cswb.logs import forbidden_log
from cswb.sections import sections_for
from cswb.selectors import activity_recent, memberships_for_request


@require_safe
@login_required
def landing(request: HttpRequest) -> HttpResponse:
    memberships = memberships_for_request(request)
    if len(memberships) == 1:
        return redirect("tenant-home", tenant_slug=memberships[0].tenant.slug)
    return render(request, "landing.html", {"memberships": memberships})


@require_GET
def tenant_home(request: HttpRequest, tenant_slug: str) -> HttpResponse:
    tenant = get_tenant_for(request)
    context = {
        "tenant": tenant,
        # My tables, my open actions, my upcoming meetings: registered by the tables app.
        **sections_for("tenant-home", user=request.user, membership=request.membership),
        "recent_activity": list(activity_recent(limit=8))
        if request.membership.can_read_everything
        else [],
    }
    return render(request, "cswb/tenant_home.html", context)


@require_safe  # GET, and HEAD for the uptime monitors that probe with it
@never_cache
@transaction.non_atomic_requests  # it must answer, not crash, when the database is down
def healthz(request: HttpRequest) -> JsonResponse:
    report = health_report()
    healthy = all(state == "ok" for state in report.values())
    return JsonResponse(
        {"status": "ok" if healthy else "down", **report}, status=200 if healthy else 503
    )


def forbidden(request: HttpRequest, exception: Exception) -> HttpResponse:
    """The portal's 403 page, logged as one line (see cswb.logs)."""
    forbidden_log(request, str(exception))
    return render(request, "403.html", status=403)
