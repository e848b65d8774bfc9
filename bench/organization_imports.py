"""Organizations import benchmark: a synthetic regional 211 directory of 50,000 rows (every
tenth with a contact email) through the same pipeline as the browser: store, check every row,
apply in one transaction; then the same file again (every row already in the plan). Prints,
per pass, the time, rows per second and the process's resident memory. Runs in a tenant of
its own ("bench-211-…"), new each run.

    make bench            # runs this after imports.py
    DATABASE_URL=... DJANGO_SETTINGS_MODULE=cswb.settings.test \
        python bench/organization_imports.py [ROWS]
"""

from __future__ import annotations

import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cswb.settings.test")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django_scopes import scope, scopes_disabled  # noqa: E402

from cswb.imports import import_confirm  # noqa: E402
from cswb.models import Tenant, User  # noqa: E402
from partners.services.importing import (  # noqa: E402
    organization_import_columns_set,
    organization_import_start,
)

ROWS = int(sys.argv[1]) if len(sys.argv) > 1 else 50_000


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def synthetic(path: Path, rows: int) -> None:
    with path.open("w", newline="") as f:
        f.write("ID,Name,Sector,Website,Email,Address\n")
        for n in range(rows):
            email = f"intake{n}@agency.example" if n % 10 == 0 else ""
            f.write(f'S{n:06d},"Agency {n:05d}, Main Site",housing,agency{n}.example,{email},'
                    f'"{n} Main St\nSuite {n % 40}"\n')  # fmt: skip


def tenant_fresh() -> tuple[Tenant, User]:
    """A tenant of its own for each run (the activity log is append-only: nothing is emptied)."""
    with scopes_disabled():
        tenant = Tenant.objects.create(slug=f"bench-211-{time.time_ns()}", name="Bench 211")
        user, _ = User.objects.get_or_create(email="bench-211@example.org")
    return tenant, user


def run(label: str, tenant: Tenant, user: User, path: Path) -> None:
    """Each step as the browser takes it; the tasks it queues run in this process (the test
    settings' eager Celery), so each step's time is its pass's."""
    with scope(tenant=tenant), path.open("rb") as f:
        start = time.perf_counter()
        record = organization_import_start(tenant=tenant, upload=f, file_name=path.name, actor=user)
        print(f"{label:<22} store {ROWS:>7,} rows {time.perf_counter() - start:6.1f} s "
              "(stored, encoding and header read)", flush=True)  # fmt: skip
        steps = {
            "check": lambda: organization_import_columns_set(
                record=record,
                mapping={"name": "1", "sector": "2", "website": "3", "contact_email": "4"},
                default_sector="",
            ),
            "apply": lambda: import_confirm(record=record, actor=user),
        }
        for name, step in steps.items():
            start = time.perf_counter()
            step()
            took = time.perf_counter() - start
            record.refresh_from_db()
            print(
                f"{label:<22} {name:<5} {ROWS:>7,} rows {took:6.1f} s "
                f"{ROWS / took:>8,.0f} rows/s  resident {rss_mb():5.0f} MB "
                f"(peak {peak_mb():.0f} MB) -> {record.get_state_display()}: "
                f"{record.created_count:,} new, {record.unchanged_count:,} unchanged, "
                f"{record.rejected_count:,} rejected",
                flush=True,
            )
            if record.state in ("rejected", "failed"):
                print(f"  {record.error}", flush=True)
                return


def main() -> None:
    settings.IMPORT_DIR = Path(tempfile.mkdtemp(prefix="cswb-bench-imports-"))
    tenant, user = tenant_fresh()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "regional_211.csv"
        synthetic(path, ROWS)
        print(f"synthetic 211 directory: {ROWS:,} rows, {path.stat().st_size / 2**20:.1f} MB")
        run("first import", tenant, user, path)
        run("the same file again", tenant, user, path)


if __name__ == "__main__":
    main()
