from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope
from icalendar import Calendar

from cswb.models import ActivityEvent
from tables.models import Action, Attendance, Meeting, MeetingStatus
from tables.services.meetings import (
    agenda_item_add,
    calendar_token_for,
    decision_add,
    meeting_cancel,
    meeting_record,
    meeting_schedule,
    meeting_update,
)
from tables.tasks import send_meeting_reminders

from ..conftest import World


def _meeting(world: World, table=None, hours: float = 24 * 7, **kwargs) -> Meeting:
    start = timezone.now() + timedelta(hours=hours)
    with scope(tenant=world.halton):
        return meeting_schedule(
            table=table or world.table,
            actor=world.admin,
            title=kwargs.pop("title", "Regular meeting"),
            starts_at=start,
            ends_at=start + timedelta(hours=2),
            **kwargs,
        )


def _events(content: bytes) -> dict[str, object]:
    calendar = Calendar.from_ical(content)
    return {str(e["uid"]): e for e in calendar.walk("VEVENT")}


class TestScheduling:
    def test_the_coordinator_schedules_in_the_tenants_time_zone(self, world: World, client_for):
        url = reverse("tables:meetings", args=["halton", world.table.slug])
        response = client_for("coordinator").post(
            url,
            {
                "title": "Spring planning",
                "starts_at": "2031-04-15T09:30",
                "ends_at": "2031-04-15T11:00",
                "place": "Regional HQ, room 204",
            },
        )
        assert response.status_code == 302
        with scope(tenant=world.halton):
            meeting = Meeting.objects.get(title="Spring planning")
        assert meeting.starts_at.isoformat() == "2031-04-15T13:30:00+00:00"  # 09:30 EDT

    def test_ending_before_starting_is_refused(self, world: World, client_for) -> None:
        url = reverse("tables:meetings", args=["halton", world.table.slug])
        response = client_for("coordinator").post(
            url,
            {
                "title": "Backwards",
                "starts_at": "2031-04-15T11:00",
                "ends_at": "2031-04-15T09:00",
            },
        )
        assert response.status_code == 400
        assert "must end after it starts" in response.content.decode()
        with scope(tenant=world.halton):
            assert not Meeting.objects.filter(title="Backwards").exists()


class TestFeeds:
    def test_the_table_feed_parses_with_stable_uids_updates_and_cancellations(
        self, world: World, client_for
    ) -> None:
        meeting = _meeting(world, place="Room 204")
        client = client_for("member")
        url = reverse("tables:feed", args=["halton", world.table.slug])
        first = _events(client.get(url).content)[meeting.uid]
        assert str(first["summary"]) == "Youth mental health: Regular meeting"
        assert first["sequence"] == 0 and str(first["status"]) == "CONFIRMED"
        assert first.decoded("dtstart") == meeting.starts_at.replace(microsecond=0)

        with scope(tenant=world.halton):
            meeting_update(meeting=meeting, actor=world.admin, place="Room 310")
        moved = _events(client.get(url).content)[meeting.uid]
        assert moved["sequence"] == 1 and str(moved["location"]) == "Room 310"

        with scope(tenant=world.halton):
            meeting_cancel(meeting=meeting, actor=world.admin)
        cancelled = _events(client.get(url).content)[meeting.uid]
        assert str(cancelled["status"]) == "CANCELLED" and cancelled["sequence"] == 2

    def test_a_calendar_app_subscribes_with_the_calendar_token(self, world: World) -> None:
        meeting = _meeting(world)
        token = calendar_token_for(user=world.member).token
        url = reverse("tables:feed", args=["halton", world.table.slug])
        app = Client()  # no session: a calendar app
        response = app.get(url, {"token": token})
        assert response.status_code == 200
        assert response["Content-Type"] == "text/calendar; charset=utf-8"
        assert meeting.uid in _events(response.content)
        assert app.get(url, {"token": "wrong"}).status_code == 302  # sent to sign in
        ipv = reverse("tables:feed", args=["halton", world.ipv.slug])
        assert app.get(ipv, {"token": token}).status_code == 404  # not the member's table
        # The token opens feeds only, never pages.
        assert (
            app.get(
                reverse("tables:detail", args=["halton", world.table.slug]), {"token": token}
            ).status_code
            == 302
        )

    def test_the_subscribe_link_works_in_a_calendar_app(self, world: World, client_for) -> None:
        meeting = _meeting(world)
        page = client_for("member").get(
            reverse("tables:meetings", args=["halton", world.table.slug])
        )
        link = re.search(r'href="([^"]+meetings\.ics\?token=[^"]+)"', page.content.decode()).group(
            1
        )
        response = Client().get(link.replace("&amp;", "&"))
        assert response.status_code == 200 and meeting.uid in _events(response.content)

    def test_the_personal_feed_has_my_tables_only_and_can_be_reset(self, world, client_for):
        mine = _meeting(world, table=world.ipv)
        other = _meeting(world, table=world.food)
        token = calendar_token_for(user=world.partner).token
        url = reverse("calendar-feed", args=[token])
        events = _events(Client().get(url).content)
        assert mine.uid in events and other.uid not in events
        client_for("partner").post(reverse("calendar-settings"))
        assert Client().get(url).status_code == 404  # the old address is dead

    def test_feed_query_budget_holds_as_meetings_grow(
        self, world: World, client_for, django_assert_max_num_queries
    ) -> None:
        client = client_for("member")
        url = reverse("tables:feed", args=["halton", world.table.slug])
        client.get(url)
        for n in range(2):
            for hours in range(10):
                _meeting(world, hours=24 + hours + n * 100)
            with django_assert_max_num_queries(12):
                assert client.get(url).status_code == 200


