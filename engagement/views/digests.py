"""Digest pages: each member's own settings and preview, the administrators' runs,
deliveries and previews, and the unsubscribe page that works without signing in."""

from __future__ import annotations

import base64
import hashlib
import re

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_scopes import scope, scopes_disabled

from cswb.access import TenantNeed, get_tenant_for
from cswb.models import Tenant
from cswb.services import membership_meeting_notices_set
from engagement.access import get_digest_run_for
from engagement.forms.digests import (
    DeliveryFilterForm,
    FrequencyForm,
    MeetingNoticesForm,
    PreviewForm,
    ScheduleForm,
)
from engagement.models import DeliveryStatus, DigestDelivery, DigestRun, Frequency
from engagement.selectors.digests import (
    Recipient,
    followed_tables,
    recipient_for_email,
    recipient_for_key,
    user_key,
)
from engagement.services.digests import (
    digest_message,
    digest_preference_set,
    digest_preview,
    digest_schedule_for,
    digest_schedule_update,
    frequency_for,
    unsubscribe_token_read,
)
from tables.models import ActionTable

PAGE_SIZE = 50
STYLE_ATTRIBUTE = re.compile(r'\sstyle="([^"]*)"')


def _me(request: HttpRequest, tenant: Tenant) -> Recipient:
    recipient = recipient_for_key(tenant=tenant, key=user_key(request.user.pk))
    if recipient is None:  # the middleware admits members only; this is belt and braces
        raise Http404("No such plan.")
    return recipient


# -- a member's own ------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def digest_settings(request: HttpRequest, tenant_slug: str) -> HttpResponse:
    tenant = get_tenant_for(request)
    me = _me(request, tenant)
    current = frequency_for(tenant=tenant, recipient=me.key)
    form = FrequencyForm(
        request.POST if request.method == "POST" else None, initial={"frequency": current}
    )
    if form.is_valid():
        changed = digest_preference_set(
            tenant=tenant,
            recipient=me,
            frequency=form.cleaned_data["frequency"],
            actor=request.user,
            via="settings page",
        )
        label = Frequency(form.cleaned_data["frequency"]).label.lower()
        if changed:
            messages.success(request, f"Saved: digests {label}.")
        else:
            messages.info(request, f"No change: digests were already {label}.")
        return redirect("digest-settings", tenant_slug=tenant.slug)
    table_ids = followed_tables(tenant=tenant, recipients=[me])[me.key]
    tables = list(ActionTable.objects.filter(pk__in=table_ids).order_by("name"))
    recent = list(
        DigestDelivery.objects.filter(tenant=tenant, recipient=me.key)
        .exclude(status__in=[DeliveryStatus.PENDING, DeliveryStatus.SENDING])
        .order_by("-window_end", "-pk")[:5]
    )
    return render(
        request,
        "engagement/digests/settings.html",
        {
            "tenant": tenant,
            "form": form,
            "schedule": digest_schedule_for(tenant=tenant),
            "notices_form": MeetingNoticesForm(
                initial={"meeting_notices": "on" if request.membership.meeting_notices else "off"}
            ),
            "tables": tables,
            "recent": recent,
        },
        status=400 if form.is_bound else 200,
    )


@require_POST
def meeting_notices(request: HttpRequest, tenant_slug: str) -> HttpResponse:
    """A person's own meeting notices, on or off: separate from the digest frequency."""
    tenant = get_tenant_for(request)
    form = MeetingNoticesForm(request.POST)
    if not form.is_valid():
        return render(
            request,
            "400.html",
            {
                "reason": "Choose whether you want meeting notices.",
                "back_url": reverse("digest-settings", kwargs={"tenant_slug": tenant.slug}),
            },
            status=400,
        )
    on = form.cleaned_data["meeting_notices"] == "on"
    if membership_meeting_notices_set(membership=request.membership, on=on):
        messages.success(request, f"Saved: meeting notices {'on' if on else 'off'}.")
    else:
        messages.info(request, f"No change: meeting notices were already {'on' if on else 'off'}.")
    return redirect("digest-settings", tenant_slug=tenant.slug)


def _delivery_from_query(request: HttpRequest, recipient: Recipient) -> DigestDelivery | None:
    """`?delivery=<id>`: one of this recipient's past digests; anyone else's is a 404."""
    pk = request.GET.get("delivery", "")
    if not pk:
        return None
    delivery = (
        DigestDelivery.objects.filter(pk=int(pk), recipient=recipient.key).first()
        if pk.isdigit()
        else None
    )
    if delivery is None:
        raise Http404("No such digest.")
    return delivery


@require_GET
def digest_preview_view(request: HttpRequest, tenant_slug: str) -> HttpResponse:
    tenant = get_tenant_for(request)
    me = _me(request, tenant)
    delivery = _delivery_from_query(request, me)
    html_url = reverse("digest-preview-html", kwargs={"tenant_slug": tenant.slug})
    return _preview_page(
        request,
        tenant,
        me,
        html_url=f"{html_url}?delivery={delivery.pk}" if delivery else html_url,
        back_url=reverse("digest-settings", kwargs={"tenant_slug": tenant.slug}),
        delivery=delivery,
    )


