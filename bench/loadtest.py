"""`make loadtest`: 50 signed-in people of mixed roles (bench/locustfile.py) against gunicorn
serving the production settings on loopback, on the `seed_scale` database, for a bounded time.
Prints throughput, the median, 95th and 99th percentile response times and the errors, then
each kind of request.

    make loadtest                                   # after `make bench` filled the database
    python bench/loadtest.py [users] [seconds]      # defaults: 50 users, 90 s

The server runs as docker-compose runs it (gunicorn.conf.py: WEB_WORKERS sync workers, each
keeping its database connection, CONN_MAX_AGE); only HTTPS redirects are off, because the load
test speaks plain HTTP to 127.0.0.1. People sign in by a session made for them beforehand, as
`force_login` does: 50 sign-ins from one address in a minute would meet the login rate limit.
"""

from __future__ import annotations

import csv
import http.client
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["DJANGO_SETTINGS_MODULE"] = "cswb.settings.production"
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-key-0123456789-abcdefghijklmnopqrstuvwxyz")
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.test import Client  # noqa: E402
from django_scopes import scope  # noqa: E402

from cswb.models import Tenant, TenantMembership, TenantRole  # noqa: E402
from partners.models import OrganizationMembership  # noqa: E402
from tables.models import (  # noqa: E402
    ACTION_OPEN_STATUSES,
    Action,
    ActionTable,
    SeatRole,
    TableOrganization,
    TableSeat,
    Visibility,
)

PORT = int(os.environ.get("LOADTEST_PORT", "8106"))
MIX = {"leadership": 8, "admin": 4, "coordinator": 18, "staff": 20}  # of 50


