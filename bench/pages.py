"""Time the heaviest pages on `seed_scale` data through the Django test client: the table page,
the leadership progress page, "my work" and the calendar feed. Prints, for each, the median and
95th percentile time of N requests and the number of queries one request makes.

    make bench            # builds the cswb_bench database, fills it, runs this
    DATABASE_URL=... DJANGO_SETTINGS_MODULE=cswb.settings.test python bench/pages.py [N]
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cswb.settings.test")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from cswb.models import User  # noqa: E402
from tables.management.commands.seed_scale import BENCH_COORDINATOR, BENCH_LEADER  # noqa: E402


def measure(client: Client, url: str, runs: int) -> tuple[float, float, int, int]:
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
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return statistics.median(times), p95, len(queries.captured_queries), len(response.content)


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    tenant = os.environ.get("BENCH_TENANT", "scale")
    coordinator, leader = Client(), Client()
    coordinator.force_login(User.objects.get(email=BENCH_COORDINATOR))
    leader.force_login(User.objects.get(email=BENCH_LEADER))
    pages = [
        ("table page", coordinator, f"/{tenant}/tables/table-0/"),
        ("leadership progress (200 tables)", leader, f"/{tenant}/progress/"),
        ("my work", coordinator, f"/{tenant}/my-work/"),
        ("table calendar feed", coordinator, f"/{tenant}/tables/table-0/meetings.ics"),
        ("table actions list", coordinator, f"/{tenant}/tables/table-0/actions/"),
    ]
    print(f"{'page':36} {'median ms':>10} {'p95 ms':>8} {'queries':>8} {'bytes':>9}")
    for name, client, url in pages:
        median, p95, queries, size = measure(client, url, runs)
        print(f"{name:36} {median:10.1f} {p95:8.1f} {queries:8d} {size:9d}")


if __name__ == "__main__":
    main()
