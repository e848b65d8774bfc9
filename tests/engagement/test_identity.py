"""Voluntary self-identification: the owner's page, consent, withdrawal that deletes, digest
contacts through a personal link, and nobody else ever reading an answer — not the plan's
administrators on any page or export, not the Django admin, not the activity log, not the
logs. The plan reads counts per declared group only, with small counts withheld."""

from __future__ import annotations

import logging
import re
from collections import deque
from urllib.parse import urljoin, urlsplit

import pytest
from django.contrib import admin
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from cswb.models import ActivityEvent
from engagement.models import (
    ContactIdentityLink,
    IdentityQuestion,
    IdentityQuestionSetting,
    RepresentationGoal,
    SelfIdentification,
    SelfIdentificationAnswer,
)
from engagement.selectors.identity import (
    PanelRows,
    TableFacts,
    identity_groups,
    panel_rows,
    panel_rows_orm,
    question_settings,
    table_goals_panel,
)
from engagement.services.identity import (
    identity_links_send,
    identity_questions_configure,
    identity_token_hash,
    representation_goal_add,
    self_identification_save,
)
from tables.models import SeatRole, TableOrganization
from tables.services.seats import table_seat_add

from ..builders import contact_build, organization_build
from ..conftest import World
from ..factories import MembershipFactory, UserFactory
from ..test_planted_payload import crawl, seeds_from_resolver

PLANTED = "Planted-own-words-7f3a9c"


def _url(name: str, **kwargs: object) -> str:
    return reverse(name, kwargs={"tenant_slug": "halton", **kwargs})


def _rows() -> tuple[int, int]:
    with scopes_disabled():
        return (
            SelfIdentification._base_manager.count(),
            SelfIdentificationAnswer._base_manager.count(),
        )


def test_a_member_answers_sees_their_answers_and_withdraws(world: World, client_for) -> None:
    client = client_for("member")
    page = client.get(_url("self-identification")).content.decode()
    assert "Prefer not to say" in page and "I am First Nations, Métis or Inuk" in page
    # No consent: nothing is kept.
    refused = client.post(_url("self-identification"), {"indigenous": "yes"})
    assert refused.status_code == 400 and "Tick the consent box" in refused.content.decode()
    assert _rows() == (0, 0)
    saved = client.post(
        _url("self-identification"),
        {"indigenous": "yes", "disability": "prefer_not", "youth": "", "consent": "on",
         "in_own_words": PLANTED},
    )  # fmt: skip
    assert saved.status_code == 302
    assert _rows() == (1, 2)  # the unanswered question keeps no row
    page = client.get(_url("self-identification")).content.decode()
    assert "What you have shared" in page and PLANTED in page
    # Withdrawing asks first, then deletes the rows (not hidden: gone).
    ask = client.get(_url("self-identification-withdraw"))
    assert "Withdraw your self-identification?" in ask.content.decode()
    assert _rows() == (1, 2)
    assert client.post(_url("self-identification-withdraw")).status_code == 302
    assert _rows() == (0, 0)
    assert PLANTED not in client.get(_url("self-identification")).content.decode()


def test_only_the_asked_questions_with_the_offered_answers(world: World, client_for) -> None:
    with scope(tenant=world.halton):
        identity_questions_configure(
            tenant=world.halton, actor=world.admin, asked={"indigenous", "youth"},
            reported={"indigenous"},
        )  # fmt: skip
    client = client_for("member")
    page = client.get(_url("self-identification")).content.decode()
    assert "Métis" in page and "racialized" not in page
    bad = client.post(_url("self-identification"), {"indigenous": "maybe", "consent": "on"})
    assert bad.status_code == 400 and _rows() == (0, 0)
    client.post(_url("self-identification"), {"racialized": "yes", "youth": "no", "consent": "on"})
    with scopes_disabled():
        assert list(SelfIdentificationAnswer._base_manager.values_list("question", "answer")) == [
            ("youth", "no")
        ]


