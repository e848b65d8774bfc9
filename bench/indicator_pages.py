"""Time the CSWB dashboard with 300 indicators x 50 geographies x 20 years (300,000 values)
against a bare view behind the same middleware (the session, the person, the plan and its
scope, then an empty page). Prints both times, the ratio, the queries and the page size.

    make bench            # builds the cswb_bench database and runs this after the others
    DATABASE_URL=... DJANGO_SETTINGS_MODULE=cswb.settings.test python bench/indicator_pages.py [N]

The data go into their own plan ("indicator-bench"), made once: a second run reuses them.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
import types
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cswb.settings.test")

import django

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import include, path  # noqa: E402
from django_scopes import scope, scopes_disabled  # noqa: E402

from cswb.access import get_tenant_for  # noqa: E402
from cswb.models import Tenant, TenantMembership, TenantRole, User  # noqa: E402
from indicators.models import (  # noqa: E402
    Domain,
    Geography,
    Indicator,
    Observation,
    Period,
    ProgressStatus,
    Series,
    TenantGeography,
)

SLUG = "indicator-bench"
EMAIL = "member@indicator-bench.example"
INDICATORS, GEOGRAPHIES, YEARS = 300, 50, 20
FIRST_YEAR = 2005


def bare(request, tenant_slug: str) -> HttpResponse:
    """The floor: what any page under /<tenant>/ costs before it reads anything."""
    get_tenant_for(request)
    return HttpResponse("<!DOCTYPE html><title>bare</title><p>ok</p>")


# The project's addresses plus the bare page, under the same tenant middleware.
bench_urls = types.ModuleType("bench_indicator_urls")
bench_urls.urlpatterns = [
    path("<slug:tenant_slug>/bench-bare/", bare),
    path("", include("cswb.urls")),
]
sys.modules["bench_indicator_urls"] = bench_urls


def build() -> None:
    """The plan, a member, the shared catalogue's domains, places, years and values."""
    with scopes_disabled(), transaction.atomic():
        if Tenant.objects.filter(slug=SLUG).exists():
            return
        started = time.perf_counter()
        tenant = Tenant.objects.create(slug=SLUG, name="Indicator bench")
        user = User.objects.create_user(email=EMAIL)  # signed in by the client, no password
        TenantMembership.objects.create(tenant=tenant, user=user, role=TenantRole.MEMBER)
        domains = [
            Domain.objects.get_or_create(slug=f"bench-{n}", defaults={"name_en": name})[0]
            for n, name in enumerate(["Health", "Safety", "Community well-being"])
        ]
        places = Geography.objects.bulk_create(
            Geography(tenant=tenant, scheme="local", code=f"B{n:03d}", name=f"Place {n}")
            for n in range(GEOGRAPHIES)
        )
        periods = [
            Period.objects.get_or_create(
                granularity="year", start=date(y, 1, 1), end=date(y, 12, 31),
                defaults={"label": str(y)},
            )[0]
            for y in range(FIRST_YEAR, FIRST_YEAR + YEARS)
        ]  # fmt: skip
        indicators = Indicator.objects.bulk_create(
            Indicator(
                tenant=tenant, code=f"B.{n}", slug=f"b-{n}", name_en=f"Bench indicator {n}",
                domain=domains[n % 3], unit_label="Rate per 100,000", unit_type="rate",
                multiplier=100_000, direction="negative" if n % 2 else "positive",
            )
            for n in range(INDICATORS)
        )  # fmt: skip
        series = Series.objects.bulk_create(
            Series(tenant=tenant, indicator=i, key="", is_default=True) for i in indicators
        )
        for n, (indicator, line) in enumerate(zip(indicators, series, strict=True)):
            Observation.objects.bulk_create(
                (
                    Observation(
                        tenant=tenant, indicator=indicator, series=line, geography=place,
                        period=period, value=100 + (n + g + y) % 37,
                    )
                    for g, place in enumerate(places)
                    for y, period in enumerate(periods)
                ),
                batch_size=5000,
            )  # fmt: skip
        ProgressStatus.objects.bulk_create(
            ProgressStatus(
                tenant=tenant, indicator=i, geography=places[0], status="limited_progress"
            )
            for i in indicators
        )
        TenantGeography.objects.create(tenant=tenant, geography=places[0], role="ours")
        TenantGeography.objects.create(tenant=tenant, geography=places[1], role="comparison")
        values = INDICATORS * GEOGRAPHIES * YEARS
        print(
            f"built {INDICATORS} indicators x {GEOGRAPHIES} places x {YEARS} years "
            f"({values:,} values) in {time.perf_counter() - started:.0f} s"
        )


def timed(client: Client, url: str, runs: int) -> tuple[float, int, int]:
    client.get(url)  # warm the session and caches
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return statistics.median(times), len(queries.captured_queries), len(response.content)


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    build()
    client = Client()
    with scopes_disabled():
        client.force_login(User.objects.get(email=EMAIL))
    with override_settings(ROOT_URLCONF="bench_indicator_urls"):
        floor, floor_queries, floor_size = timed(client, f"/{SLUG}/bench-bare/", runs)
        page, page_queries, page_size = timed(client, f"/{SLUG}/indicators/", runs)
    with scope(tenant=Tenant.objects.get(slug=SLUG)):
        shown = Indicator.objects.count()
    if shown < INDICATORS:
        raise SystemExit(f"only {shown} indicators in the bench plan")
    print(f"{'page':40} {'median ms':>10} {'queries':>8} {'bytes':>9}")
    print(f"{'bare view (same middleware)':40} {floor:10.1f} {floor_queries:8d} {floor_size:9d}")
    print(f"{'dashboard, 300 x 50 x 20':40} {page:10.1f} {page_queries:8d} {page_size:9d}")
    print(f"ratio dashboard / bare: {page / floor:.1f}")


if __name__ == "__main__":
    main()
