from __future__ import annotations

import csv
import io

from django.urls import reverse
from django_scopes import scope

from partners.models import Contact, Organization, OrganizationMembership, OrgRole
from partners.services.organizations import organization_staff_add

from ..builders import organization_build
from ..conftest import World


def test_the_list_shows_each_organization_with_its_table_count(world: World, client_for) -> None:
    response = client_for("member").get(reverse("partners:organizations", args=["halton"]))
    counts = {o.name: o.table_count for o in response.context["organizations"]}
    assert counts == {"Halton Police": 1, "Halton Youth Services": 2}


def test_the_list_filters_by_sector_and_name(world: World, client_for) -> None:
    client = client_for("member")
    url = reverse("partners:organizations", args=["halton"])
    assert [o.name for o in client.get(url, {"sector": "police"}).context["organizations"]] == [
        "Halton Police"
    ]
    assert [o.name for o in client.get(url, {"q": "youth"}).context["organizations"]] == [
        "Halton Youth Services"
    ]


def test_list_query_budget_holds_as_organizations_grow(
    world: World, client_for, django_assert_max_num_queries
) -> None:
    client = client_for("member")
    url = reverse("partners:organizations", args=["halton"])
    client.get(url)
    for _round in range(2):
        for _ in range(15):
            organization_build(world.halton, actor=world.admin)
        with django_assert_max_num_queries(11):
            assert client.get(url).status_code == 200


def test_an_organization_page_hides_members_only_tables_from_others(world: World, client_for):
    url = reverse("partners:organization", args=["halton", world.youth_org.slug])
    partner_view = [p.table.name for p in client_for("partner").get(url).context["participations"]]
    member_view = [p.table.name for p in client_for("member").get(url).context["participations"]]
    assert partner_view == ["Intimate partner violence", "Youth mental health"]
    assert member_view == ["Youth mental health"]


def test_an_org_admin_manages_staff_and_contacts(world: World, client_for) -> None:
    with scope(tenant=world.halton):
        OrganizationMembership.objects.filter(user=world.partner).update(role=OrgRole.ORG_ADMIN)
    client = client_for("partner")
    base = {"tenant_slug": "halton", "org_slug": world.youth_org.slug}
    client.post(
        reverse("partners:staff-add", kwargs=base),
        {"email": "member@halton.example", "role": "staff", "title": "Outreach worker"},
    )
    client.post(
        reverse("partners:contact-add", kwargs=base),
        {"name": "Intake desk", "email": "Intake@Youth.example"},
    )
    with scope(tenant=world.halton):
        staff = OrganizationMembership.objects.get(organization=world.youth_org, user=world.member)
        contact = Contact.objects.get(organization=world.youth_org)
    assert staff.title == "Outreach worker"
    assert world.member.groups.filter(pk=world.youth_org.group_id).exists()
    assert contact.email == "intake@youth.example"

    end_url = reverse("partners:staff-end", kwargs={**base, "pk": staff.pk})
    assert "Remove" in client.get(end_url).content.decode()  # asks first
    client.post(end_url)
    staff.refresh_from_db()
    assert staff.left_on is not None
    assert not world.member.groups.filter(pk=world.youth_org.group_id).exists()


def test_plain_staff_cannot_manage_their_organization(world: World, client_for) -> None:
    response = client_for("partner").post(
        reverse("partners:contact-add", args=["halton", world.youth_org.slug]),
        {"name": "X", "email": "x@example.org"},
    )
    assert response.status_code == 403


def test_staff_must_be_members_of_the_plan(world: World) -> None:
    with scope(tenant=world.halton):
        import pytest
        from django.core.exceptions import ValidationError

        with pytest.raises(ValidationError, match="No member of this plan"):
            organization_staff_add(
                organization=world.youth_org,
                user=world.outsider,
                role=OrgRole.STAFF,
                actor=world.admin,
            )


def test_export_neutralises_formulas(world: World, client_for) -> None:
    organization_build(
        world.halton, actor=world.admin, name='=HYPERLINK("http://evil.example","Click")'
    )
    response = client_for("admin").get(reverse("partners:organizations-export", args=["halton"]))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["name", "sector", "website", "description", "active", "tables"]
    names = [row[0] for row in rows[1:]]
    assert '\'=HYPERLINK("http://evil.example","Click")' in names
    assert not any(name.startswith("=") for name in names)


class TestEditing:
    def test_an_admin_corrects_an_organization_and_marks_it_inactive(
        self, world: World, client_for
    ) -> None:
        from cswb.models import ActivityEvent

        url = reverse("partners:organization-edit", args=["halton", world.police_org.slug])
        admin = client_for("admin")
        page = admin.get(url).content.decode()
        assert 'name="is_active"' in page and 'value="Halton Police"' in page
        response = admin.post(
            url,
            {
                "name": "Halton Regional Police Service",
                "sector": "police",
                "website": "hrps.example",
                "description": "Community mobilization bureau.",
            },
        )
        assert response.status_code == 302
        with scope(tenant=world.halton):
            police = Organization.objects.get(pk=world.police_org.pk)
            event = ActivityEvent.objects.get(verb="organization.changed")
        assert (police.name, police.website, police.is_active, police.slug) == (
            "Halton Regional Police Service",
            "https://hrps.example",
            False,
            "halton-police",
        )
        assert event.summary.startswith("Halton Police: renamed Halton Regional Police Service")
        assert event.changes["is_active"] == [True, False]
        detail = admin.get(response["Location"]).content.decode()
        assert "Inactive" in detail

    def test_a_name_of_another_organization_is_refused(self, world: World, client_for) -> None:
        url = reverse("partners:organization-edit", args=["halton", world.police_org.slug])
        response = client_for("admin").post(
            url, {"name": "halton youth services", "sector": "police", "is_active": "on"}
        )
        assert response.status_code == 400
        assert "is already an organization of this plan" in response.content.decode()
        with scope(tenant=world.halton):
            assert Organization.objects.get(pk=world.police_org.pk).name == "Halton Police"

    def test_an_organization_administrator_edits_but_does_not_deactivate(
        self, world: World, client_for
    ) -> None:
        from partners.models import OrganizationMembership

        with scope(tenant=world.halton):
            OrganizationMembership.objects.filter(user=world.partner).update(role="org_admin")
        url = reverse("partners:organization-edit", args=["halton", world.youth_org.slug])
        partner = client_for("partner")
        assert 'name="is_active"' not in partner.get(url).content.decode()
        response = partner.post(
            url, {"name": "Halton Youth Services", "sector": "children_youth", "is_active": ""}
        )
        assert response.status_code == 302
        with scope(tenant=world.halton):
            assert Organization.objects.get(pk=world.youth_org.pk).is_active