def _plant_everything(world: World) -> None:
    """The member and a digest contact have self-identified, with a planted text of their
    own and answers to every question."""
    every = {q: "yes" for q in ("lived_experience", "indigenous", "racialized", "2slgbtqi")}
    contact = contact_build(world.youth_org, actor=world.admin, email="intake@youth.example")
    with scope(tenant=world.halton):
        for owner in ({"user": world.member}, {"contact": contact}):
            self_identification_save(
                tenant=world.halton, asked=list(every), answers=every, in_own_words=PLANTED,
                consent=True, **owner,
            )  # fmt: skip


def test_nobody_else_reads_an_answer_anywhere(world: World, client_for, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    _plant_everything(world)
    # Every page and export the administrator can reach (the same crawl as the escaping
    # test), and as much as leadership can.
    seeds, _ = seeds_from_resolver(world)
    pages = []
    for role in ("admin", "leader", "coordinator"):
        found, errors = crawl(client_for(role), role, seeds)
        assert errors == []
        pages += found
    read = [p for p in pages if p.status == 200]
    assert len(read) > 100
    assert any(not p.content_type.startswith("text/html") for p in read)  # exports were read
    assert {p.name for p in read} >= {"tables:representation", "tables:detail", "manage:members"}
    leaked = [p.url for p in read if PLANTED in p.body or "What you have shared" in p.body]
    assert leaked == []
    # The Django admin, as a superuser: no self-identification model, and no page with it.
    registered = {m._meta.label for m in admin.site._registry}
    assert not {label for label in registered if "Identif" in label or "Identity" in label}
    superuser = UserFactory(email="root@example.org", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(superuser)
    queue, seen, bodies = deque(["/django-admin/"]), {"/django-admin/"}, 0
    while queue and bodies < 150:
        url = queue.popleft()
        response = client.get(url)
        bodies += 1
        body = response.content.decode(errors="replace")
        assert PLANTED not in body, url
        for href in re.findall(r'href="([^"]+)"', body):
            path = urlsplit(urljoin(url, href)).path
            if path.startswith("/django-admin/") and "logout" not in path and path not in seen:
                seen.add(path)
                queue.append(path)
    assert bodies > 10
    # The activity log does not even hold that someone answered or withdrew: a timed event
    # beside the counts that changed at that moment would say who, and how.
    with scopes_disabled():
        events = list(ActivityEvent._base_manager.filter(verb__startswith="identity."))
        saved = ActivityEvent._base_manager.filter(
            verb__in=["identity.saved", "identity.withdrawn"]
        )
        assert not saved.exists()
        assert SelfIdentification._base_manager.exists()  # yet answers were saved
    assert all(e.actor_id is None and e.changes == {} for e in events)
    assert all(PLANTED not in f"{e.summary}{e.target_repr}" for e in events)
    assert all("yes" not in e.summary.lower() for e in events)
    # Nor the logs.
    assert PLANTED not in caplog.text


def test_withdrawal_deletes_the_rows(world: World) -> None:
    _plant_everything(world)
    assert _rows() == (2, 8)
    client = Client()
    client.force_login(world.member)
    client.post(_url("self-identification-withdraw"))
    assert _rows() == (1, 4)  # the contact's stay, the member's are gone
    with scopes_disabled():
        assert not SelfIdentification._base_manager.filter(user=world.member).exists()


def test_a_digest_contact_answers_and_withdraws_through_their_link(
    world: World, django_capture_on_commit_callbacks
) -> None:
    contact = contact_build(world.youth_org, actor=world.admin, email="intake@youth.example")
    with scope(tenant=world.halton), django_capture_on_commit_callbacks(execute=True):
        assert identity_links_send(tenant=world.halton, actor=world.admin) == 1
        assert identity_links_send(tenant=world.halton, actor=world.admin) == 0  # once
        link = ContactIdentityLink.objects.get(contact=contact)
    (message,) = mail.outbox
    assert message.to == ["intake@youth.example"]
    url = re.search(r"https?://\S+/digests/self-identification/(\S+)/", message.body)
    token = url.group(1)
    # Only the hash is kept.
    assert link.token_hash == identity_token_hash(token) and token not in link.token_hash
    client = Client()  # no account, no sign-in
    address = reverse("identity-contact", args=[token])
    assert "Hello Intake desk" in client.get(address).content.decode()
    saved = client.post(address, {"lived_experience": "yes", "consent": "on"})
    assert saved.status_code == 302
    with scopes_disabled():
        assert SelfIdentification._base_manager.get().contact_id == contact.pk
    assert "What you have shared" in client.get(address).content.decode()
    withdraw = reverse("identity-contact-withdraw", args=[token])
    assert client.post(withdraw).status_code == 302
    assert _rows() == (0, 0)
    # A forged or changed link opens nothing.
    for forged in (token[:-2] + "xx", "x" * 43):
        response = client.get(reverse("identity-contact", args=[forged]))
        assert response.status_code == 404 and "not valid" in response.content.decode()
        assert client.post(reverse("identity-contact", args=[forged]), {}).status_code == 404


# -- aggregates ---------------------------------------------------------------------------------


def _people_at_table(world: World, answers: list[str]) -> None:
    """One member per answer, each seated at the youth table, each answering "indigenous"."""
    with scope(tenant=world.halton):
        for n, answer in enumerate(answers):
            user = MembershipFactory(
                tenant=world.halton, user=UserFactory(email=f"p{n}@halton.example")
            ).user
            table_seat_add(table=world.table, user=user, role=SeatRole.MEMBER, actor=world.admin)
            self_identification_save(
                tenant=world.halton, asked=["indigenous"], answers={"indigenous": answer},
                in_own_words="", consent=True, user=user,
            )  # fmt: skip


@pytest.mark.parametrize(
    ("answers", "shown"),
    [
        (["yes"] * 4 + ["no"] * 6, None),  # 4: withheld, and its complement with it
        (["yes"] * 5 + ["no"] * 5, (5, 5)),  # 5: shown
        (["yes"] * 6 + ["no"] * 2 + ["prefer_not"] * 2, None),  # the complement is 4
        (["yes"] * 5 + ["no"] * 3 + ["prefer_not"] * 2, (5, 5)),
    ],
)
def test_small_counts_are_withheld_with_their_complement(
    world: World, client_for, answers: list[str], shown: tuple[int, int] | None
) -> None:
    _people_at_table(world, answers)
    with scope(tenant=world.halton):
        groups = identity_groups(facts=TableFacts.read(None), reported=question_settings()[1])
    for aggregate in (groups.for_table(world.table.pk), groups.for_plan()):
        (indigenous,) = [g for g in aggregate.groups if g.question == "indigenous"]
        assert (indigenous.shown_yes, indigenous.shown_rest) == (shown or (None, None))
    page = client_for("leader").get(_url("tables:representation")).content.decode()
    row = re.search(r"<th scope=\"row\">Indigenous</th>(.*?)</tr>", page).group(1)
    if shown is None:
        assert row.count("withheld") == 2 and not re.search(r"<td>\d+</td>", row)
    else:
        assert row == "<td>5</td><td>5</td>"


def test_a_tables_panel_reads_only_the_answers_of_its_own_people(world: World) -> None:
    """The table page's counts read the answers of its seat holders and of its
    organizations' contacts, not the whole plan's: the same counts, without growing with
    the plan."""
    _people_at_table(world, ["yes"] * 5 + ["no"] * 5)
    with scope(tenant=world.halton):
        for n in range(6):  # people elsewhere in the plan
            user = MembershipFactory(
                tenant=world.halton, user=UserFactory(email=f"elsewhere{n}@halton.example")
            ).user
            table_seat_add(table=world.ipv, user=user, role=SeatRole.MEMBER, actor=world.admin)
            self_identification_save(
                tenant=world.halton, asked=["indigenous"], answers={"indigenous": "yes"},
                in_own_words="", consent=True, user=user,
            )  # fmt: skip
    ours = contact_build(world.youth_org, actor=world.admin, email="intake@youth.example")
    theirs = contact_build(world.police_org, actor=world.admin, email="desk@police.example")
    with scope(tenant=world.halton):
        TableOrganization.objects.filter(table=world.table, organization=world.police_org).update(
            left_on=timezone.localdate()
        )
        for contact in (ours, theirs):
            self_identification_save(
                tenant=world.halton, asked=["indigenous"], answers={"indigenous": "no"},
                in_own_words="", consent=True, contact=contact,
            )  # fmt: skip
        facts = TableFacts.read([world.table.pk])
        reported = question_settings()[1]
        whole = identity_groups(facts=facts, reported=reported)
        own = identity_groups(facts=facts, reported=reported, only_these_people=True)
    assert own.for_table(world.table.pk) == whole.for_table(world.table.pk)
    assert own.for_table(world.table.pk).respondents == 11  # ten seated, one contact
    assert (len(own.plan), len(whole.plan)) == (11, 18)


def _panel_both_ways(table, facts) -> PanelRows:
    """The panel's rows as the page reads them (one PostgreSQL statement) and as the ORM
    reads them: the same rows (in any order), the same goals column by column."""
    fast, slow = panel_rows(table, facts), panel_rows_orm(table, facts)
    assert sorted(fast.settings) == sorted(slow.settings)
    assert sorted(fast.identifications, key=repr) == sorted(slow.identifications, key=repr)
    assert fast.contacts == slow.contacts
    columns = [f.attname for f in RepresentationGoal._meta.concrete_fields]
    assert [[repr(getattr(g, c)) for c in columns] for g in fast.goals] == [
        [repr(getattr(g, c)) for c in columns] for g in slow.goals
    ]
    return fast


def test_a_tables_panel_reads_the_same_rows_in_one_statement(world: World, client_for) -> None:
    """The goals panel's settings, goals and answers come in one statement on PostgreSQL:
    the ORM's rows exactly, and only this plan's answers of a person who belongs to two."""
    _people_at_table(world, ["yes"] * 5 + ["no"] * 2)
    ours = contact_build(world.youth_org, actor=world.admin, email="intake@youth.example")
    other = contact_build(world.police_org, actor=world.admin, email="desk@police.example")
    with scope(tenant=world.halton):
        facts = TableFacts.read([world.table.pk])
        empty = _panel_both_ways(world.food, TableFacts.read([world.food.pk]))
        assert (empty.settings, empty.goals, empty.identifications) == ([], [], [])
        for contact in (ours, other):
            self_identification_save(
                tenant=world.halton, asked=["indigenous"], answers={"indigenous": "yes"},
                in_own_words="", consent=True, contact=contact,
            )  # fmt: skip
        identity_questions_configure(
            tenant=world.halton, actor=world.admin, asked={"indigenous", "youth"},
            reported={"indigenous"},
        )  # fmt: skip
        for kind, extra in [("advisor", {}), ("group", {"group": "indigenous", "target": 3})]:
            representation_goal_add(table=world.table, actor=world.admin, kind=kind, **extra)
        representation_goal_add(table=world.ipv, actor=world.admin, kind="advisor")
    seated = SelfIdentification._base_manager.filter(user__isnull=False).first().user
    MembershipFactory(tenant=world.lakeshore, user=seated)
    with scope(tenant=world.lakeshore):  # the same person answers in another plan
        self_identification_save(
            tenant=world.lakeshore, asked=["indigenous"], answers={"indigenous": "no"},
            in_own_words="", consent=True, user=seated,
        )  # fmt: skip
        identity_questions_configure(  # which asks and reports otherwise
            tenant=world.lakeshore, actor=world.outsider, asked={"youth"}, reported={"youth"}
        )
    elsewhere = organization_build(world.halton, actor=world.admin)  # not at the table
    outside = contact_build(elsewhere, actor=world.admin, email="desk@elsewhere.example")
    with scope(tenant=world.halton):
        self_identification_save(
            tenant=world.halton, asked=["indigenous"], answers={"indigenous": "yes"},
            in_own_words="", consent=True, contact=outside,
        )  # fmt: skip
    with scope(tenant=world.halton):
        rows = _panel_both_ways(world.table, facts)
        assert len(rows.goals) == 2 and len(rows.settings) == len(IdentityQuestion.values)
        assert ("youth", True, True) not in rows.settings  # Halton's: youth asked, not reported
        assert len({pk for pk, *_ in rows.identifications}) == 9  # 7 seated, 2 contacts
        assert rows.contacts == {ours.pk: world.youth_org.pk, other.pk: world.police_org.pk}
        panel = table_goals_panel(table=world.table, facts=facts)
    (indigenous,) = panel["aggregate"].groups
    assert (indigenous.question, indigenous.yes, panel["aggregate"].respondents) == (
        "indigenous",
        7,
        9,
    )
    url = _url("tables:detail", table_slug=world.table.slug)
    fast = client_for("admin").get(url).content.decode()
    assert "Voluntary self-identification at this table" in fast


def test_only_groups_declared_in_advance_are_reported(world: World, client_for) -> None:
    _people_at_table(world, ["yes"] * 5 + ["no"] * 5)
    with scope(tenant=world.halton):
        identity_questions_configure(
            tenant=world.halton, actor=world.admin, asked={"indigenous", "youth"},
            reported={"youth"},
        )  # fmt: skip
        assert IdentityQuestionSetting.objects.filter(is_reported=True).count() == 1
    page = client_for("admin").get(_url("tables:detail", table_slug=world.table.slug))
    body = page.content.decode()
    assert ">Youth</th>" in body and ">Indigenous</th>" not in body


# -- representation goals -----------------------------------------------------------------------


def test_goals_against_today_with_the_gaps_named(world: World, client_for) -> None:
    client = client_for("coordinator")
    url = _url("table-goals", table_slug=world.table.slug)
    for data in (
        {"kind": "advisor", "target": 1, "note": "A voice of lived experience"},
        {"kind": "all_sectors", "target": 1},
        {"kind": "sector", "sector": "indigenous", "target": 1},
        {"kind": "sector", "sector": "police", "target": 1},
    ):
        assert client.post(url, data).status_code == 302, data
    assert client.post(url, {"kind": "sector", "target": 1}).status_code == 400  # which sector?
    page = client_for("member").get(_url("tables:detail", table_slug=world.table.slug))
    body = page.content.decode()
    assert "Representation goals" in body and "A voice of lived experience" in body
    assert "1 more lived-experience advisor" in body
    # The youth table has children and youth services and police today.
    assert "Missing: Health and mental health, Education, Community and social services, " \
           "Municipal government" in body  # fmt: skip
    assert "1 more organization from indigenous organizations" in body
    assert body.count("✓ Met") == 1 and body.count("✗ Not yet") == 3
    leadership = client_for("leader").get(_url("tables:representation")).content.decode()
    assert (
        "Goals and gaps by table" in leadership and "1 more lived-experience advisor" in leadership
    )


def test_representation_pages_hold_their_budget(
    world: World, client_for, django_assert_max_num_queries
) -> None:
    client = client_for("leader")
    url = _url("tables:representation")
    table_url = _url("tables:detail", table_slug=world.table.slug)
    client.get(url)
    counts = []
    for round_ in range(2):
        _people_at_table_round(world, round_)
        with django_assert_max_num_queries(30) as ctx:
            assert client.get(url).status_code == 200
        with django_assert_max_num_queries(40) as ctx_table:
            assert client.get(table_url).status_code == 200
        counts.append((len(ctx), len(ctx_table)))
    assert counts[0] == counts[1]


def _people_at_table_round(world: World, round_: int) -> None:
    coordinator = Client()
    coordinator.force_login(world.coordinator)
    for sector in ("police", "health", "education")[: round_ + 2]:
        coordinator.post(
            _url("table-goals", table_slug=world.table.slug),
            {"kind": "sector", "sector": sector, "target": 2},
        )
    with scope(tenant=world.halton):
        for n in range(3 + round_ * 4):
            user = MembershipFactory(
                tenant=world.halton, user=UserFactory(email=f"r{round_}-{n}@halton.example")
            ).user
            table_seat_add(table=world.table, user=user, role=SeatRole.MEMBER, actor=world.admin)
            self_identification_save(
                tenant=world.halton, asked=["indigenous"], answers={"indigenous": "yes"},
                in_own_words="", consent=True, user=user,
            )  # fmt: skip