@require_GET
@xframe_options_sameorigin
def digest_preview_html(request: HttpRequest, tenant_slug: str) -> HttpResponse:
    tenant = get_tenant_for(request)
    me = _me(request, tenant)
    return _email_html(tenant, me, _delivery_from_query(request, me))


# -- administrators ------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def manage_digests(request: HttpRequest, tenant_slug: str) -> HttpResponse:
    tenant = get_tenant_for(request, need=TenantNeed.MANAGE)
    schedule = digest_schedule_for(tenant=tenant)
    form = ScheduleForm(request.POST if request.method == "POST" else None, instance=schedule)
    if form.is_valid():
        digest_schedule_update(
            tenant=tenant,
            actor=request.user,
            weekday=form.cleaned_data["weekday"],
            hour=form.cleaned_data["hour"],
            is_enabled=form.cleaned_data["is_enabled"],
        )
        messages.success(request, "Digest schedule saved.")
        return redirect("manage:digests", tenant_slug=tenant.slug)
    runs = DigestRun.objects.annotate(
        **{
            status.value: Count("deliveries", filter=Q(deliveries__status=status))
            for status in DeliveryStatus
        }
    ).order_by("-started_at", "-pk")
    page = Paginator(runs, 20).get_page(request.GET.get("page"))
    return render(
        request,
        "engagement/digests/manage.html",
        {
            "tenant": tenant,
            "form": form,
            "schedule": schedule,
            "page": page,
            "runs": list(page.object_list),
            "preview_form": PreviewForm(),
        },
        status=400 if form.is_bound else 200,
    )


