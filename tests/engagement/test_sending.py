"""Exactly once: the ledger under repeated runs, concurrent and retried tasks, refusals and a
mail server that is down; and the hourly schedule in each plan's time zone."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from django_scopes import scope

import engagement.services.digests
from cswb.services import membership_deactivate
from engagement.models import (
    DeliveryStatus,
    DigestDelivery,
    DigestRun,
    DigestSchedule,
    Frequency,
)
from engagement.selectors.digests import recipient_for_key, user_key
from engagement.services.digests import (
    BatchResult,
    digest_batch_send,
    digest_due,
    digest_message,
    digest_preference_set,
    digest_run_plan,
    period_keys,
)
from engagement.tasks import digest_work

from ..conftest import World
from .utils import contact, happenings, send_round

# Who has something to report once `busy` ran: four members and one contact.
READERS = [
    "admin@halton.example",
    "coordinator@halton.example",
    "intake@youth.example",
    "leader@halton.example",
    "partner@halton.example",
]


@pytest.fixture
def busy(world: World) -> World:
    happenings(world, world.table, "Youth")
    contact(world, world.youth_org, "intake@youth.example")
    return world


def _rows(world: World) -> dict[str, DigestDelivery]:
    with scope(tenant=world.halton):
        return {d.email: d for d in DigestDelivery.objects.all()}


def _plan(world: World, now: datetime) -> list[int]:
    [(_, ids)] = digest_work(now=now, tenants=[world.halton], force=True)
    return ids


def _send(world: World, ids: list[int], now: datetime) -> BatchResult:
    with scope(tenant=world.halton):
        return digest_batch_send(tenant=world.halton, delivery_ids=ids, now=now)


@pytest.mark.django_db
def test_the_same_period_twice_sends_once(busy: World, sink) -> None:
    first = send_round(busy)
    second = send_round(busy)
    assert first.sent == len(READERS)
    assert second.sent == 0
    assert sink.addresses() == READERS
    with scope(tenant=busy.halton):
        assert DigestRun.objects.count() == 1


@pytest.mark.django_db
def test_send_digests_twice_sends_once(busy: World, sink, capsys) -> None:
    call_command("send_digests", "--tenant", "halton", "--now")
    assert "5 sent" in capsys.readouterr().out
    call_command("send_digests", "--tenant", "halton", "--now")
    assert "No digests to send" in capsys.readouterr().out
    assert sink.addresses() == READERS


@pytest.mark.django_db
def test_a_redelivered_batch_sends_nothing_again(busy: World, sink) -> None:
    now = timezone.now()
    ids = _plan(busy, now)
    assert _send(busy, ids, now).sent == len(READERS)
    again = _send(busy, ids, now)  # the broker hands the same task out a second time
    assert again.sent == 0
    assert again.skipped == len(ids)
    assert sink.addresses() == READERS


@pytest.mark.django_db(transaction=True)
def test_concurrent_tasks_for_the_same_batch_send_each_digest_once(busy: World, sink) -> None:
    sink.delay = 0.05  # both tasks are mid-batch at the same time
    now = timezone.now()
    ids = _plan(busy, now)
    results: list[BatchResult] = []
    errors: list[BaseException] = []

    def task() -> None:
        try:
            results.append(_send(busy, ids, now))
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=task) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sum(r.sent for r in results) == len(READERS)
    assert sink.addresses() == READERS
    assert {d.status for d in _rows(busy).values() if d.email in READERS} == {DeliveryStatus.SENT}


@pytest.mark.django_db
def test_a_task_lost_mid_batch_is_finished_by_the_next_without_repeats(
    busy: World, sink, monkeypatch
) -> None:
    """The worker dies while handing the third message to the mail server: two are sent,
    the third is claimed and unsent, the rest wait. A later task sends the rest at once and
    the third once its claim has outlived the lease."""
    now = timezone.now()
    ids = _plan(busy, now)
    real = digest_message
    calls = Counter()

    class WorkerLost(BaseException):
        pass

    def dying(**kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise WorkerLost
        return real(**kwargs)

    monkeypatch.setattr(engagement.services.digests, "digest_message", dying)
    with pytest.raises(WorkerLost):
        _send(busy, ids, now)
    monkeypatch.setattr(engagement.services.digests, "digest_message", real)
    assert len(sink.messages) == 2
    statuses = Counter(d.status for d in _rows(busy).values())
    assert statuses[DeliveryStatus.SENDING] == 1

    retried = _send(busy, ids, now + timedelta(seconds=1))  # the claim is still fresh
    assert retried.sent == len(READERS) - 3
    assert len(sink.messages) == len(READERS) - 1
    later = now + timedelta(seconds=busy_lease() + 5)
    assert _send(busy, ids, later).sent == 1  # the dead worker's claim has lapsed
    assert sink.addresses() == READERS


def busy_lease() -> float:
    from django.conf import settings

    return settings.DIGEST_CLAIM_LEASE_SECONDS


@pytest.mark.django_db
def test_a_refused_message_is_retried_with_backoff_and_sent_once(
    busy: World, sink, settings
) -> None:
    settings.DIGEST_RETRY_BASE_SECONDS = 10
    sink.answers["partner@halton.example"] = ["451 4.3.0 Busy", "421 4.7.0 Later"]
    now = timezone.now()
    ids = _plan(busy, now)
    first = _send(busy, ids, now)
    assert first.sent == len(READERS) - 1  # the others are not held up
    row = _rows(busy)["partner@halton.example"]
    assert row.status == DeliveryStatus.PENDING
    assert first.retry_ids == [row.pk]
    wait_1 = (row.retry_at - now).total_seconds()
    assert 9 < wait_1 <= 11
    assert "451" in row.last_error

    assert _send(busy, first.retry_ids, now).sent == 0  # not before its retry time
    second_at = row.retry_at + timedelta(seconds=1)
    second = _send(busy, first.retry_ids, second_at)
    assert second.retry_ids == [row.pk]
    row = _rows(busy)["partner@halton.example"]
    wait_2 = (row.retry_at - second_at).total_seconds()
    assert 19 < wait_2 <= 21  # doubled
    third = _send(busy, first.retry_ids, row.retry_at + timedelta(seconds=1))
    assert third.sent == 1
    row = _rows(busy)["partner@halton.example"]
    assert (row.status, row.attempts, row.last_error) == (DeliveryStatus.SENT, 3, "")
    assert sink.addresses() == READERS


@pytest.mark.django_db
def test_after_the_last_attempt_the_delivery_is_failed(busy: World, sink, settings) -> None:
    settings.DIGEST_MAX_ATTEMPTS = 3
    sink.always["partner@halton.example"] = "451 4.3.0 Mailbox busy"
    now = timezone.now()
    ids = _plan(busy, now)
    for attempt in range(3):
        result = _send(busy, ids, now + timedelta(days=attempt))
    assert result.failed == 1
    row = _rows(busy)["partner@halton.example"]
    assert (row.status, row.attempts) == (DeliveryStatus.FAILED, 3)
    assert "Mailbox busy" in row.last_error
    assert _send(busy, ids, now + timedelta(days=9)).sent == 0  # failed is final
    assert "partner@halton.example" not in sink.addresses()


@pytest.mark.django_db
def test_a_permanent_refusal_fails_at_once(busy: World, sink) -> None:
    sink.always["partner@halton.example"] = "550 5.1.1 No such mailbox"
    now = timezone.now()
    result = _send(busy, _plan(busy, now), now)
    assert result.failed == 1
    row = _rows(busy)["partner@halton.example"]
    assert (row.status, row.attempts) == (DeliveryStatus.FAILED, 1)


@pytest.mark.django_db
def test_a_mail_server_that_is_down_leaves_everyone_waiting(busy: World, settings) -> None:
    import socket

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    now = timezone.now()
    result = _send(busy, _plan(busy, now), now)
    assert result.sent == 0
    assert len(result.retry_ids) == len(READERS)
    waiting = [d for d in _rows(busy).values() if d.email in READERS]
    assert {d.status for d in waiting} == {DeliveryStatus.PENDING}
    assert all(d.retry_at and "Connection refused" in d.last_error for d in waiting)


@pytest.mark.django_db
def test_unsubscribing_after_planning_stops_the_email(busy: World, sink) -> None:
    now = timezone.now()
    ids = _plan(busy, now)
    with scope(tenant=busy.halton):
        me = recipient_for_key(tenant=busy.halton, key=user_key(busy.partner.pk))
        digest_preference_set(
            tenant=busy.halton, recipient=me, frequency=Frequency.OFF, actor=None, via="test"
        )
    _send(busy, ids, now)
    assert "partner@halton.example" not in sink.addresses()
    assert _rows(busy)["partner@halton.example"].status == DeliveryStatus.UNSUBSCRIBED


@pytest.mark.django_db
def test_a_member_removed_after_planning_gets_nothing(busy: World, sink) -> None:
    now = timezone.now()
    ids = _plan(busy, now)
    with scope(tenant=busy.halton):
        from cswb.models import TenantMembership

        membership = TenantMembership.objects.get(user=busy.partner)
        membership_deactivate(membership=membership, actor=busy.admin)
    _send(busy, ids, now)
    assert "partner@halton.example" not in sink.addresses()
    row = _rows(busy)["partner@halton.example"]
    assert row.status == DeliveryStatus.EMPTY
    assert "No longer" in row.last_error


@pytest.mark.django_db
def test_off_and_monthly_recipients(busy: World, sink) -> None:
    with scope(tenant=busy.halton):
        for user, frequency in [(busy.partner, Frequency.OFF), (busy.leader, Frequency.MONTHLY)]:
            me = recipient_for_key(tenant=busy.halton, key=user_key(user.pk))
            digest_preference_set(
                tenant=busy.halton, recipient=me, frequency=frequency, actor=user, via="test"
            )
    send_round(busy)
    assert "partner@halton.example" not in sink.addresses()
    assert "leader@halton.example" in sink.addresses()
    rows = _rows(busy)
    assert rows["partner@halton.example"].status == DeliveryStatus.UNSUBSCRIBED
    week, month = period_keys(tenant=busy.halton, when=timezone.now())
    assert rows["leader@halton.example"].period == month
    assert rows["admin@halton.example"].period == week


@pytest.mark.django_db
def test_monthly_recipients_are_planned_once_a_month(busy: World) -> None:
    with scope(tenant=busy.halton):
        me = recipient_for_key(tenant=busy.halton, key=user_key(busy.leader.pk))
        digest_preference_set(
            tenant=busy.halton, recipient=me, frequency=Frequency.MONTHLY, actor=None, via="test"
        )
        tz = busy.halton.tzinfo
        for day in (7, 14, 21, 28):  # the Mondays of December 2026
            digest_run_plan(
                tenant=busy.halton, now=datetime(2026, 12, day, 9, tzinfo=tz), trigger="schedule"
            )
        digest_run_plan(
            tenant=busy.halton, now=datetime(2027, 1, 4, 9, tzinfo=tz), trigger="schedule"
        )
        periods = lambda email: sorted(  # noqa: E731
            DigestDelivery.objects.filter(email=email).values_list("period", flat=True)
        )
        assert periods("leader@halton.example") == ["2026-12", "2027-01"]
        assert periods("admin@halton.example") == [
            "2026-W50", "2026-W51", "2026-W52", "2026-W53", "2027-W01"
        ]  # fmt: skip


@pytest.mark.django_db
def test_the_email_carries_one_click_unsubscribe_headers(busy: World, sink) -> None:
    send_round(busy)
    [message] = sink.to("partner@halton.example")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = str(message["List-Unsubscribe"]).strip()
    assert link.startswith("<http://testserver/digests/unsubscribe/") and link.endswith("/>")
    assert message["Message-ID"].startswith("<digest-")
    text = message.get_body(("plain",)).get_content()
    assert f"Weekly, monthly or off (no sign-in needed): {link.strip('<>')}" in text
    assert "Your digest settings in the portal: http://testserver/halton/engagement/digest/" in text
    assert message.get_body(("html",)) is not None
    assert message.get_body(("plain",)) is not None
    assert str(message["Subject"]).startswith("Halton Region progress: ")


# -- the schedule ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_due_after_the_plan_hour_in_its_time_zone_and_once_a_week(busy: World, sink) -> None:
    toronto = ZoneInfo("America/Toronto")
    with scope(tenant=busy.halton):
        DigestSchedule.objects.create(tenant=busy.halton, weekday=1, hour=7)  # Tuesday 7:00
        assert not digest_due(tenant=busy.halton, now=datetime(2026, 12, 8, 6, 59, tzinfo=toronto))
        tuesday = datetime(2026, 12, 8, 7, 2, tzinfo=toronto)  # 12:02 UTC
        assert digest_due(tenant=busy.halton, now=tuesday)
    work = digest_work(now=tuesday, tenants=[busy.halton], force=False)
    assert work and len(work[0][1]) == 6  # five members with tables and one contact
    _send(busy, work[0][1], tuesday)
    # The next tick, a second beat, or a tick on Friday: the week's run exists.
    for later in (tuesday + timedelta(minutes=1), tuesday + timedelta(days=3)):
        assert digest_work(now=later, tenants=[busy.halton], force=False) == []


@pytest.mark.django_db
def test_a_missed_tick_is_caught_up_and_paused_plans_wait(busy: World) -> None:
    toronto = ZoneInfo("America/Toronto")
    with scope(tenant=busy.halton):
        schedule = DigestSchedule.objects.create(tenant=busy.halton, weekday=0, hour=8)
        wednesday = datetime(2026, 12, 9, 15, tzinfo=toronto)
        assert digest_due(tenant=busy.halton, now=wednesday)  # Monday's was missed
        schedule.is_enabled = False
        schedule.save()
        assert not digest_due(tenant=busy.halton, now=wednesday)


@pytest.mark.django_db
def test_the_hourly_tick_resumes_rows_left_by_a_lost_worker(busy: World, sink) -> None:
    now = timezone.now()
    ids = _plan(busy, now)
    with scope(tenant=busy.halton):
        DigestDelivery.objects.filter(pk__in=ids[:2]).update(
            status=DeliveryStatus.SENDING, claim="lost", claimed_at=now
        )
    later = now + timedelta(hours=1)
    [(_, resumed)] = digest_work(now=later, tenants=[busy.halton], force=False)
    assert sorted(resumed) == sorted(ids)
    _send(busy, resumed, later)
    assert len(sink.messages) == len(READERS)
    assert sink.addresses() == READERS


@pytest.mark.django_db
def test_send_digests_can_hand_the_batches_to_the_workers(busy: World, sink, capsys) -> None:
    call_command("send_digests", "--tenant", "halton", "--now", "--queue")
    assert "Queued 1 batches" in capsys.readouterr().out  # run here by the eager test worker
    assert sink.addresses() == READERS


@pytest.mark.django_db
def test_send_digests_names_an_unknown_plan(world: World) -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No active plan with the slug 'nowhere'"):
        call_command("send_digests", "--tenant", "nowhere", "--now")


@pytest.mark.django_db
def test_send_digests_without_now_follows_the_schedule(busy: World, sink, capsys) -> None:
    with scope(tenant=busy.halton):
        schedule = DigestSchedule.objects.create(tenant=busy.halton, is_enabled=False)
    call_command("send_digests", "--tenant", "halton")
    assert "No digests to send" in capsys.readouterr().out
    assert sink.messages == []
    with scope(tenant=busy.halton):  # Mondays at 0:00: this week's hour has come
        schedule.is_enabled, schedule.weekday, schedule.hour = True, 0, 0
        schedule.save()
    call_command("send_digests", "--tenant", "halton")
    assert sink.addresses() == READERS
