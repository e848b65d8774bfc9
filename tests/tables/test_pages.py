from __future__ import annotations

import re
from datetime import date, timedelta

from django.urls import reverse
from django_scopes import scope
from guardian.shortcuts import get_perms

from cswb.models import ActivityEvent
from partners.models import Invitation
from partners.services.invitations import invitation_accept_as_new_user
from tables.models import Action, FocusArea, SeatRole, TableOrganization, TableSeat
from tables.services.seats import table_organization_add, table_seat_add
from tables.services.tables import focus_areas_seed, table_change_status, table_create

from ..builders import action_build, measure_build, meeting_build, organization_build
from ..conftest import World
from ..factories import MembershipFactory


def _list(client, headers=None, **params):
    return client.get(reverse("tables:list", args=["halton"]), params, headers=headers)


def _names(response) -> list[str]:
    return [t.name for t in response.context["tables"]]


class TestList:
    def test_members_only_tables_are_listed_to_their_members_and_leadership(
        self, world: World, client_for
    ) -> None:
        everyone = ["Food security", "Intimate partner violence", "Youth mental health"]
        assert _names(_list(client_for("admin"))) == everyone
        assert _names(_list(client_for("leader"))) == everyone
        assert _names(_list(client_for("partner"))) == everyone
        assert _names(_list(client_for("member"))) == ["Food security", "Youth mental health"]

    def test_filters_combine_and_stay_in_the_address(self, world: World, client_for) -> None:
        with scope(tenant=world.halton):
            focus_areas_seed(tenant=world.halton)
            with scope(tenant=world.halton):
                youth = FocusArea.objects.get(slug="youth-mental-health")
                world.table.focus_areas.add(youth)
                table_change_status(
                    table=world.table, status="active", actor=world.admin, reason="Agreed."
                )
            client = client_for("coordinator")
            assert _names(_list(client, focus_area=youth.slug)) == ["Youth mental health"]
            assert _names(_list(client, zone="risk_intervention")) == ["Intimate partner violence"]
            assert _names(_list(client, status="active")) == ["Youth mental health"]
            assert _names(_list(client, mine="on")) == [
                "Intimate partner violence",
                "Youth mental health",
            ]
            assert _names(_list(client, q="food")) == ["Food security"]
            assert _names(_list(client, q="violence", status="active")) == []
            page = _list(client, zone="prevention", page=1)
            assert page.context["page_query"] == "zone=prevention"

    def test_htmx_gets_only_the_results(self, world: World, client_for) -> None:
        response = _list(client_for("member"), headers={"HX-Request": "true"}, q="youth")
        content = response.content.decode()
        assert "<html" not in content
        assert "Youth mental health" in content
        assert "1 table" in content

    def test_query_budget_holds_as_tables_grow(
        self, world: World, client_for, django_assert_max_num_queries
    ) -> None:
        client = client_for("partner")
        _list(client)
        for round_ in range(2):
            with scope(tenant=world.halton):
                for n in range(12):
                    table = table_create(
                        tenant=world.halton,
                        name=f"Extra {round_}-{n}",
                        zone="prevention",
                        actor=world.admin,
                    )
                    table_organization_add(
                        table=table, organization=world.youth_org, role="member", actor=world.admin
                    )
            with django_assert_max_num_queries(13):
                assert _list(client).status_code == 200


