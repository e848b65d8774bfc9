"""The product's URLs plus the floor: a bare view under /<tenant>/, so that it passes the same
middleware (session, user, tenant and membership, scope) as every page, and nothing more. It
lives here, never in the product's URL conf."""

from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.http import require_GET

from cswb.urls import handler403  # noqa: F401
from cswb.urls import urlpatterns as product_urlpatterns


@require_GET
def floor(request: HttpRequest, tenant_slug: str) -> HttpResponse:
    return HttpResponse(b"floor", content_type="text/plain")


urlpatterns = [
    path("<slug:tenant_slug>/bench-floor/", floor, name="bench-floor"),
    *product_urlpatterns,
]
