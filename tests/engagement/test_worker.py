"""End to end with the real pieces: the hourly task and the batch tasks on a real Celery
worker over the test Redis, handing mail to a real SMTP server; and a worker killed in the
middle of a batch, after which a fresh worker finishes with no duplicate and no loss."""

from __future__ import annotations

import time

import pytest
from django.utils import timezone
from django_scopes import scope

from engagement.models import DeliveryStatus, DigestDelivery, DigestSchedule
from engagement.tasks import digest_work, digests_tick, dispatch

from ..conftest import World
from .utils import contact, happenings

pytestmark = pytest.mark.django_db(transaction=True)
CONTACTS = 16


@pytest.fixture
def busy(world: World) -> World:
    happenings(world, world.table, "Youth")
    for n in range(CONTACTS):
        contact(world, world.police_org, f"desk{n:02d}@police.example", name=f"Desk {n}")
    return world


def _expected(world: World) -> list[str]:
    members = ["admin", "coordinator", "leader", "partner"]
    return sorted(
        [f"{m}@halton.example" for m in members]
        + [f"desk{n:02d}@police.example" for n in range(CONTACTS)]
    )


def _worker_env(sink, **extra: str) -> dict[str, str]:
    return {
        "TEST_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": sink.host,
        "EMAIL_PORT": str(sink.port),
        **extra,
    }


def _statuses(world: World) -> dict[str, int]:
    with scope(tenant=world.halton):
        rows = DigestDelivery.objects.values_list("status", flat=True)
        return {s: list(rows).count(s) for s in set(rows)}


def _wait_until_settled(world: World, timeout: float = 90) -> dict[str, int]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        statuses = _statuses(world)
        if statuses and not ({DeliveryStatus.PENDING, DeliveryStatus.SENDING} & set(statuses)):
            return statuses
        time.sleep(0.2)
    raise AssertionError(f"deliveries did not settle: {_statuses(world)}")


def test_the_hourly_task_fans_out_batches_to_a_real_worker(busy: World, sink, celery_workers):
    local = timezone.now().astimezone(busy.halton.tzinfo)
    with scope(tenant=busy.halton):  # due this very hour
        DigestSchedule.objects.create(tenant=busy.halton, weekday=local.weekday(), hour=local.hour)
    with scope(tenant=busy.lakeshore):  # not Lakeshore's turn
        DigestSchedule.objects.create(tenant=busy.lakeshore, is_enabled=False)
    celery_workers(_worker_env(sink, DIGEST_BATCH_SIZE="6"))

    queued = digests_tick.delay().get(timeout=60)

    assert queued == 4  # 21 recipients, 6 to a batch
    statuses = _wait_until_settled(busy)
    assert statuses == {DeliveryStatus.SENT: 20, DeliveryStatus.EMPTY: 1}
    assert sink.addresses() == _expected(busy)
    # The next tick, an hour later or at once: the week's run exists, nothing is sent again.
    assert digests_tick.delay().get(timeout=60) == 0
    time.sleep(1)
    assert sink.addresses() == _expected(busy)
    message = sink.to("partner@halton.example")[0]
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_a_worker_killed_mid_batch_loses_no_one_and_repeats_no_one(
    busy: World, sink, celery_workers, settings
) -> None:
    lease = {"DIGEST_CLAIM_LEASE_SECONDS": "2"}
    settings.DIGEST_CLAIM_LEASE_SECONDS = 2
    settings.DIGEST_RESUME_AFTER_SECONDS = 0
    sink.hold_at = 5  # the sixth message is mid-send when the worker dies
    first = celery_workers(_worker_env(sink, **lease))
    now = timezone.now()
    dispatch(digest_work(now=now, tenants=[busy.halton], force=True))

    assert sink.holding.wait(timeout=60), "the worker never reached the sixth message"
    first.kill()  # SIGKILL: no cleanup, no acknowledgement
    first.wait(timeout=20)
    sink.release.set()  # the half-sent message is refused, as a real server drops it

    statuses = _statuses(busy)
    assert statuses[DeliveryStatus.SENT] == 5
    assert statuses[DeliveryStatus.SENDING] == 1
    assert len(sink.messages) == 5

    celery_workers(_worker_env(sink, **lease))
    time.sleep(2.5)  # the dead worker's claim outlives its lease
    work = digest_work(now=timezone.now(), tenants=[busy.halton], force=False)
    # Everyone not yet sent or found empty: the never tried and the one cut off.
    assert len(work[0][1]) == 21 - 5 - statuses.get(DeliveryStatus.EMPTY, 0) == 15
    dispatch(work)

    statuses = _wait_until_settled(busy)
    assert statuses == {DeliveryStatus.SENT: 20, DeliveryStatus.EMPTY: 1}
    assert sink.addresses() == _expected(busy)  # each exactly once