class TestTablePage:
    def test_shows_members_by_organization_and_representation(self, world: World, client_for):
        response = client_for("member").get(
            reverse("tables:detail", args=["halton", world.table.slug])
        )
        content = response.content.decode()
        assert "Halton Youth Services" in content and "Halton Police" in content
        represented = {label for _, label, _ in response.context["representation"].represented}
        assert represented == {"Children and youth services", "Police and community safety"}
        assert "Housing" in response.context["representation"].missing
        assert response.context["timeline"]  # the table's own activity

    def test_leadership_sees_a_members_only_table_as_a_summary(self, world: World, client_for):
        response = client_for("leader").get(
            reverse("tables:detail", args=["halton", world.ipv.slug])
        )
        assert response.status_code == 200
        assert response.context["timeline"] == []
        content = response.content.decode()
        assert "open to its members only" in content
        assert world.coordinator.display_name not in content  # no names of who sits there
        assert "Halton Youth Services" in content  # but who takes part, by organization

    def test_query_budget_holds_as_members_and_work_grow(
        self, world: World, client_for, django_assert_max_num_queries
    ) -> None:
        client = client_for("coordinator")
        url = reverse("tables:detail", args=["halton", world.table.slug])
        client.get(url)
        for round_ in range(2):
            with scope(tenant=world.halton):
                for _n in range(8):
                    org = organization_build(world.halton, actor=world.admin)
                    table_organization_add(
                        table=world.table, organization=org, role="member", actor=world.admin
                    )
                    person = MembershipFactory(tenant=world.halton).user
                    table_seat_add(
                        table=world.table,
                        user=person,
                        role="member",
                        organization=org,
                        actor=world.admin,
                    )
            for n in range(6):
                action_build(
                    world.table,
                    actor=world.admin,
                    title=f"Action {round_}-{n}",
                    owner_organization=world.youth_org,
                    due_date=date.today() + timedelta(days=n),
                )
            measure_build(
                world.table,
                actor=world.admin,
                name=f"Measure {round_}",
                observations=[(date(2025, 1, 1), 45), (date(2025, 6, 1), 40)],
            )
            meeting_build(world.table, actor=world.admin, title=f"Meeting {round_}")
            # 10 (the table's own rows are one statement, tables.selectors.table_read), the
            # representation goals and self-identification counts that engagement draws on the
            # page (one statement, however many people and goals: who sits at the table is the
            # page's own read), and one for the population indicators the table works to turn
            # (none here).
            with django_assert_max_num_queries(12):
                response = client.get(url)
                assert response.status_code == 200
        assert len(response.context["measure_rows"]) == 2
        assert response.context["open_count"] == 12


class TestTableWorkspace:
    """The table page shows what to work on: open and overdue actions with owners and due
    dates, the next meeting, each measure's standing with a sparkline, and grouped activity."""

    def test_open_and_overdue_actions_with_owners_and_due_dates(
        self, world: World, client_for
    ) -> None:
        late = action_build(
            world.table,
            actor=world.admin,
            title="Late referral map",
            owner_organization=world.youth_org,
        )
        with scope(tenant=world.halton):
            Action.objects.filter(pk=late.pk).update(due_date=date.today() - timedelta(days=3))
        action_build(
            world.table,
            actor=world.admin,
            title="Later plan",
            due_date=date.today() + timedelta(days=30),
        )
        action_build(world.table, actor=world.admin, title="Finished", statuses=["done"])
        response = client_for("member").get(
            reverse("tables:detail", args=["halton", world.table.slug])
        )
        page = response.content.decode()
        assert response.context["open_count"] == 2
        assert response.context["overdue_count"] == 1
        titles = [a.title for a in response.context["open_actions"]]
        assert titles == ["Late referral map", "Later plan"]  # overdue first
        assert "Finished" not in titles
        assert "Halton Youth Services" in page  # the owner
        assert "?status=overdue" in page  # the count is a link to the filtered list

    def test_next_meeting_links_to_its_agenda(self, world: World, client_for) -> None:
        meeting_build(world.table, actor=world.admin, title="Past", hours=-48)
        soon = meeting_build(world.table, actor=world.admin, title="Soon", hours=48)
        meeting_build(world.table, actor=world.admin, title="Later", hours=24 * 20)
        response = client_for("member").get(
            reverse("tables:detail", args=["halton", world.table.slug])
        )
        assert response.context["next_meeting"] == soon
        agenda = reverse("tables:meeting", args=["halton", world.table.slug, soon.pk])
        assert f'href="{agenda}"' in response.content.decode()

    def test_measures_show_standing_in_words_and_a_sparkline(
        self, world: World, client_for
    ) -> None:
        measure_build(
            world.table,
            actor=world.admin,
            name="Days to first appointment",
            observations=[(date(2025, 6, 1), 60)],
        )
        response = client_for("member").get(
            reverse("tables:detail", args=["halton", world.table.slug])
        )
        page = response.content.decode()
        assert "Moving away" in page  # the standing in words, not colour alone
        assert 'class="sparkline" aria-hidden="true"' in page
        assert "Up 20% since baseline" in page  # the sparkline's text equivalent
        assert "0 of 1 measures on track" in page

    def test_runs_of_recorded_values_are_one_line(self, world: World, client_for) -> None:
        measure_build(
            world.table,
            actor=world.admin,
            observations=[(date(2025, m, 1), 50 - m) for m in range(1, 11)],
        )
        response = client_for("member").get(
            reverse("tables:detail", args=["halton", world.table.slug])
        )
        timeline = response.context["timeline"]
        grouped = [e for e in timeline if e.count > 1]
        assert len(grouped) == 1
        assert grouped[0].summary == "10 outcome values recorded"
        assert len(grouped[0].events) == 10
        page = response.content.decode()
        assert page.count("for the period ending") == 10  # each still readable, folded away
        assert "<summary>10 outcome values recorded" in page

    def test_tabs_mark_the_current_page(self, world: World, client_for) -> None:
        client = client_for("member")
        for name, label in [
            ("detail", "Overview"),
            ("actions", "Actions"),
            ("meetings", "Meetings"),
            ("outcomes", "Outcomes"),
            ("progress", "Progress"),
        ]:
            page = client.get(reverse(f"tables:{name}", args=["halton", world.table.slug]))
            assert f'aria-current="page">{label}</a>' in page.content.decode(), name
            # The plan's menu marks the section the page is in.
            tables = reverse("tables:list", args=["halton"])
            assert f'<a href="{tables}" aria-current="true">Tables</a>' in page.content.decode()
        home = client.get(reverse("tables:list", args=["halton"])).content.decode()
        assert f'<a href="{tables}" aria-current="page">Tables</a>' in home
        assert 'aria-current="true">Home</a>' not in home  # every page is under the home

    def test_leadership_on_a_members_only_table_sees_only_the_tabs_it_may_open(
        self, world: World, client_for
    ) -> None:
        private = world.ipv
        page = client_for("leader").get(reverse("tables:detail", args=["halton", private.slug]))
        content = page.content.decode()
        assert reverse("tables:progress", args=["halton", private.slug]) in content
        assert reverse("tables:actions", args=["halton", private.slug]) not in content
        assert "open_actions" not in page.context or not page.context["open_actions"]


