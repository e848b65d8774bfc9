"""Plan, render and hand to SMTP the progress digests of a `seed_scale` tenant (10,000
people), batch by batch through the same service the Celery tasks call, to a local SMTP
server that counts and discards. Batches are sent by BENCH_PROCESSES processes (default 2, the
compose worker's concurrency on a 2-core machine). Prints the planning time, then per batch
its time, reads and writes (SQL statements) and the sending process's resident memory, and
the totals. Target: all digests out in under 2 minutes, memory flat.

    make bench            # builds the cswb_bench database, fills it, runs this after pages.py
    DATABASE_URL=... DJANGO_SETTINGS_MODULE=cswb.settings.test python bench/digests.py
"""

from __future__ import annotations

import collections
import multiprocessing
import os
import socket
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cswb.settings.test")

import django

django.setup()

from aiosmtpd.controller import Controller  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import connection, connections  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_scopes import scope  # noqa: E402

from cswb.models import Tenant  # noqa: E402
from engagement.models import DeliveryStatus, DigestDelivery, DigestRun  # noqa: E402
from engagement.services.digests import batches, digest_batch_send  # noqa: E402
from engagement.tasks import digest_work  # noqa: E402


class Counter:
    """Counts what it receives, in shared memory; runs in a process of its own, as a mail
    server would, so it does not compete with the sender for the interpreter."""

    def __init__(self, messages, size) -> None:
        self.messages, self.size = messages, size

    async def handle_DATA(self, server, session, envelope):
        with self.messages.get_lock():
            self.messages.value += 1
            self.size.value += len(envelope.content)
        return "250 OK"


def serve(port: int, messages, size, stop) -> None:
    import logging

    logging.getLogger("mail.log").setLevel(logging.WARNING)
    controller = Controller(Counter(messages, size), hostname="127.0.0.1", port=port)
    controller.start()
    stop.wait()
    controller.stop()


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def send_batches(tenant, now, queue, count: int) -> None:
    """One sending process: takes batches until there are none, like a worker's child."""
    while (item := queue.get()) is not None:
        number, chunk = item
        statements: collections.Counter[str] = collections.Counter()

        def count(execute, sql, params, many, context, statements=statements):
            statements[sql.split(None, 1)[0]] += 1
            return execute(sql, params, many, context)

        t0 = time.perf_counter()
        with scope(tenant=tenant), connection.execute_wrapper(count):
            result = digest_batch_send(tenant=tenant, delivery_ids=chunk, now=now)
        took = time.perf_counter() - t0
        reads, writes = statements["SELECT"], statements["UPDATE"]
        if number <= 4 or number % 10 == 0 or number == count:
            print(
                f"{number:>6} {len(chunk):>5} {result.sent:>5} {result.empty:>5} {took:>6.2f} "
                f"{reads:>6} {writes:>6} {rss_mb():>6.0f}",
                flush=True,
            )
    connections.close_all()


def main() -> None:
    slug = os.environ.get("BENCH_TENANT", "scale")
    tenant = Tenant.objects.get(slug=slug)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    fork = multiprocessing.get_context("fork")
    received, size, stop = fork.Value("i", 0), fork.Value("q", 0), fork.Event()
    server = fork.Process(target=serve, args=(port, received, size, stop), daemon=True)
    server.start()
    for _ in range(100):  # until it listens
        with socket.socket() as attempt:
            if attempt.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.05)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    with scope(tenant=tenant):  # a fresh round each time the benchmark runs
        DigestDelivery.objects.all().delete()
        DigestRun.objects.all().delete()

    started = time.perf_counter()
    now = timezone.now()
    [(_, ids)] = digest_work(now=now, tenants=[tenant], force=True)
    planned = time.perf_counter() - started
    print(f"planned {len(ids)} recipients in {planned:.1f} s; memory {rss_mb():.0f} MB")
    processes = int(os.environ.get("BENCH_PROCESSES", "2"))
    print(f"sending in {processes} processes, as a worker with --concurrency={processes} would")
    print(
        f"{'batch':>6} {'size':>5} {'sent':>5} {'empty':>5} {'s':>6} {'reads':>6} {'writes':>6} "
        f"{'MB':>6}"
    )
    chunks = batches(ids)
    connections.close_all()  # each process opens its own
    queue = fork.Queue()
    for number, chunk in enumerate(chunks, 1):
        queue.put((number, chunk))
    workers = [
        fork.Process(target=send_batches, args=(tenant, now, queue, len(chunks)))
        for _ in range(processes)
    ]
    for worker in workers:
        queue.put(None)
        worker.start()
    for worker in workers:
        worker.join()
    total = time.perf_counter() - started
    stop.set()
    server.join(timeout=10)
    with scope(tenant=tenant):
        done = DigestDelivery.objects.filter(status=DeliveryStatus.SENT).count()
    print(
        f"total {total:.1f} s for {len(ids)} recipients: {done} sent ({received.value} "
        f"received, {size.value / max(received.value, 1) / 1024:.1f} KB each), "
        f"{rss_mb():.0f} MB at the end"
    )


if __name__ == "__main__":
    main()
