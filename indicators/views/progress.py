"""A plan's admins set the progress status shown for an indicator, with a reason (confirmed on
a page of its own, `step=confirm`; `step=edit` goes back to the form as filled in), and clear
it to show the status worked out again."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from cswb.ui import confirm_then, error_text
from indicators.access import IndicatorNeed, get_indicator_for
from indicators.forms.progress import ProgressOverrideForm
from indicators.models import ProgressCode, ProgressOverride
from indicators.selectors.catalogue import geographies_marked
from indicators.selectors.detail import status_view
from indicators.services.progress import (
    progress_status_override,
    progress_status_override_clear,
)


def _status_url(tenant_slug: str, slug: str) -> str:
    return reverse("indicators:indicator", args=[tenant_slug, slug]) + "#status-heading"


@require_http_methods(["GET", "POST"])
def status_override(request: HttpRequest, tenant_slug: str, indicator: str) -> HttpResponse:
    found = get_indicator_for(request, indicator, need=IndicatorNeed.OVERRIDE)
    ind = found.indicator
    current = ProgressOverride.objects.filter(tenant=request.tenant, indicator=ind).first()
    status = status_view(
        indicator=ind, tenant=request.tenant, places=geographies_marked(tenant=request.tenant).all
    )
    form = ProgressOverrideForm(
        request.POST if request.method == "POST" else None,
        initial={"status": current.status, "reason": current.reason} if current else None,
    )
    confirming = False
    if request.method == "POST" and form.is_valid():
        if request.POST.get("step") == "confirm":
            try:
                progress_status_override(
                    tenant=request.tenant,
                    indicator=ind,
                    status=form.cleaned_data["status"],
                    reason=form.cleaned_data["reason"],
                    actor=request.user,
                )
            except ValidationError as error:
                form.add_error(None, error_text(error))
            else:
                messages.success(
                    request,
                    f"The status set by an admin, "
                    f"{ProgressCode(form.cleaned_data['status']).label.lower()}, now shows for "
                    f"{ind.name_en}.",
                )
                return redirect(_status_url(tenant_slug, ind.slug))
        else:
            # First ask; "Change it" (step=edit) comes back to the form as it was filled in.
            confirming = request.POST.get("step") != "edit"
    return render(
        request,
        "indicators/progress/override.html",
        {
            "tenant": request.tenant,
            "indicator": ind,
            "form": form,
            "status": status,
            "current": current,
            "confirming": confirming,
            "chosen_label": ProgressCode(form.cleaned_data["status"]).label if confirming else "",
            "back": _status_url(tenant_slug, ind.slug),
        },
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def status_override_clear(request: HttpRequest, tenant_slug: str, indicator: str) -> HttpResponse:
    found = get_indicator_for(request, indicator, need=IndicatorNeed.OVERRIDE)
    ind = found.indicator
    current = ProgressOverride.objects.filter(tenant=request.tenant, indicator=ind).first()
    if current is None:
        raise Http404("No status set by an admin for this indicator.")
    return confirm_then(
        request,
        perform=lambda: progress_status_override_clear(
            tenant=request.tenant, indicator=ind, actor=request.user
        ),
        done=f"The status worked out shows again for {ind.name_en}.",
        back=_status_url(tenant_slug, ind.slug),
        question=f"Clear the status set by an admin for {ind.name_en}?",
        consequence=f"“{current.get_status_display()}” and its reason are removed; the dashboard "
        "and the indicator's page show the status worked out again, for everyone in the plan.",
        button="Clear the status",
    )
