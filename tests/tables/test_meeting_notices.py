"""Meeting notices: scheduling, moving or cancelling a meeting emails the table's members (seat
holders and the staff of its organizations) with an iCalendar invitation or cancellation that
has the feed's UID and a rising SEQUENCE; the reminder goes the same way. The digest frequency
does not silence them; a person's own "meeting notices" setting does."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django_scopes import scope
from icalendar import Calendar

from cswb.models import TenantMembership
from tables.calendar import meetings_ics
from tables.models import Meeting, SeatRole
from tables.services.meetings import meeting_cancel, meeting_update
from tables.services.seats import table_seat_add
from tables.tasks import send_meeting_reminders

from ..builders import meeting_build
from ..conftest import World


def _invitation(message) -> Calendar:
    """The .ics attached to an email (a Django message or one parsed from SMTP)."""
    if hasattr(message, "iter_attachments"):
        parts = [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
        assert len(parts) == 1
        assert parts[0].get_param("method") == Calendar.from_ical(parts[0].get_content())["method"]
        return Calendar.from_ical(parts[0].get_content())
    parts = [a for a in message.attachments if a.get_content_type() == "text/calendar"]
    assert len(parts) == 1
    return Calendar.from_ical(parts[0].get_payload(decode=True))


def _event(calendar: Calendar):
    (event,) = calendar.walk("VEVENT")
    return event


def _notices_off(world: World, user) -> None:
    with scope(tenant=world.halton):
        TenantMembership.objects.filter(user=user).update(meeting_notices=False)


@pytest.fixture
def seated_member(world: World) -> World:
    """The plain member takes a seat at the youth table, so it has three people to tell: the
    coordinator and the member (seats) and the partner (staff of an organization at it)."""
    with scope(tenant=world.halton):
        table_seat_add(table=world.table, user=world.member, role=SeatRole.MEMBER, actor=None)
    return world


class TestNotices:
    def test_scheduling_tells_seat_holders_and_organization_staff_with_an_invitation(
        self, seated_member: World, django_capture_on_commit_callbacks
    ) -> None:
        world = seated_member
        with django_capture_on_commit_callbacks(execute=True):
            meeting = meeting_build(world.table, actor=world.admin, title="Spring planning")
        assert sorted(m.to[0] for m in mail.outbox) == [
            "coordinator@halton.example",
            "member@halton.example",
            "partner@halton.example",
        ]
        message = mail.outbox[0]
        assert message.subject.startswith("New meeting: Youth mental health meets")
        assert "Spring planning" in message.body
        assert "Meeting notices" in message.body  # how to stop them
        assert message.alternatives
        calendar = _invitation(message)
        event = _event(calendar)
        assert calendar["method"] == "REQUEST"
        assert str(event["uid"]) == meeting.uid
        assert event["sequence"] == 0
        assert str(event["attendee"]) == f"mailto:{message.to[0]}"

    def test_moving_and_cancelling_raise_the_sequence_of_the_same_uid(
        self, world: World, django_capture_on_commit_callbacks
    ) -> None:
        meeting = meeting_build(world.table, actor=world.admin)
        with scope(tenant=world.halton), django_capture_on_commit_callbacks(execute=True):
            meeting_update(
                meeting=meeting,
                actor=world.admin,
                starts_at=meeting.starts_at + timedelta(hours=1),
                ends_at=meeting.ends_at + timedelta(hours=1),
            )
        with scope(tenant=world.halton), django_capture_on_commit_callbacks(execute=True):
            meeting_cancel(meeting=meeting, actor=world.admin)
        kinds = [(m.subject.split(":")[0], _invitation(m)) for m in mail.outbox]
        seen = [
            (k, str(c["method"]), _event(c)["sequence"], str(_event(c)["uid"])) for k, c in kinds
        ]
        assert {row[3] for row in seen} == {meeting.uid}
        assert sorted({row[:3] for row in seen}) == [
            ("Cancelled", "CANCEL", 2),
            ("Changed", "REQUEST", 1),
        ]
        cancelled = _event(next(c for k, c in kinds if k == "Cancelled"))
        assert str(cancelled["status"]) == "CANCELLED"
        # The feed says the same: one UID, the same SEQUENCE.
        with scope(tenant=world.halton):
            feed = Calendar.from_ical(
                meetings_ics(Meeting.objects.filter(pk=meeting.pk), name=world.table.name)
            )
        assert (str(_event(feed)["uid"]), _event(feed)["sequence"]) == (meeting.uid, 2)

    def test_a_notice_overtaken_by_a_newer_change_is_not_sent(self, world: World) -> None:
        from tables.services.meetings import meeting_notice_send

        meeting = meeting_build(world.table, actor=world.admin)
        with scope(tenant=world.halton):
            meeting_update(meeting=meeting, actor=world.admin, title="Moved")
            assert meeting_notice_send(meeting_id=meeting.pk, kind="changed", sequence=0) == 0
            assert meeting_notice_send(meeting_id=meeting.pk, kind="changed", sequence=1) == 2
        assert len(mail.outbox) == 2

    def test_digests_off_does_not_silence_notices_but_notices_off_does(
        self, seated_member: World, client_for, django_capture_on_commit_callbacks
    ) -> None:
        world = seated_member
        partner = client_for("partner")
        partner.post(reverse("digest-settings", args=["halton"]), {"frequency": "off"})
        member = client_for("member")
        page = member.get(reverse("digest-settings", args=["halton"])).content.decode()
        assert "Meeting notices" in page and 'name="meeting_notices"' in page
        response = member.post(
            reverse("meeting-notices", args=["halton"]), {"meeting_notices": "off"}
        )
        assert response.status_code == 302
        with scope(tenant=world.halton):
            assert not TenantMembership.objects.get(user=world.member).meeting_notices
        with django_capture_on_commit_callbacks(execute=True):
            meeting_build(world.table, actor=world.admin)
        assert sorted(m.to[0] for m in mail.outbox) == [
            "coordinator@halton.example",
            "partner@halton.example",
        ]

    def test_an_unknown_choice_is_refused(self, world: World, client_for) -> None:
        response = client_for("member").post(
            reverse("meeting-notices", args=["halton"]), {"meeting_notices": "sometimes"}
        )
        assert response.status_code == 400
        with scope(tenant=world.halton):
            assert TenantMembership.objects.get(user=world.member).meeting_notices

    def test_the_reminder_goes_the_same_way(self, seated_member: World) -> None:
        world = seated_member
        _notices_off(world, world.member)
        meeting = meeting_build(world.table, actor=world.admin, hours=20)
        assert send_meeting_reminders() == 1
        assert sorted(m.to[0] for m in mail.outbox) == [
            "coordinator@halton.example",
            "partner@halton.example",
        ]
        assert mail.outbox[0].subject.startswith("Reminder: Youth mental health meets")
        assert str(_event(_invitation(mail.outbox[0]))["uid"]) == meeting.uid

    def test_planted_markup_in_a_meeting_is_escaped_in_the_html_part(
        self, world: World, django_capture_on_commit_callbacks
    ) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            meeting_build(world.table, actor=world.admin, title='<b hx-get="/x">Planted</b>')
        html = mail.outbox[0].alternatives[0][0]
        assert '<b hx-get="/x">' not in html
        assert "&lt;b hx-get=&quot;/x&quot;&gt;Planted&lt;/b&gt;" in html


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_sends_the_notices_over_smtp(
    seated_member: World, smtp_sink, celery_workers
) -> None:
    """Scheduled, moved and cancelled through the services; the tasks queued after commit run
    on a real Celery worker, which hands the mail to a real SMTP server."""
    world = seated_member
    celery_workers(
        {
            "TEST_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": smtp_sink.host,
            "EMAIL_PORT": str(smtp_sink.port),
        }
    )
    meeting = meeting_build(world.table, actor=world.admin, title="Spring planning")
    _wait_for(smtp_sink, 3)
    with scope(tenant=world.halton):
        meeting_cancel(meeting=meeting, actor=world.admin)
    _wait_for(smtp_sink, 6)
    found = sorted(
        (
            str(message["To"]),
            str(_invitation(message)["method"]),
            _event(_invitation(message))["sequence"],
            str(_event(_invitation(message))["uid"]),
        )
        for _, message in smtp_sink.messages
    )
    people = ["coordinator", "member", "partner"]
    assert found == sorted(
        [(f"{p}@halton.example", "REQUEST", 0, meeting.uid) for p in people]
        + [(f"{p}@halton.example", "CANCEL", 1, meeting.uid) for p in people]
    )


def _wait_for(sink, count: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while len(sink.messages) < count and time.monotonic() < deadline:
        time.sleep(0.2)
    assert len(sink.messages) == count, [str(m["To"]) for _, m in sink.messages]
