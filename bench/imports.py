"""Import benchmark: the largest real indicator file here (Statistics Canada's poverty rates,
cif_indicator_1-1-1.csv) and a synthetic file of 1,000,000 observations in the portal's tidy
template (one indicator x 50 places x 20 years x 1,000 breakdowns), each through the same
pipeline as the command and the browser: store, check every row, apply in one transaction.
Prints, per pass, the time, rows per second, the CPU time of this process and of its
PostgreSQL backend (on a machine others share, wall time alone says little), the load
average, and the process's resident memory as it goes: the peak of the pass (the kernel's
high-water mark, reset before each pass) and the spread between samples taken at each
progress report. Target: the 1M-row file (check and apply together) in under 60 s, memory
flat.

    make bench            # runs this after pages.py and digests.py
    DATABASE_URL=... DJANGO_SETTINGS_MODULE=cswb.settings.test python bench/imports.py
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
from django.db import connection  # noqa: E402
from django_scopes import scope, scopes_disabled  # noqa: E402

from cswb import imports  # noqa: E402
from cswb.imports import import_apply_run, import_check_run, import_record_create  # noqa: E402
from cswb.models import ImportRecord  # noqa: E402
from indicators.models import Indicator, Observation, ObservationRevision  # noqa: E402
from indicators.services.imports import stored_files_for  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
LARGEST = ROOT / "indicators/fixtures/indicators/cif_indicator_1-1-1.csv"
PLACES, YEARS, GROUPS = 50, 20, 1000


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def peak_reset() -> None:
    """Start the kernel's high-water mark of resident memory afresh (Linux)."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass


def peak_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def backend_cpu() -> float:
    """CPU seconds the database server has spent for this connection (PostgreSQL on this
    machine; 0 otherwise)."""
    if connection.vendor != "postgresql":
        return 0.0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def synthetic(path: Path) -> int:
    """Written line by line, never held in memory."""
    rows = 0
    with path.open("w", newline="") as f:
        f.write("indicator,indicator_name,unit_type,direction,geography,period,Group,value\n")
        for g in range(GROUPS):
            for p in range(PLACES):
                for y in range(2005, 2005 + YEARS):
                    f.write(f"BENCH.1,Bench rate,rate,negative,Place {p:03d},{y},G{g:04d},"
                            f"{(g * 7 + p * 3 + y) % 1000 / 10}\n")  # fmt: skip
                    rows += 1
    return rows


class Sampler:
    """Resident memory each time the handler reports progress (a few times a second)."""

    def __init__(self) -> None:
        self.samples: list[float] = []
        self._report = imports._progress_for

    def __enter__(self):
        def wrapped(record):
            report = self._report(record)

            def sample(done: int) -> None:
                self.samples.append(rss_mb())
                report(done)

            return sample

        imports._progress_for = wrapped
        return self

    def __exit__(self, *exc) -> None:
        imports._progress_for = self._report


def run(label: str, path: Path, fmt: str, rows: int) -> None:
    total = [0.0]
    companions = stored_files_for([path]) if fmt == "open_sdg" else {}
    opened = {role: p.open("rb") for role, p in companions.items()}
    with scope(tenant=None), path.open("rb") as f:
        record = import_record_create(
            tenant=None, kind="indicators", upload=f, file_name=path.name, created_by=None,
            file_format=fmt, companions=opened, check_in_background=False,
        )  # fmt: skip
        for o in opened.values():
            o.close()
        for name, step in (("check", import_check_run), ("apply", import_apply_run)):
            if name == "apply":
                record.state = "applying"
                ImportRecord.objects.filter(pk=record.pk).update(state="applying")
            peak_reset()
            with Sampler() as sampler:
                start, cpu, db = time.perf_counter(), time.process_time(), backend_cpu()
                record = step(record=record)
                took = time.perf_counter() - start
                cpu, db = time.process_time() - cpu, backend_cpu() - db
            spread = (max(sampler.samples) - min(sampler.samples)) if sampler.samples else 0.0
            total[0] += took
            print(
                f"{label:<34} {name:<5} {rows:>9,} rows {took:7.1f} s "
                f"{rows / took:>9,.0f} rows/s  cpu: python {cpu:.1f} s, postgres {db:.1f} s; "
                f"load {os.getloadavg()[0]:.1f}  resident {rss_mb():4.0f} MB "
                f"(peak {peak_mb():.0f} MB, spread over the run {spread:.0f} MB)  "
                f"-> {record.get_state_display()}",
                flush=True,
            )
            if record.state in ("rejected", "failed"):
                print(f"  {record.error or record.rejected_count}", flush=True)
                return
    print(f"{label:<34} check and apply: {total[0]:.1f} s, {rows / total[0]:,.0f} rows/s",
          flush=True)  # fmt: skip


def main() -> None:
    settings.IMPORT_DIR = Path(tempfile.mkdtemp(prefix="cswb-bench-imports-"))
    with scopes_disabled():
        # A million values are deleted in SQL (the ORM would read them all first).
        values = Observation.objects.filter(indicator__code__in=["1.1.1", "BENCH.1"])
        ObservationRevision.objects.filter(observation__in=values)._raw_delete(connection.alias)
        values._raw_delete(connection.alias)
        Indicator.objects.filter(code__in=["1.1.1", "BENCH.1"]).delete()
    with LARGEST.open() as f:
        real_rows = sum(1 for line in f if line.strip()) - 1
    run(f"largest real file ({LARGEST.name})", LARGEST, "open_sdg", real_rows)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench_1m.csv"
        start = time.perf_counter()
        rows = synthetic(path)
        print(f"synthetic file: {rows:,} rows, {path.stat().st_size / 2**20:.0f} MB, written in "
              f"{time.perf_counter() - start:.1f} s", flush=True)  # fmt: skip
        run("synthetic 1M observations (tidy)", path, "tidy", rows)


if __name__ == "__main__":
    main()