class TestRecording:
    def test_record_attendance_and_minutes(self, world: World, client_for) -> None:
        meeting = _meeting(world, hours=-3)
        with scope(tenant=world.halton):
            item = agenda_item_add(meeting=meeting, actor=world.admin, title="Updates")
        url = reverse("tables:meeting-record", args=["halton", world.table.slug, meeting.pk])
        coordinator = client_for("coordinator")
        page = coordinator.get(url)
        assert page.status_code == 200
        response = coordinator.post(
            url,
            {
                f"attendance_{world.coordinator.pk}": "present",
                f"org_{world.youth_org.pk}": "present",
                f"org_{world.police_org.pk}": "absent",
                f"minutes_{item.pk}": "Partners shared their quarterly figures.",
            },
        )
        assert response.status_code == 302
        meeting.refresh_from_db()
        item.refresh_from_db()
        assert meeting.status == MeetingStatus.HELD
        assert item.minutes == "Partners shared their quarterly figures."
        with scope(tenant=world.halton):
            assert (
                Attendance.objects.get(meeting=meeting, user=world.coordinator).status == "present"
            )

    def test_recording_again_starts_from_what_was_recorded(self, world: World, client_for) -> None:
        """A second visit to the record page shows the answers saved before, so saving it again
        does not quietly turn regrets and absences into "present"."""
        meeting = _meeting(world, hours=-3)
        url = reverse("tables:meeting-record", args=["halton", world.table.slug, meeting.pk])
        coordinator = client_for("coordinator")
        coordinator.post(
            url,
            {
                f"attendance_{world.coordinator.pk}": "regrets",
                f"org_{world.youth_org.pk}": "regrets",
                f"org_{world.police_org.pk}": "absent",
            },
        )
        form = coordinator.get(url).context["form"]
        assert form[f"attendance_{world.coordinator.pk}"].initial == "regrets"
        assert form[f"org_{world.youth_org.pk}"].initial == "regrets"
        assert form[f"org_{world.police_org.pk}"].initial == "absent"

    def test_minutes_with_personal_details_are_held_back(self, world: World, client_for) -> None:
        meeting = _meeting(world, hours=-3)
        with scope(tenant=world.halton):
            item = agenda_item_add(meeting=meeting, actor=world.admin, title="Cases")
        url = reverse("tables:meeting-record", args=["halton", world.table.slug, meeting.pk])
        response = client_for("coordinator").post(
            url,
            {
                f"attendance_{world.coordinator.pk}": "present",
                f"minutes_{item.pk}": "Discussed J., DOB 2004-05-06, at length.",
            },
        )
        assert response.status_code == 400
        assert "a date of birth" in response.content.decode()
        meeting.refresh_from_db()
        assert meeting.status == MeetingStatus.SCHEDULED

    def test_a_future_meeting_cannot_be_recorded(self, world: World) -> None:
        meeting = _meeting(world)
        with (
            scope(tenant=world.halton),
            pytest.raises(ValidationError, match="once it has started"),
        ):
            meeting_record(meeting=meeting, actor=world.admin, attendance={}, minutes={})

    def test_a_decision_becomes_an_action_in_one_step(self, world: World, client_for) -> None:
        meeting = _meeting(world, hours=-3)
        with scope(tenant=world.halton):
            decision = decision_add(
                meeting=meeting, actor=world.admin, text="Pilot a joint outreach shift in May."
            )
        url = reverse(
            "tables:decision-action", args=["halton", world.table.slug, meeting.pk, decision.pk]
        )
        coordinator = client_for("coordinator")
        asked = coordinator.get(url).content.decode()
        assert 'name="owner_organization"' in asked and 'name="owner"' in asked
        assert 'name="due_date"' in asked
        due = timezone.localdate() + timedelta(days=30)
        response = coordinator.post(
            url,
            {
                "owner_organization": world.police_org.pk,
                "owner": "",
                "due_date": due.isoformat(),
                "priority": "high",
            },
        )
        assert response.status_code == 302
        with scope(tenant=world.halton):
            action = Action.objects.get(title="Pilot a joint outreach shift in May.")
            decision.refresh_from_db()
        assert decision.action == action and action.owner_organization == world.police_org
        assert (action.due_date, action.priority, action.owner) == (due, "high", None)
        assert action.description == ""  # the decision's words are the title, once
        assert response["Location"].endswith(f"/actions/{action.pk}/")
        page = client_for("member").get(response["Location"]).content.decode()
        assert "From a decision at" in page and f"/meetings/{meeting.pk}/" in page
        coordinator.post(url, {"priority": "normal"})  # a second time changes nothing
        with scope(tenant=world.halton):
            assert Action.objects.filter(title__startswith="Pilot a joint").count() == 1

    def test_members_rsvp(self, world: World, client_for) -> None:
        meeting = _meeting(world)
        url = reverse("tables:meeting-rsvp", args=["halton", world.table.slug, meeting.pk])
        client_for("coordinator").post(url, {"rsvp": "regrets"})
        client_for("member").post(url, {"rsvp": "attending"})  # no seat: refused
        with scope(tenant=world.halton):
            answers = dict(
                Attendance.objects.filter(meeting=meeting).values_list("user__email", "rsvp")
            )
        assert answers == {"coordinator@halton.example": "regrets"}

    def test_agenda_items_and_answers_are_in_the_activity_log(
        self, world: World, client_for
    ) -> None:
        meeting = _meeting(world, title="Spring meeting")
        args = ["halton", world.table.slug, meeting.pk]
        client_for("coordinator").post(
            reverse("tables:meeting-agenda", args=args), {"title": "Outreach pilot"}
        )
        client_for("coordinator").post(
            reverse("tables:meeting-rsvp", args=args), {"rsvp": "regrets"}
        )
        with scope(tenant=world.halton):
            events = {
                e.verb: (e.actor, e.table_id, e.summary)
                for e in ActivityEvent.objects.filter(verb__startswith="meeting.")
            }
        assert events["meeting.agenda_item_added"] == (
            world.coordinator,
            world.table.pk,
            "Agenda of Spring meeting: Outreach pilot",
        )
        # Times are written as on the pages: "… at 3:00 p.m.", never "3:00 PM".
        assert re.search(r" at \d{1,2}:\d\d [ap]\.m\.$", events["meeting.scheduled"][2])
        actor, table_id, summary = events["meeting.rsvp"]
        assert actor == world.coordinator and table_id == world.table.pk
        assert summary.endswith("answered “Sending regrets” for Spring meeting")