@require_GET
def manage_digest_run(request: HttpRequest, tenant_slug: str, pk: int) -> HttpResponse:
    run = get_digest_run_for(request, pk).run
    tenant = request.tenant
    filters = DeliveryFilterForm(request.GET or None)
    status = filters.cleaned_data["status"] if filters.is_valid() else ""
    deliveries = DigestDelivery.objects.filter(run=run).order_by("pk")
    counts = dict(
        deliveries.order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    if status:
        deliveries = deliveries.filter(status=status)
    page = Paginator(deliveries, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "engagement/digests/run.html",
        {
            "tenant": tenant,
            "run": run,
            "filters": filters,
            "counts": [(s, counts.get(s.value, 0)) for s in DeliveryStatus],
            "total": sum(counts.values()),
            "page": page,
            "deliveries": list(page.object_list),
            "query": f"status={status}" if status else "",
        },
        status=400 if filters.is_bound and not filters.is_valid() else 200,
    )


def _recipient_from_query(request: HttpRequest, tenant: Tenant) -> tuple[Recipient | None, object]:
    form = PreviewForm(request.GET if "email" in request.GET else None)
    if "recipient" in request.GET:
        return recipient_for_key(tenant=tenant, key=request.GET["recipient"]), form
    if form.is_valid():
        recipient = recipient_for_email(tenant=tenant, email=form.cleaned_data["email"])
        if recipient is None:
            form.add_error(
                "email", "Nobody with this address receives this plan's digests: no active "
                "member, and no organization lists it as a digest contact."
            )  # fmt: skip
        return recipient, form
    return None, form


@require_GET
def manage_digest_preview(request: HttpRequest, tenant_slug: str) -> HttpResponse:
    tenant = get_tenant_for(request, need=TenantNeed.MANAGE)
    recipient, form = _recipient_from_query(request, tenant)
    back = reverse("manage:digests", kwargs={"tenant_slug": tenant.slug})
    if recipient is None:
        if "recipient" in request.GET:
            raise Http404("No such recipient.")
        return render(
            request,
            "engagement/digests/preview.html",
            {"tenant": tenant, "preview_form": form, "back_url": back, "digest": None},
            status=400 if form.is_bound else 200,
        )
    delivery = _delivery_from_query(request, recipient)
    html_url = reverse("manage:digest-preview-html", kwargs={"tenant_slug": tenant.slug})
    html_url += f"?recipient={recipient.key}"
    if delivery is not None:
        back = reverse(
            "manage:digest-run", kwargs={"tenant_slug": tenant.slug, "pk": delivery.run_id}
        )
        html_url += f"&delivery={delivery.pk}"
    return _preview_page(
        request,
        tenant,
        recipient,
        html_url=html_url,
        back_url=back,
        preview_form=form,
        show_headers=True,
        delivery=delivery,
    )


@require_GET
@xframe_options_sameorigin
def manage_digest_preview_html(request: HttpRequest, tenant_slug: str) -> HttpResponse:
    tenant = get_tenant_for(request, need=TenantNeed.MANAGE)
    recipient = recipient_for_key(tenant=tenant, key=request.GET.get("recipient", ""))
    if recipient is None:
        raise Http404("No such recipient.")
    return _email_html(tenant, recipient, _delivery_from_query(request, recipient))


def _preview_page(
    request,
    tenant,
    recipient,
    *,
    html_url,
    back_url,
    preview_form=None,
    delivery=None,
    show_headers=False,
):
    """A digest as its recipient will see it. Administrators also see the email's headers
    (`show_headers`); a member sees the subject line in words, no raw headers."""
    digest = digest_preview(
        tenant=tenant, recipient=recipient, now=timezone.now(), delivery=delivery
    )
    message = digest_message(tenant=tenant, digest=digest)
    return render(
        request,
        "engagement/digests/preview.html",
        {
            "tenant": tenant,
            "recipient": recipient,
            "digest": digest,
            "message": message,
            "headers": [
                ("Subject", message.subject),
                ("To", ", ".join(message.to)),
                ("List-Unsubscribe", message.extra_headers["List-Unsubscribe"]),
                ("List-Unsubscribe-Post", message.extra_headers["List-Unsubscribe-Post"]),
            ],
            "text": message.body,
            "html_url": html_url,
            "back_url": back_url,
            "preview_form": preview_form,
            "delivery": delivery,
            "show_headers": show_headers,
            "is_off": frequency_for(tenant=tenant, recipient=recipient.key) == Frequency.OFF,
        },
    )


def _email_html(
    tenant: Tenant, recipient: Recipient, delivery: DigestDelivery | None = None
) -> HttpResponse:
    """The email's HTML part as a page of its own, for the preview's frame. Its policy allows
    exactly the inline styles it carries (by hash) and nothing else: no script, no form,
    sandboxed, framed only by the portal."""
    digest = digest_preview(
        tenant=tenant, recipient=recipient, now=timezone.now(), delivery=delivery
    )
    message = digest_message(tenant=tenant, digest=digest)
    html = message.alternatives[0][0]
    hashes = sorted(
        {
            "'sha256-" + base64.b64encode(hashlib.sha256(value.encode()).digest()).decode() + "'"
            for value in STYLE_ATTRIBUTE.findall(html)
        }
    )
    response = HttpResponse(html)
    response._csp_config = {
        "default-src": ["'none'"],
        "style-src": ["'unsafe-hashes'", *hashes],
        "img-src": ["'self'", "data:"],
        "frame-ancestors": ["'self'"],
        "base-uri": ["'none'"],
        "form-action": ["'none'"],
        "sandbox": [True],
    }
    return response


# -- unsubscribe (no sign-in) --------------------------------------------------------------


@csrf_exempt  # RFC 8058: mail providers POST here without a session; the signed token is the key
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows the choice (link checkers that follow links change nothing); POST with
    `List-Unsubscribe=One-Click` (RFC 8058) or the page's own form records it."""
    parsed = unsubscribe_token_read(token)
    tenant = recipient = None
    if parsed is not None:
        with scopes_disabled():
            tenant = Tenant.objects.filter(pk=parsed[0], is_active=True).first()
        if tenant is not None:
            with scope(tenant=tenant):
                recipient = recipient_for_key(tenant=tenant, key=parsed[1])
    if tenant is None or recipient is None:
        return render(
            request,
            "engagement/digests/unsubscribe_invalid.html",
            {"reason": "forged" if parsed is None else "gone"},
            status=400 if parsed is None else 404,
        )
    with scope(tenant=tenant):
        current = frequency_for(tenant=tenant, recipient=recipient.key)
        if request.method == "POST":
            one_click = request.POST.get("List-Unsubscribe") == "One-Click"
            choice = Frequency.OFF if one_click else request.POST.get("frequency", "")
            if choice not in Frequency.values:
                messages.error(request, "Choose weekly, monthly or off.")
                return redirect("digest-unsubscribe", token=token)
            changed = digest_preference_set(
                tenant=tenant,
                recipient=recipient,
                frequency=choice,
                actor=None,
                via="one-click unsubscribe" if one_click else "link in a digest",
            )
            if one_click:
                return HttpResponse("Unsubscribed.\n", content_type="text/plain")
            label = Frequency(choice).label.lower()
            if choice == Frequency.OFF:
                text = (
                    "You are unsubscribed: no more digests from this plan."
                    if changed
                    else "You were already unsubscribed; nothing changed."
                )
            else:
                text = f"Saved: digests {label}." if changed else f"Digests were already {label}."
            messages.success(request, text)
            return redirect("digest-unsubscribe", token=token)
    return render(
        request,
        "engagement/digests/unsubscribe.html",
        {
            "tenant": tenant,
            "recipient": recipient,
            "current": current,
            "is_off": current == Frequency.OFF,
            "form": FrequencyForm(initial={"frequency": current}),
        },
    )
