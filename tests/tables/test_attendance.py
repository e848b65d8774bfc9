"""Attendance by organization: every participating organization (and who represented it),
every seat holder, guests without an account; the rate per organization; a meeting that has
not started is refused before the form is filled."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django_scopes import scope

from cswb.models import ActivityEvent
from partners.services.organizations import organization_staff_add
from tables.models import Guest, MeetingStatus, OrganizationAttendance
from tables.selectors.meetings import organization_attendance_rates
from tables.services.meetings import guest_add, meeting_record
from tables.services.seats import table_organization_add

from ..builders import meeting_build, organization_build
from ..conftest import World
from ..factories import MembershipFactory


def _record_url(world: World, meeting) -> str:
    return reverse("tables:meeting-record", args=["halton", world.table.slug, meeting.pk])


def _form(world: World, **overrides: str) -> dict[str, str]:
    data = {
        f"attendance_{world.coordinator.pk}": "present",
        f"org_{world.youth_org.pk}": "present",
        f"rep_{world.youth_org.pk}": str(world.partner.pk),
        f"org_{world.police_org.pk}": "regrets",
        f"rep_{world.police_org.pk}": "",
        "guest_name_1": "Dana Whitefeather",
        "guest_organization_1": "Halton Elders Circle",
    }
    data.update(overrides)
    return data


class TestRecordingByOrganization:
    def test_the_form_lists_every_organization_seat_and_guest_rows(
        self, world: World, client_for
    ) -> None:
        meeting = meeting_build(world.table, actor=world.admin, hours=-2)
        page = client_for("coordinator").get(_record_url(world, meeting)).content.decode()
        for name in ("Halton Youth Services", "Halton Police", world.coordinator.display_name):
            assert name in page
        assert 'name="guest_name_1"' in page
        # The youth organization's staff member is offered as its representative.
        assert f'<option value="{world.partner.pk}"' in page

    def test_recording_keeps_organizations_their_representatives_and_guests(
        self, world: World, client_for
    ) -> None:
        meeting = meeting_build(world.table, actor=world.admin, hours=-2)
        response = client_for("coordinator").post(_record_url(world, meeting), _form(world))
        assert response.status_code == 302
        with scope(tenant=world.halton):
            rows = {
                o.organization_id: (o.status, o.representative_id)
                for o in OrganizationAttendance.objects.filter(meeting=meeting)
            }
            guests = [(g.name, g.organization) for g in Guest.objects.filter(meeting=meeting)]
            summary = ActivityEvent.objects.filter(verb="meeting.held").get().summary
        assert rows == {
            world.youth_org.pk: ("present", world.partner.pk),
            world.police_org.pk: ("regrets", None),
        }
        assert guests == [("Dana Whitefeather", "Halton Elders Circle")]
        assert "1 of 2 organizations represented" in summary

        page = client_for("member").get(
            reverse("tables:meeting", args=["halton", world.table.slug, meeting.pk])
        )
        text = page.content.decode()
        assert "1 of 2 organizations represented." in text
        assert "Dana Whitefeather" in text and "Halton Elders Circle" in text

    def test_a_representative_from_another_organization_is_refused(
        self, world: World, client_for
    ) -> None:
        meeting = meeting_build(world.table, actor=world.admin, hours=-2)
        response = client_for("coordinator").post(
            _record_url(world, meeting),
            _form(world, **{f"rep_{world.police_org.pk}": str(world.partner.pk)}),
        )
        assert response.status_code == 400
        meeting.refresh_from_db()
        assert meeting.status == MeetingStatus.SCHEDULED
        with scope(tenant=world.halton):
            assert not OrganizationAttendance.objects.exists()
            assert not Guest.objects.exists()

    def test_a_representative_of_an_absent_organization_is_refused(
        self, world: World, client_for
    ) -> None:
        meeting = meeting_build(world.table, actor=world.admin, hours=-2)
        response = client_for("coordinator").post(
            _record_url(world, meeting), _form(world, **{f"org_{world.youth_org.pk}": "absent"})
        )
        assert response.status_code == 400
        assert "Only an organization that was present has a representative." in (
            response.content.decode()
        )

    def test_the_service_refuses_an_organization_not_at_the_table(self, world: World) -> None:
        stranger = organization_build(world.halton, actor=world.admin)
        meeting = meeting_build(world.table, actor=world.admin, hours=-2)
        with scope(tenant=world.halton), pytest.raises(ValidationError, match="organizations"):
            meeting_record(
                meeting=meeting,
                actor=world.admin,
                attendance={},
                minutes={},
                organizations={stranger.pk: ("present", None)},
            )

    def test_a_guest_without_a_name_is_refused(self, world: World, client_for) -> None:
        meeting = meeting_build(world.table, actor=world.admin, hours=-2)
        response = client_for("coordinator").post(
            _record_url(world, meeting), _form(world, guest_name_1="  ")
        )
        assert response.status_code == 400
        assert "Give the guest&#x27;s name." in response.content.decode()


class TestFutureMeetings:
    def test_a_future_meeting_is_refused_before_the_form(self, world: World, client_for) -> None:
        meeting = meeting_build(world.table, actor=world.admin, hours=48)
        response = client_for("coordinator").get(_record_url(world, meeting))
        text = response.content.decode()
        assert response.status_code == 200
        assert "This meeting cannot be recorded yet" in text
        assert "Attendance and minutes can be recorded from then on." in text
        assert "<form" not in text.split("<main", 1)[1]
        posted = client_for("coordinator").post(_record_url(world, meeting), _form(world))
        assert posted.status_code == 409
        meeting.refresh_from_db()
        assert meeting.status == MeetingStatus.SCHEDULED

    def test_a_cancelled_meeting_says_so(self, world: World, client_for) -> None:
        meeting = meeting_build(world.table, actor=world.admin, hours=-2)
        client_for("coordinator").post(
            reverse("tables:meeting-cancel", args=["halton", world.table.slug, meeting.pk])
        )
        text = client_for("coordinator").get(_record_url(world, meeting)).content.decode()
        assert "It was cancelled" in text


class TestGuests:
    def test_a_guest_is_added_and_removed_after_confirmation(
        self, world: World, client_for
    ) -> None:
        meeting = meeting_build(world.table, actor=world.admin, hours=-2)
        client = client_for("coordinator")
        add = reverse("tables:guest-add", args=["halton", world.table.slug, meeting.pk])
        response = client.post(add, {"name": "Sam Okafor", "organization": "Oakville Library"})
        assert response.status_code == 302
        with scope(tenant=world.halton):
            guest = Guest.objects.get()
        assert (guest.name, guest.organization) == ("Sam Okafor", "Oakville Library")
        remove = reverse(
            "tables:guest-remove", args=["halton", world.table.slug, meeting.pk, guest.pk]
        )
        page = client.get(remove).content.decode()
        assert "Remove Sam Okafor from the guests" in page
        assert client.post(remove).status_code == 302
        with scope(tenant=world.halton):
            assert not Guest.objects.exists()
            verbs = list(ActivityEvent.objects.values_list("verb", flat=True))
        assert "meeting.guest_added" in verbs and "meeting.guest_removed" in verbs

    def test_guests_are_not_taken_for_a_future_meeting(self, world: World) -> None:
        meeting = meeting_build(world.table, actor=world.admin, hours=24)
        with scope(tenant=world.halton), pytest.raises(ValidationError):
            guest_add(meeting=meeting, actor=world.admin, name="Sam Okafor")


class TestRates:
    def test_the_rate_is_per_organization(self, world: World, client_for) -> None:
        for youth, police in (("present", "present"), ("present", "absent"), ("regrets", "absent")):
            meeting = meeting_build(world.table, actor=world.admin, hours=-5)
            with scope(tenant=world.halton):
                meeting_record(
                    meeting=meeting,
                    actor=world.admin,
                    attendance={},
                    minutes={},
                    organizations={
                        world.youth_org.pk: (youth, None),
                        world.police_org.pk: (police, None),
                    },
                )
        with scope(tenant=world.halton):
            rates = {
                r.organization.name: (r.present, r.recorded, r.percent)
                for r in organization_attendance_rates(table=world.table)
            }
        assert rates == {"Halton Police": (1, 3, 33), "Halton Youth Services": (2, 3, 67)}
        url = reverse("tables:meetings", args=["halton", world.table.slug])
        page = client_for("member").get(url)
        text = page.content.decode()
        assert "Attendance by organization" in text
        assert "2 of 3 meetings" in text and "67%" in text

    def test_the_pages_hold_their_budget_as_organizations_grow(
        self, world: World, client_for, django_assert_max_num_queries
    ) -> None:
        meeting = meeting_build(world.table, actor=world.admin, hours=-2)
        client = client_for("coordinator")
        urls = {
            _record_url(world, meeting): 19,
            reverse("tables:meeting", args=["halton", world.table.slug, meeting.pk]): 19,
            reverse("tables:meetings", args=["halton", world.table.slug]): 16,
        }
        for url in urls:
            client.get(url)
        budgets = {}
        for size in (3, 30):
            with scope(tenant=world.halton):
                for _ in range(size):
                    org = organization_build(world.halton, actor=world.admin)
                    table_organization_add(
                        table=world.table, organization=org, role="member", actor=world.admin
                    )
                    person = MembershipFactory(tenant=world.halton).user
                    organization_staff_add(
                        organization=org, user=person, role="staff", actor=world.admin
                    )
            for url, budget in urls.items():
                with django_assert_max_num_queries(budget) as captured:
                    assert client.get(url).status_code == 200
                budgets.setdefault(url, set()).add(len(captured))
        assert all(len(counts) == 1 for counts in budgets.values()), budgets