class TestReminders:
    def test_members_are_reminded_a_day_before_exactly_once(self, world: World) -> None:
        soon = _meeting(world, hours=20, title="Tomorrow's meeting")
        _meeting(world, hours=24 * 3, title="Later meeting")
        assert send_meeting_reminders() == 1
        # The seat holder and the staff of the organizations at the table, as every notice.
        assert [m.to for m in mail.outbox] == [
            ["coordinator@halton.example"],
            ["partner@halton.example"],
        ]
        message = mail.outbox[0]
        assert "Youth mental health meets" in message.subject
        assert f"/halton/tables/youth-mental-health/meetings/{soon.pk}/" in message.body
        assert message.alternatives  # an HTML part too
        assert send_meeting_reminders() == 0  # a second run (or a second beat) sends nothing
        assert len(mail.outbox) == 2

    def test_a_moved_meeting_is_reminded_again(self, world: World) -> None:
        meeting = _meeting(world, hours=20)
        send_meeting_reminders()
        with scope(tenant=world.halton):
            meeting_update(
                meeting=meeting,
                actor=world.admin,
                starts_at=meeting.starts_at + timedelta(hours=2),
                ends_at=meeting.ends_at + timedelta(hours=2),
            )
        assert send_meeting_reminders() == 1
        assert len(mail.outbox) == 4  # two people, reminded twice


class TestWords:
    def test_the_personal_information_confirmation_shows_only_when_the_warning_fires(
        self, world: World, client_for
    ) -> None:
        meeting = _meeting(world, hours=-3)
        client = client_for("coordinator")
        url = reverse("tables:meeting", args=["halton", world.table.slug, meeting.pk])
        assert 'name="not_personal"' not in client.get(url).content.decode()
        refused = client.post(
            reverse("tables:meeting-decision", args=["halton", world.table.slug, meeting.pk]),
            {"text": "Follow up with J., DOB 2004-05-06."},
        )
        assert refused.status_code == 400
        page = refused.content.decode()
        assert "a date of birth" in page
        assert 'name="not_personal"' in page
        with scope(tenant=world.halton):
            assert not meeting.decisions.exists()

    def test_cancelling_asks_with_keep_the_meeting_not_a_second_cancel(
        self, world: World, client_for
    ) -> None:
        meeting = _meeting(world)
        url = reverse("tables:meeting-cancel", args=["halton", world.table.slug, meeting.pk])
        page = client_for("coordinator").get(url).content.decode()
        assert "Cancel the meeting</button>" in page
        assert ">Keep the meeting</a>" in page
        assert ">Cancel</a>" not in page
