from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import Resolver404, resolve
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from .models import Tenant
from .selectors import membership_for

TENANT_KWARG = "tenant_slug"


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

        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())

        tenant = Tenant.objects.filter(slug=slug, is_active=True).first()
        if tenant is None:
            raise Http404("No such plan.")
        with scope(tenant=tenant):
            membership = membership_for(tenant=tenant, user=request.user)
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
