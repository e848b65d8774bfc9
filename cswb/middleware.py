from __future__ import annotations

import hashlib
from collections.abc import Callable

from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django_scopes import scope, scopes_disabled

from cswb.models import Tenant
from cswb.selectors import memberships_for_request, mfa_setup_required
from cswb.text import has_unstorable_text

TENANT_KWARG = "tenant_slug"


class NoStoreMiddleware:
    """Every page and export the portal builds is `Cache-Control: no-store, private`: partner
    agencies share computers, and tenant data must not stay in a browser's or a proxy's cache.
    (Static files are served before this runs, and stay cacheable.)"""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        patch_cache_control(response, no_store=True, private=True)
        return response


class RefuseUnstorableTextMiddleware:
    """400 for a request whose address, query, cookies or form fields carry a character no
    text column can hold: a clear refusal instead of a database error. Uploaded files are
    read by the importer, which reports such a cell with its line."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not self._carries_unstorable_text(request):
            return self.get_response(request)
        reason = _(
            "What was sent contains an invisible control character (a NUL byte) that the "
            "portal does not accept. Remove it, or retype the text, and try again."
        )
        if request.headers.get("HX-Request"):
            # An in-place form: say it where messages are announced, and keep what was typed.
            response = render(
                request,
                "partials/refusal.html",
                {"reason": reason, "nothing_changed": _("Nothing was changed.")},
                status=400,
            )
            response["HX-Retarget"] = "#messages"
            response["HX-Reswap"] = "innerHTML"
            return response
        return render(request, "400.html", {"reason": reason}, status=400)

    @staticmethod
    def _carries_unstorable_text(request: HttpRequest) -> bool:
        if has_unstorable_text(request.path):
            return True
        parts = [request.GET, request.COOKIES]
        if request.method == "POST" and request.content_type in (
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ):
            parts.append(request.POST)
        for part in parts:
            items = part.lists() if hasattr(part, "lists") else part.items()
            for key, values in items:
                values = values if isinstance(values, list) else [values]
                if has_unstorable_text(key) or any(
                    isinstance(v, str) and has_unstorable_text(v) for v in values
                ):
                    return True
        return False


class TenantMiddleware:
    """Resolves `/<tenant>/…` once per request and runs the view inside that tenant's scope.

    Anonymous visitors are sent to log in (whether or not the tenant exists, so addresses
    reveal nothing); signed-in people who are not active members get 404, the same answer as
    for a tenant that does not exist.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.tenant = None
        request.membership = None
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return self.get_response(request)

        if "admin" in match.namespaces:
            # Site staff see every tenant in the Django admin, which knows nothing of scopes.
            with scopes_disabled():
                return self.get_response(request)

        slug = match.kwargs.get(TENANT_KWARG)
        if slug is None:
            return self.get_response(request)

        token_user = getattr(match.func, "token_user", None)
        if not request.user.is_authenticated and token_user is not None:
            # A view that a program without a session reads (a calendar app) names how its
            # address's token identifies a person. Valid for this request and view only.
            request.user = token_user(request.GET.get("token", "")) or request.user
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())

        tenant = Tenant.objects.filter(slug=slug, is_active=True).first()
        if tenant is None:
            raise Http404("No such plan.")
        with scope(tenant=tenant):
            # The person's memberships of every plan, read once: this one is among them, and
            # the header's plan switcher lists them (memberships_for_request keeps them).
            mine = memberships_for_request(request) if request.user.is_active else []
            membership = next((m for m in mine if m.tenant_id == tenant.pk), None)
            if membership is None:
                raise Http404("No such plan.")
            request.tenant = tenant
            request.membership = membership
            # Dates and times are shown in the tenant's time zone.
            timezone.activate(tenant.tzinfo)
            try:
                return self.get_response(request)
            finally:
                timezone.deactivate()


class SessionActivityMiddleware:
    """allauth's record of a signed-in session (device, IP, last seen), refreshed at most once
    every SESSION_ACTIVITY_INTERVAL seconds per session instead of written on every request.
    The record is created at sign-in by allauth itself."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session_key = request.session.session_key
        if session_key and request.user.is_authenticated:
            digest = hashlib.sha256(session_key.encode()).hexdigest()
            if cache.add(f"session-seen:{digest}", True, settings.SESSION_ACTIVITY_INTERVAL):
                UserSession.objects.create_from_request(request)
        return self.get_response(request)


# Pages a person who must set up two-factor authentication can still reach: the account pages
# (where MFA is set up, and sign-out), health checks and static files.
MFA_EXEMPT_PREFIXES = ("/accounts/", "/healthz", "/static/")


class MfaRequiredMiddleware:
    """Sends a signed-in person whose plan requires two-factor authentication, and who has not
    set it up, to set it up before anything else."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            request.user.is_authenticated
            and not request.path_info.startswith(MFA_EXEMPT_PREFIXES)
            and mfa_setup_required(user=request.user)
        ):
            messages.warning(
                request,
                _(
                    "Your plan requires two-factor authentication. Set up an authenticator "
                    "app or a security key to continue."
                ),
            )
            return redirect("mfa_index")
        return self.get_response(request)