class TestManagingMembers:
    def _url(self, world: World, name: str, **kwargs) -> str:
        return reverse(
            f"tables:{name}",
            kwargs={"tenant_slug": "halton", "table_slug": world.table.slug, **kwargs},
        )

    def test_coordinator_adds_an_organization_in_place(self, world: World, client_for) -> None:
        org = organization_build(world.halton, actor=world.admin, name="Food Bank of Halton")
        response = client_for("coordinator").post(
            self._url(world, "organization-add"),
            {"org-organization": org.pk, "org-role": "advisory"},
            HTTP_HX_REQUEST="true",
        )
        assert response.status_code == 200
        content = response.content.decode()
        assert "<html" not in content  # the members partial, swapped in place
        assert "Food Bank of Halton now sits at the table." in content
        with scope(tenant=world.halton):
            assert (
                TableOrganization.objects.get(table=world.table, organization=org).role
                == "advisory"
            )

    def test_the_same_works_as_a_plain_form(self, world: World, client_for) -> None:
        client = client_for("coordinator")
        response = client.post(
            self._url(world, "seat-add"),
            {"seat-email": "MEMBER@halton.example", "seat-role": "member"},
        )
        assert response.status_code == 302
        assert "view_actiontable" in get_perms(world.member, world.table)
        # The page it lands on shows the message once: inside the part htmx swaps only.
        page = client.get(response["Location"]).content.decode()
        messages = re.findall(r'<p class="message message--success"[^>]*>([^<]*)</p>', page)
        assert len(messages) == 1, messages

    def test_a_seat_for_someone_outside_the_plan_is_refused(self, world: World, client_for):
        response = client_for("coordinator").post(
            self._url(world, "seat-add"),
            {"seat-email": "outsider@lakeshore.example", "seat-role": "member"},
        )
        assert response.status_code == 400
        assert "No member of this plan has this address" in response.content.decode()
        with scope(tenant=world.halton):
            assert not TableSeat.objects.filter(user=world.outsider).exists()

    def test_removal_asks_first(self, world: World, client_for) -> None:
        with scope(tenant=world.halton):
            participation = TableOrganization.objects.get(
                table=world.table, organization=world.youth_org
            )
        url = self._url(world, "organization-end", pk=participation.pk)
        coordinator = client_for("coordinator")
        page = coordinator.get(url)
        assert "Remove Halton Youth Services from Youth mental health?" in page.content.decode()
        participation.refresh_from_db()
        assert participation.left_on is None
        assert coordinator.post(url).status_code == 302
        participation.refresh_from_db()
        assert participation.left_on is not None
        assert coordinator.get(url).status_code == 404  # already ended

    def test_invite_someone_new_to_the_table(self, world: World, client_for) -> None:
        with scope(tenant=world.halton):
            response = client_for("coordinator").post(
                self._url(world, "invite"),
                {
                    "invite-email": "new.partner@agency.example",
                    "invite-seat_role": "lived_experience_advisor",
                    "invite-organization": str(world.youth_org.pk),
                    "invite-org_role": "staff",
                },
            )
            assert response.status_code == 302
            with scope(tenant=world.halton):
                invitation = Invitation.objects.get(email="new.partner@agency.example")
            assert invitation.table == world.table
            user = invitation_accept_as_new_user(
                invitation=invitation, full_name="New Partner", password="a-long-enough-passphrase"
            )
            with scope(tenant=world.halton):
                seat = TableSeat.objects.get(table=world.table, user=user)
            assert seat.role == SeatRole.LIVED_EXPERIENCE_ADVISOR
            assert seat.organization == world.youth_org
            assert user.groups.filter(pk=world.youth_org.group_id).exists()

    def test_a_refused_invitation_says_why_once(self, world: World, client_for) -> None:
        """Found in a walkthrough: the form-wide error was printed twice."""
        data = {
            "invite-email": "twice@agency.example",
            "invite-seat_role": "member",
            "invite-organization": "",
            "invite-org_role": "staff",
        }
        client = client_for("coordinator")
        assert client.post(self._url(world, "invite"), data).status_code == 302
        again = client.post(self._url(world, "invite"), data)
        assert again.status_code == 400
        page = again.content.decode()
        assert page.count("already has a pending invitation") == 1
        assert 'role="alert"' in page

    def test_status_change_follows_the_allowed_transitions(self, world: World, client_for):
        client = client_for("coordinator")
        url = self._url(world, "status")
        client.post(url, {"status": "paused"})  # forming cannot pause
        world.table.refresh_from_db()
        assert world.table.status == "forming"
        # The status chosen on the table page is asked about, with a reason, before it changes.
        ask = client.post(url, {"status": "active"})
        assert ask.status_code == 200
        assert "Make Youth mental health active?" in ask.content.decode()
        world.table.refresh_from_db()
        assert world.table.status == "forming"
        no_reason = client.post(url, {"status": "active", "step": "confirm", "reason": " "})
        assert no_reason.status_code == 400
        world.table.refresh_from_db()
        assert world.table.status == "forming"
        done = client.post(
            url, {"status": "active", "step": "confirm", "reason": "Terms of reference agreed."}
        )
        assert done.status_code == 302
        world.table.refresh_from_db()
        assert world.table.status == "active"
        with scope(tenant=world.halton):
            event = ActivityEvent.objects.filter(verb="table.status_changed").get()
        assert event.summary == "Youth mental health is now active: Terms of reference agreed."
        assert event.changes["reason"] == "Terms of reference agreed."
        page = client.get(done["Location"]).content.decode()
        assert page.count("Youth mental health is now active.") == 1  # one message, not two

    def test_editing_details(self, world: World, client_for) -> None:
        url = self._url(world, "edit")
        response = client_for("coordinator").post(
            url,
            {
                "name": "Youth mental health and addictions",
                "zone": "prevention",
                "visibility": "tenant",
                "purpose": "Faster access to counselling.",
            },
        )
        assert response.status_code == 302
        world.table.refresh_from_db()
        assert world.table.name == "Youth mental health and addictions"
        bad = client_for("coordinator").post(
            url, {"name": "", "zone": "nowhere", "visibility": "x"}
        )
        assert bad.status_code == 400
        world.table.refresh_from_db()
        assert world.table.name == "Youth mental health and addictions"


def test_representation_across_the_plan(world: World, client_for, django_assert_max_num_queries):
    client = client_for("leader")
    url = reverse("tables:representation", args=["halton"])
    client.get(url)
    # 12, and engagement's goals and self-identification counts for every table (5).
    with django_assert_max_num_queries(17):
        response = client.get(url)
    overall = response.context["overall"]
    assert overall.organizations_by_sector == {
        "children_youth": ["Halton Youth Services"],
        "police": ["Halton Police"],
    }
    rows = {
        row["table"].name: (row["sector_count"], row["advisors"])
        for row in response.context["rows"]
    }
    assert rows == {
        "Food security": (0, 0),
        "Intimate partner violence": (1, 0),
        "Youth mental health": (2, 0),
    }
