"""Time the main pages as production serves them, each beside a floor, on `seed_scale` data.

gunicorn (2 sync workers) serves the portal with the production settings on loopback; the only
difference is the root URL conf (bench.settings → bench.urls), which adds a floor: a bare view
under /<tenant>/ that passes the same middleware as every page (session, user, tenant,
membership, scope) and does nothing else. Each page's requests alternate with requests for the
floor, so a burst of load from elsewhere on the machine slows both alike: read the ratio, not
the milliseconds. For each tenant (size) and page it prints the median and 95th percentile of
the page and of the floor beside it, the number of queries one request makes (counted in
process, on the same database), the size of the answer and the ratio of the medians.

    make bench                       # fills the bench database once, then runs this
    python bench/pages.py [N]        # N pairs per page (default 31); see the Makefile for the
                                     # environment (DATABASE_URL, REDIS_URL, BENCH_PORT, …);
                                     # BENCH_TENANTS and BENCH_PAGES (names, comma-separated)
                                     # limit the run to some sizes and pages
"""

from __future__ import annotations

import http.client
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-key-0123456789-abcdefghijklmnopqrstuvwxyz")
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django_scopes import scopes_disabled  # noqa: E402

from cswb.models import User  # noqa: E402
from tables.management.commands.seed_scale import bench_email  # noqa: E402

TARGET = 3.0
PORT = int(os.environ.get("BENCH_PORT", "8105"))


def pages(tenant: str) -> list[tuple[str, str, str]]:
    """(name, who asks, path): the pages of issue #15, as their users open them."""
    return [
        ("leadership progress", "leader", f"/{tenant}/progress/"),
        ("my work", "coordinator", f"/{tenant}/my-work/"),
        ("tenant home (coordinator)", "coordinator", f"/{tenant}/"),
        ("tenant home (leadership)", "leader", f"/{tenant}/"),
        ("table list", "coordinator", f"/{tenant}/tables/"),
        ("action list", "coordinator", f"/{tenant}/tables/table-0/actions/"),
        ("action list, filtered", "coordinator", f"/{tenant}/tables/table-0/actions/?status=done"),
        ("table page", "coordinator", f"/{tenant}/tables/table-0/"),
        ("table calendar feed", "coordinator", f"/{tenant}/tables/table-0/meetings.ics"),
    ]


def signed_in(tenant: str, role: str) -> Client:
    client = Client(HTTP_HOST="127.0.0.1")
    with scopes_disabled():
        client.force_login(User.objects.get(email=bench_email(role, tenant)))
    return client


def queries_of(client: Client, path: str) -> int:
    client.get(path, secure=True)  # the session's first request records it (once per session)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path, secure=True)
    if response.status_code != 200:
        raise SystemExit(f"{path} answered {response.status_code} in process")
    return len(captured.captured_queries)


def get(path: str, cookie: str) -> tuple[float, int]:
    """One request on a new connection (sync workers close after each answer): ms, bytes."""
    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
    conn.request("GET", path, headers={"Cookie": cookie, "Host": "127.0.0.1"})
    response = conn.getresponse()
    body = response.read()
    elapsed = (time.perf_counter() - started) * 1000
    conn.close()
    if response.status != 200:
        raise SystemExit(f"{path} answered {response.status}")
    return elapsed, len(body)


def p95(times: list[float]) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def serve() -> subprocess.Popen:
    server = subprocess.Popen(  # noqa: S603 -- our own interpreter and arguments
        [
            sys.executable,
            "-m",
            "gunicorn",
            "cswb.wsgi",
            "--workers",
            os.environ.get("WEB_WORKERS", "2"),
            "--bind",
            f"127.0.0.1:{PORT}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=os.environ.copy(),
    )
    for _ in range(100):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=5)
            conn.request("GET", "/healthz", headers={"Host": "127.0.0.1"})
            if conn.getresponse().status == 200:
                return server
        except OSError:
            pass
        time.sleep(0.2)
    server.terminate()
    raise SystemExit("gunicorn did not answer /healthz")


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 31
    tenants = os.environ.get("BENCH_TENANTS", "scale,scale-2x-actions,scale-2x-tables").split(",")
    only = [name for name in os.environ.get("BENCH_PAGES", "").split(",") if name]
    cookie_name = settings.SESSION_COOKIE_NAME
    print(
        f"gunicorn {os.environ.get('WEB_WORKERS', '2')} sync workers, {settings.SETTINGS_MODULE}"
        f", {runs} page/floor pairs per page, target ≤ {TARGET:.0f}x the floor"
    )
    server = serve()
    worst = 0.0
    try:
        for tenant in tenants:
            clients = {role: signed_in(tenant, role) for role in ("coordinator", "leader")}
            cookies = {
                role: f"{cookie_name}={client.cookies[cookie_name].value}"
                for role, client in clients.items()
            }
            floor_path = f"/{tenant}/bench-floor/"
            floor_queries = queries_of(clients["coordinator"], floor_path)
            print(f"\n{tenant}")
            print(
                f"  {'page':28} {'median':>8} {'p95':>8} {'floor':>7} {'fl p95':>7}"
                f" {'queries':>8} {'bytes':>8} {'÷ floor':>8}"
            )
            for name, role, path in pages(tenant):
                if only and name not in only:
                    continue
                queries = queries_of(clients[role], path)
                get(path, cookies[role])  # warm both workers' caches and connections
                get(path, cookies[role])
                page_times, floor_times = [], []
                for _ in range(runs):
                    floor_times.append(get(floor_path, cookies[role])[0])
                    elapsed, size = get(path, cookies[role])
                    page_times.append(elapsed)
                page_median = statistics.median(page_times)
                floor_median = statistics.median(floor_times)
                ratio = page_median / floor_median
                worst = max(worst, ratio)
                print(
                    f"  {name:28} {page_median:8.1f} {p95(page_times):8.1f} {floor_median:7.1f}"
                    f" {p95(floor_times):7.1f} {queries:>8} {size:8d} {ratio:7.1f}x"
                    f"{'' if ratio <= TARGET else '  over target'}"
                )
            print(f"  (floor: {floor_queries} queries)")
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(f"\nworst ratio {worst:.1f}x ({'within' if worst <= TARGET else 'OVER'} {TARGET:.0f}x)")


if __name__ == "__main__":
    main()