def _session(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def people(tenant: Tenant, users: int) -> list[dict[str, object]]:
    """Who takes part, by role, with the tables they open and the actions they may note on."""
    share = {role: max(1, round(n * users / 50)) for role, n in MIX.items()}
    with scope(tenant=tenant):
        # Plan-wide tables: leadership see members-only ones as figures only, not as pages.
        some_tables = list(
            ActionTable.objects.filter(visibility=Visibility.TENANT)
            .order_by("pk")
            .values_list("slug", flat=True)[:40]
        )
        chosen: list[dict[str, object]] = []
        for role in ("leadership", "admin"):
            for m in TenantMembership.objects.filter(role=role).select_related("user")[
                : share[role]
            ]:
                chosen.append({"role": role, "user": m.user, "tables": some_tables, "actions": []})
        seats = (
            TableSeat.objects.current()
            .filter(role=SeatRole.COORDINATOR)
            .select_related("user", "table")
            .order_by("table_id")[: share["coordinator"]]
        )
        for seat in seats:
            actions = Action.objects.filter(table=seat.table, status__in=ACTION_OPEN_STATUSES)
            chosen.append(
                {
                    "role": "coordinator",
                    "user": seat.user,
                    "tables": [seat.table.slug],
                    "actions": [
                        (seat.table.slug, pk) for pk in actions.values_list("pk", flat=True)[:20]
                    ],
                }
            )
        taken = {p["user"].pk for p in chosen}
        staff = (
            OrganizationMembership.objects.current()
            .exclude(user_id__in=taken)
            .filter(
                role="staff",
                user__tenant_memberships__role=TenantRole.MEMBER,
                organization__participations__left_on__isnull=True,
            )
            .select_related("user")
            .distinct()
            .order_by("user_id")[: share["staff"]]
        )
        for membership in staff:
            tables = list(
                TableOrganization.objects.current()
                .filter(organization_id=membership.organization_id)
                .values_list("table__slug", flat=True)
            )
            actions = (
                Action.objects.filter(
                    owner_organization_id=membership.organization_id,
                    status__in=ACTION_OPEN_STATUSES,
                    table__slug__in=tables,
                )
                .select_related("table")
                .only("pk", "table__slug")[:20]
            )
            chosen.append(
                {
                    "role": "staff",
                    "user": membership.user,
                    "tables": tables or some_tables,
                    "actions": [(a.table.slug, a.pk) for a in actions],
                }
            )
    return [
        {
            "role": p["role"],
            "email": p["user"].email,
            "session": _session(p["user"]),
            "tables": p["tables"],
            "actions": p["actions"],
        }
        for p in chosen
    ]


def serve() -> subprocess.Popen:
    server = subprocess.Popen(  # noqa: S603 -- our own interpreter and arguments
        [sys.executable, "-m", "gunicorn", "cswb.wsgi", "--bind", f"127.0.0.1:{PORT}"],
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


def warm(chosen: list[dict[str, object]], slug: str) -> int:
    """Each page once per worker and a few times more before the clock starts: a new worker
    imports the views and compiles the templates on its first requests (a few hundred ms
    each), which a running server did long ago. Not counted. Returns the requests made."""
    workers = int(os.environ.get("WEB_WORKERS") or 2 * (os.cpu_count() or 1))
    made = 0
    for person in {p["role"]: p for p in chosen}.values():  # one person of each role
        cookie = f"{settings.SESSION_COOKIE_NAME}={person['session']}"
        table = person["tables"][0]
        paths = ["/", "/my-work/", "/progress/", "/tables/", f"/tables/{table}/"]
        paths += [f"/tables/{table}/actions/", f"/tables/{table}/meetings.ics"]
        for path in paths * (2 * workers):
            conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
            conn.request("GET", f"/{slug}{path}", headers={"Cookie": cookie, "Host": "127.0.0.1"})
            conn.getresponse().read()
            conn.close()
            made += 1
    return made


def main() -> None:
    users = int(sys.argv[1]) if len(sys.argv) > 1 else 50
    seconds = int(sys.argv[2]) if len(sys.argv) > 2 else 90
    slug = os.environ.get("LOADTEST_TENANT", "scale")
    chosen = people(Tenant.objects.get(slug=slug), users)
    roles = {r: sum(p["role"] == r for p in chosen) for r in MIX}
    workdir = Path(tempfile.mkdtemp(prefix="cswb-loadtest-"))
    (workdir / "people.json").write_text(json.dumps(chosen))
    env = {
        **os.environ,
        "LOADTEST_PEOPLE": str(workdir / "people.json"),
        "LOADTEST_TENANT": slug,
        "LOADTEST_SESSION_COOKIE": settings.SESSION_COOKIE_NAME,
        "LOADTEST_CSRF_COOKIE": settings.CSRF_COOKIE_NAME,
    }
    server = serve()
    print(f"warm-up (not counted): {warm(chosen, slug)} requests")
    print(
        f"{users} people ({', '.join(f'{n} {r}' for r, n in roles.items())}) for {seconds} s "
        f"against gunicorn ({os.environ.get('WEB_WORKERS', 'gunicorn.conf.py')} workers) "
        f"on 127.0.0.1:{PORT}, tenant {slug}"
    )
    try:
        subprocess.run(  # noqa: S603 -- our own interpreter and arguments
            [
                sys.executable,
                "-m",
                "locust",
                "-f",
                str(ROOT / "bench" / "locustfile.py"),
                "--headless",
                "--users",
                str(users),
                "--spawn-rate",
                "10",
                "--run-time",
                f"{seconds}s",
                "--host",
                f"http://127.0.0.1:{PORT}",
                "--csv",
                str(workdir / "run"),
                "--only-summary",
                "--loglevel",
                "WARNING",
            ],
            env=env,
            check=False,
            stdout=subprocess.DEVNULL,
        )
    finally:
        server.terminate()
        server.wait(timeout=30)
    report(workdir / "run_stats.csv", seconds)


def report(stats_file: Path, seconds: int) -> None:
    rows = list(csv.DictReader(stats_file.open()))
    total = next(r for r in rows if r["Name"] == "Aggregated")
    print(f"\n{'request':22} {'count':>7} {'errors':>7} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}")
    for row in [*(r for r in rows if r["Name"] != "Aggregated"), total]:
        print(
            f"{row['Name']:22} {row['Request Count']:>7} {row['Failure Count']:>7} "
            f"{row['50%']:>7} {row['95%']:>7} {row['99%']:>7}"
        )
    errors = int(total["Failure Count"])
    p95 = float(total["95%"])
    print(
        f"\nthroughput {float(total['Requests/s']):.1f} requests/s, p50 {total['50%']} ms, "
        f"p95 {total['95%']} ms, p99 {total['99%']} ms, errors {errors} "
        f"of {total['Request Count']}"
    )
    verdict = "met" if errors == 0 and p95 < 300 else "NOT met"
    print(f"target (0 errors, p95 < 300 ms): {verdict}")


if __name__ == "__main__":
    main()
