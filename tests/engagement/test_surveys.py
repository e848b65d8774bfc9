"""Surveys: building, the life cycle, every kind of question, conditions, single-use links,
anonymity in the database, suppression of small cells, exports and query budgets."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test import Client, TestCase
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from engagement.models import (
    Answer,
    Question,
    QuestionKind,
    Response,
    ResponseDraft,
    Survey,
    SurveyInvitation,
    SurveyStatus,
)
from engagement.selectors.surveys import Invitee, suppress, survey_results
from engagement.services.surveys import (
    survey_create,
    survey_invite,
    survey_question_add,
    survey_remind,
    survey_response_submit,
    survey_section_add,
    survey_status_set,
    survey_token_hash,
)
from partners.models import Sector

from ..builders import contact_build, organization_build
from ..conftest import World

LINK = re.compile(r"http://testserver(/surveys/answer/[^/\s]+/)")


def build_survey(world: World, *, anonymous: bool = True) -> tuple[Survey, dict[str, Question]]:
    """A survey with one question of every kind, in two sections, the second section's
    number question asked only when the first yes/no question is "yes"."""
    h, admin = world.halton, world.admin
    with scope(tenant=h):
        survey = survey_create(
            tenant=h, actor=admin, title="Partner survey", title_fr="Sondage des partenaires",
            is_anonymous=anonymous,
        )  # fmt: skip
        first = survey.sections.get()
        q = {}
        q["benefit"] = survey_question_add(
            section=first, actor=admin, kind=QuestionKind.YES_NO, is_required=True,
            text="Does your organization benefit?", text_fr="Votre organisme en profite-t-il ?",
        )  # fmt: skip
        q["likert"] = survey_question_add(
            section=first, actor=admin, kind=QuestionKind.LIKERT, text="Progress is clear."
        )
        q["single"] = survey_question_add(
            section=first, actor=admin, kind=QuestionKind.SINGLE, text="Main role?",
            options=[("Lead", "Responsable"), ("Member", "Membre")], allows_other=True,
        )  # fmt: skip
        q["multiple"] = survey_question_add(
            section=first, actor=admin, kind=QuestionKind.MULTIPLE, text="Which tables?",
            options=[("Youth", ""), ("Housing", ""), ("Food", "")],
        )  # fmt: skip
        second = survey_section_add(survey=survey, actor=admin, title="More")
        q["number"] = survey_question_add(
            section=second, actor=admin, kind=QuestionKind.NUMBER, text="How many staff?",
            is_required=True, show_if=q["benefit"], show_if_value="yes",
        )  # fmt: skip
        q["short"] = survey_question_add(
            section=second, actor=admin, kind=QuestionKind.SHORT_TEXT, text="One word?"
        )
        q["long"] = survey_question_add(
            section=second, actor=admin, kind=QuestionKind.LONG_TEXT, text="Anything else?"
        )
    return survey, q


def open_and_invite(world: World, survey: Survey, emails: list[str]) -> dict[str, str]:
    """Open the survey, invite these addresses (sent once the transaction commits), return
    address → link."""
    with scope(tenant=world.halton):
        survey_status_set(survey=survey, actor=world.admin, status=SurveyStatus.OPEN)
        mail.outbox.clear()
        with TestCase.captureOnCommitCallbacks(execute=True):
            survey_invite(
                survey=survey, actor=world.admin,
                invitees=[Invitee(email=e, name=e.split("@")[0]) for e in emails],
            )  # fmt: skip
    return {m.to[0]: LINK.search(m.body).group(1) for m in mail.outbox}


def _answers(q: dict[str, Question], **over) -> dict:
    base = {
        str(q["benefit"].pk): {"values": ["yes"]},
        str(q["likert"].pk): {"values": ["4"]},
        str(q["single"].pk): {"values": ["other"], "other": "Funder"},
        str(q["multiple"].pk): {"values": ["o1", "o3"]},
        str(q["number"].pk): {"number": "12"},
        str(q["short"].pk): {"text": "Useful"},
        str(q["long"].pk): {"text": "Keep the digests."},
    }
    base.update(over)
    return base


# -- life cycle ------------------------------------------------------------------------------


def test_life_cycle_draft_open_closed_published(world: World) -> None:
    survey, _q = build_survey(world)
    with scope(tenant=world.halton):
        for bad in (SurveyStatus.CLOSED, SurveyStatus.PUBLISHED):
            with pytest.raises(Exception, match="cannot become"):
                survey_status_set(survey=survey, actor=world.admin, status=bad)
        for status in (SurveyStatus.OPEN, SurveyStatus.CLOSED, SurveyStatus.PUBLISHED):
            survey = survey_status_set(survey=survey, actor=world.admin, status=status)
            assert survey.status == status
        # Questions are fixed once it has opened.
        with pytest.raises(Exception, match="only while the survey is a draft"):
            survey_question_add(
                section=survey.sections.first(), actor=world.admin, kind="yes_no", text="Late?"
            )


def test_an_empty_survey_cannot_open(world: World) -> None:
    with scope(tenant=world.halton):
        survey = survey_create(tenant=world.halton, actor=world.admin, title="Empty")
        with pytest.raises(Exception, match="at least one question"):
            survey_status_set(survey=survey, actor=world.admin, status=SurveyStatus.OPEN)


def test_a_closed_survey_takes_no_answers(world: World) -> None:
    survey, q = build_survey(world)
    links = open_and_invite(world, survey, ["a@example.org"])
    with scope(tenant=world.halton):
        survey_status_set(survey=survey, actor=world.admin, status=SurveyStatus.CLOSED)
    client = Client()
    page = client.get(links["a@example.org"])
    assert page.status_code == 200 and b"not taking answers" in page.content
    post = client.post(links["a@example.org"], {f"q{q['benefit'].pk}": "yes", "action": "next"})
    assert post.status_code == 410
    with scope(tenant=world.halton):
        assert not ResponseDraft.objects.exists() and not Response.objects.exists()


def test_a_survey_past_its_close_date_takes_no_answers(world: World) -> None:
    survey, q = build_survey(world)
    links = open_and_invite(world, survey, ["a@example.org"])
    Survey._base_manager.filter(pk=survey.pk).update(
        closes_on=timezone.localdate() - timedelta(days=1),
        opens_on=timezone.localdate() - timedelta(days=9),
    )
    post = Client().post(links["a@example.org"], {f"q{q['benefit'].pk}": "yes"})
    assert post.status_code == 410


# -- answering through the link ------------------------------------------------------------------


def test_every_kind_answered_through_the_pages_with_save_and_resume(world: World) -> None:
    survey, q = build_survey(world, anonymous=False)
    links = open_and_invite(world, survey, ["desk@example.org"])
    url = links["desk@example.org"]
    client = Client()
    first = client.get(url)
    assert first.status_code == 200
    text = first.content.decode()
    # The anonymity notice comes before the first question.
    assert text.index("not anonymous") < text.index("Does your organization benefit?")
    assert "Votre organisme en profite-t-il ?" in text
    page1 = {
        f"q{q['benefit'].pk}": "yes",
        f"q{q['likert'].pk}": "na",
        f"q{q['single'].pk}": "other",
        f"q{q['single'].pk}_other": "Funder",
        f"q{q['multiple'].pk}": ["o1", "o3"],
    }
    # Save and finish later, then come back with the same link: the answers are there.
    saved = client.post(url, {**page1, "action": "save"})
    assert saved.status_code == 302
    again = Client().get(url).content.decode()
    assert 'value="Funder"' in again
    assert client.post(url, {**page1, "action": "next"})["Location"].endswith("?section=1")
    # The number is required because the answer was "yes".
    missing = client.post(f"{url}?section=1", {"action": "finish"})
    assert missing.status_code == 400 and b"needs an answer" in missing.content
    bad = client.post(f"{url}?section=1", {f"q{q['number'].pk}": "twelve", "action": "finish"})
    assert bad.status_code == 400 and b"Enter a number" in bad.content
    done = client.post(
        f"{url}?section=1",
        {
            f"q{q['number'].pk}": "12",
            f"q{q['short'].pk}": "Useful",
            f"q{q['long'].pk}": "Keep the digests.",
            "action": "finish",
        },
    )
    assert done.status_code == 200 and b"your answers are in" in done.content
    with scope(tenant=world.halton):
        response = Response.objects.get()
        assert response.respondent_name == "desk"  # a named survey keeps who answered
        got = {(a.question_id, a.value, a.text, a.number) for a in response.answers.all()}
        assert (q["single"].pk, "other", "Funder", None) in got
        assert {a.value for a in response.answers.filter(question=q["multiple"])} == {"o1", "o3"}
        assert response.answers.get(question=q["number"]).number == 12
        assert response.answers.get(question=q["likert"]).value == "na"
        assert not ResponseDraft.objects.exists()


def test_a_conditional_question_is_skipped_when_its_condition_fails(world: World) -> None:
    survey, q = build_survey(world)
    links = open_and_invite(world, survey, ["a@example.org"])
    client = Client()
    url = links["a@example.org"]
    client.post(url, {f"q{q['benefit'].pk}": "no", "action": "next"})
    page = client.get(f"{url}?section=1").content.decode()
    assert "How many staff?" not in page
    done = client.post(f"{url}?section=1", {f"q{q['number'].pk}": "5", "action": "finish"})
    assert done.status_code == 200
    with scope(tenant=world.halton):
        # Not asked, so not kept even though a value was sent.
        assert not Answer.objects.filter(question=q["number"]).exists()


def test_a_link_answers_once_and_a_forged_one_is_404(world: World) -> None:
    survey, q = build_survey(world)
    links = open_and_invite(world, survey, ["a@example.org"])
    url = links["a@example.org"]
    client = Client()
    client.post(url, {f"q{q['benefit'].pk}": "no", "action": "next"})
    assert client.post(f"{url}?section=1", {"action": "finish"}).status_code == 200
    with scope(tenant=world.halton):
        before = (Response.objects.count(), Answer.objects.count())
    replay = client.post(f"{url}?section=1", {"action": "finish"})
    assert replay.status_code == 410
    assert Client().post(url, {f"q{q['benefit'].pk}": "yes"}).status_code == 410
    forged = url[:-6] + "AAAAA/"
    assert Client().get(forged).status_code == 404
    assert Client().post(forged, {f"q{q['benefit'].pk}": "yes"}).status_code == 404
    with scope(tenant=world.halton):
        assert (Response.objects.count(), Answer.objects.count()) == before
        assert SurveyInvitation.objects.get().used_on == timezone.localdate()


def test_only_the_hash_of_a_link_is_stored(world: World) -> None:
    survey, _q = build_survey(world)
    links = open_and_invite(world, survey, ["a@example.org"])
    token = links["a@example.org"].split("/")[-2]
    with scope(tenant=world.halton):
        invitation = SurveyInvitation.objects.get()
    assert invitation.token_hash == survey_token_hash(token) and token not in str(
        SurveyInvitation._base_manager.values().get(pk=invitation.pk)
    )


def test_a_reminder_replaces_the_link_and_skips_those_who_answered(world: World) -> None:
    survey, q = build_survey(world)
    links = open_and_invite(world, survey, ["a@example.org", "b@example.org"])
    client = Client()
    client.post(links["a@example.org"], {f"q{q['benefit'].pk}": "no", "action": "next"})
    client.post(f"{links['a@example.org']}?section=1", {"action": "finish"})
    Client().post(links["b@example.org"], {f"q{q['benefit'].pk}": "yes", "action": "save"})
    mail.outbox.clear()
    with scope(tenant=world.halton), TestCase.captureOnCommitCallbacks(execute=True):
        survey_remind(survey=survey, actor=world.admin)
    assert [m.to[0] for m in mail.outbox] == ["b@example.org"]
    assert "finds the answers you saved" in mail.outbox[0].body
    new = LINK.search(mail.outbox[0].body).group(1)
    assert Client().get(links["b@example.org"]).status_code == 404
    assert 'value="yes" checked' in Client().get(new).content.decode()


# -- anonymity ---------------------------------------------------------------------------------


def test_an_anonymous_response_has_no_link_to_anyone_in_the_database(world: World) -> None:
    survey, q = build_survey(world, anonymous=True)
    with scope(tenant=world.halton):
        survey_status_set(survey=survey, actor=world.admin, status=SurveyStatus.OPEN)
        invitation = SurveyInvitation.objects.create(
            tenant=world.halton, survey=survey, user=world.partner, email=world.partner.email,
            name="Priya Respondent", organization=world.youth_org, token_hash="x" * 64,
        )  # fmt: skip
        survey_response_submit(invitation=invitation, answers=_answers(q))
    # Every column of the response and answer tables: none refers to an invitation, a user,
    # a contact or an organization, or holds a time finer than the day.
    with connection.cursor() as cursor:
        for table in (Response._meta.db_table, Answer._meta.db_table):
            columns = {
                c.name: c.type_code
                for c in connection.introspection.get_table_description(cursor, table)
            }
            relations = connection.introspection.get_relations(cursor, table)
            targets = {target for _col, (target_col, target) in relations.items()}
            assert SurveyInvitation._meta.db_table not in targets
            assert not [c for c in columns if "token" in c or "invitation" in c]
            cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 - our own table name
            names = [d.name for d in cursor.description]
            rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
            if table == Response._meta.db_table:
                (row,) = rows
                assert row["user_id"] is None and row["contact_id"] is None
                assert row["organization_id"] is None and row["respondent_name"] == ""
                assert row["submitted_on"] == timezone.localdate()
                assert row["sector"] == Sector.CHILDREN_YOUTH
                assert not [n for n in names if n.endswith("_at")]
    with scope(tenant=world.halton):
        invitation.refresh_from_db()
        assert invitation.used_on == timezone.localdate()
        assert not ResponseDraft.objects.exists()
        # The log records that an answer came, with no author.
        from cswb.models import ActivityEvent

        event = ActivityEvent.objects.get(verb="survey.answered")
        assert event.actor is None and "Priya" not in event.summary


def test_the_database_refuses_a_person_on_an_anonymous_response(world: World) -> None:
    from django.db import IntegrityError, transaction

    survey, _q = build_survey(world)
    with scope(tenant=world.halton), pytest.raises(IntegrityError), transaction.atomic():
        Response.objects.create(
            tenant=world.halton, survey=survey, is_anonymous=True,
            submitted_on=timezone.localdate(), user=world.partner,
        )  # fmt: skip


# -- suppression -------------------------------------------------------------------------------


def test_a_count_of_4_is_hidden_with_its_complement_and_5_is_shown() -> None:
    # Rows: sectors; columns: yes / no. Row totals shown; column totals shown elsewhere.
    hidden, totals = suppress([[20, 4], [30, 6]], [24, 36])
    assert hidden == [[True, True], [True, True]] and totals == [False, False]
    hidden, totals = suppress([[20, 5], [30, 6]], [25, 36])
    assert hidden == [[False, False], [False, False]]
    # A row whose total is under 5 is hidden, and another row total with it.
    hidden, totals = suppress([[3, 0], [30, 6], [40, 9]], [3, 36, 49])
    assert totals == [True, True, False]
    assert hidden[0] == [True, True]


def test_results_hide_small_sector_cells(world: World) -> None:
    survey, q = build_survey(world)
    orgs = {}
    with scope(tenant=world.halton):
        survey_status_set(survey=survey, actor=world.admin, status=SurveyStatus.OPEN)
        orgs["health"] = organization_build(
            world.halton, actor=world.admin, name="Clinic", sector=Sector.HEALTH
        )
        orgs["police"] = world.police_org
        plan = [
            ("health", "yes", 20),
            ("health", "no", 4),
            ("police", "yes", 30),
            ("police", "no", 6),
        ]
        n = 0
        for org_key, value, count in plan:
            for _ in range(count):
                n += 1
                invitation = SurveyInvitation.objects.create(
                    tenant=world.halton, survey=survey, email=f"p{n}@example.org",
                    organization=orgs[org_key], token_hash=f"{n:064d}",
                )  # fmt: skip
                survey_response_submit(
                    invitation=invitation,
                    answers={
                        str(q["benefit"].pk): {"values": [value]},
                        str(q["number"].pk): {"number": "3"},
                    },
                )
        results = survey_results(survey, with_texts=False)
    benefit = results.questions[0]
    assert benefit.n == 60 and [r.count for r in benefit.rows] == [50, 10]
    rows = {r.label: r for r in benefit.breakdown.rows}
    health = rows[str(Sector.HEALTH.label)]
    assert [c.suppressed for c in health.cells] == [True, True]  # 4, and its complement 20
    police = rows[str(Sector.POLICE.label)]
    # The column totals are shown, so the police cells would reveal health's: hidden too.
    assert [c.suppressed for c in police.cells] == [True, True]
    page = Client()
    page.force_login(world.admin)
    html = page.get(
        reverse("survey-results", kwargs={"tenant_slug": "halton", "pk": survey.pk})
    ).content.decode()
    assert "hidden" in html and "n = 60" in html


def test_results_show_cells_of_5_and_more(world: World) -> None:
    survey, q = build_survey(world)
    with scope(tenant=world.halton):
        survey_status_set(survey=survey, actor=world.admin, status=SurveyStatus.OPEN)
        n = 0
        for value, count in (("yes", 5), ("no", 5)):
            for _ in range(count):
                n += 1
                invitation = SurveyInvitation.objects.create(
                    tenant=world.halton, survey=survey, email=f"p{n}@example.org",
                    organization=world.police_org, token_hash=f"{n:064d}",
                )  # fmt: skip
                survey_response_submit(
                    invitation=invitation,
                    answers={
                        str(q["benefit"].pk): {"values": [value]},
                        str(q["number"].pk): {"number": "3"},
                    },
                )
        results = survey_results(survey, with_texts=False)
    (police,) = results.questions[0].breakdown.rows
    assert [(c.count, c.suppressed) for c in police.cells] == [(5, False), (5, False)]


# -- who reads what ----------------------------------------------------------------------------


def _answered(world: World, anonymous: bool = True) -> tuple[Survey, dict[str, Question]]:
    survey, q = build_survey(world, anonymous=anonymous)
    with scope(tenant=world.halton):
        survey_status_set(survey=survey, actor=world.admin, status=SurveyStatus.OPEN)
        for n in range(3):
            invitation = SurveyInvitation.objects.create(
                tenant=world.halton, survey=survey, email=f"p{n}@example.org",
                user=world.partner if n == 0 else None, name=f"Person {n}",
                organization=world.youth_org, token_hash=f"{n:064d}",
            )  # fmt: skip
            survey_response_submit(
                invitation=invitation,
                answers=_answers(q, **{str(q["long"].pk): {"text": f"Secret note {n}"}}),
            )
    return survey, q


def test_free_text_is_for_admins_only_and_never_in_the_aggregate_export(world, client_for):
    survey, _q = _answered(world)
    with scope(tenant=world.halton):
        survey_status_set(survey=survey, actor=world.admin, status=SurveyStatus.CLOSED)
        survey_status_set(survey=survey, actor=world.admin, status=SurveyStatus.PUBLISHED)
    url = reverse("survey-results", kwargs={"tenant_slug": "halton", "pk": survey.pk})
    csv_url = reverse("survey-results-csv", kwargs={"tenant_slug": "halton", "pk": survey.pk})
    assert "Secret note 1" in client_for("admin").get(url).content.decode()
    member_page = client_for("member").get(url)
    assert member_page.status_code == 200 and "Secret note" not in member_page.content.decode()
    for role in ("admin", "member"):
        body = client_for(role).get(csv_url).content.decode()
        assert "Secret note" not in body and "Does your organization benefit?" in body


def test_the_raw_export_has_no_token_and_no_person_when_anonymous(world, client_for):
    survey, _q = _answered(world, anonymous=True)
    url = reverse("manage:survey-raw", kwargs={"tenant_slug": "halton", "pk": survey.pk})
    body = client_for("admin").get(url).content.decode()
    assert "Secret note 2" in body
    for leak in ("Person", "p1@example.org", "0" * 63, "Halton Youth Services", "partner@"):
        assert leak not in body
    assert client_for("member").get(url).status_code == 403


def test_the_raw_export_of_a_named_survey_names_who_answered(world, client_for):
    survey, _q = _answered(world, anonymous=False)
    url = reverse("manage:survey-raw", kwargs={"tenant_slug": "halton", "pk": survey.pk})
    body = client_for("admin").get(url).content.decode()
    assert "Person 1" in body and "Halton Youth Services" in body and "0" * 63 not in body


# -- the builder's pages -----------------------------------------------------------------------


def test_an_admin_builds_a_survey_through_the_pages(world, client_for):
    client = client_for("admin")
    created = client.post(
        reverse("manage:surveys", kwargs={"tenant_slug": "halton"}),
        {"title": "Check-in", "title_fr": "Bilan", "is_anonymous": "on"},
    )
    assert created.status_code == 302
    survey = Survey._base_manager.get(title="Check-in")
    with scope(tenant=world.halton):
        section = survey.sections.get()
    new_q = reverse(
        "manage:survey-question-new",
        kwargs={"tenant_slug": "halton", "pk": survey.pk, "section_pk": section.pk},
    )
    refused = client.post(new_q, {"kind": "single", "text": "Pick", "options": "Only one"})
    assert refused.status_code == 400 and b"at least two choices" in refused.content
    assert client.post(new_q, {"kind": "yes_no", "text": "Useful?"}).status_code == 302
    assert (
        client.post(
            new_q,
            {"kind": "single", "text": "Why?", "options": "Time | Temps\nMoney", "condition": ""},
        ).status_code
        == 302
    )
    with scope(tenant=world.halton):
        first, second = Question.objects.filter(survey=survey).order_by("position")
        assert [o.label_fr for o in second.options.all()] == ["Temps", ""]
    move = reverse(
        "manage:survey-question-move",
        kwargs={"tenant_slug": "halton", "pk": survey.pk, "question_pk": second.pk},
    )
    client.post(move, {"direction": "up"})
    with scope(tenant=world.halton):
        assert list(Question.objects.filter(survey=survey).order_by("position")) == [second, first]
    delete = reverse(
        "manage:survey-question-delete",
        kwargs={"tenant_slug": "halton", "pk": survey.pk, "question_pk": first.pk},
    )
    assert client.get(delete).status_code == 200  # asks first
    assert Question._base_manager.filter(pk=first.pk).exists()
    client.post(delete)
    assert not Question._base_manager.filter(pk=first.pk).exists()
    page = client.get(reverse("manage:survey", kwargs={"tenant_slug": "halton", "pk": survey.pk}))
    assert page.status_code == 200 and b"Why?" in page.content
    edited = client.post(
        reverse("manage:survey", kwargs={"tenant_slug": "halton", "pk": survey.pk}),
        {"title": "Spring check-in", "title_fr": "Bilan", "closes_on": "2030-05-01"},
    )
    assert edited.status_code == 302
    survey.refresh_from_db()
    assert (survey.title, survey.is_anonymous, str(survey.closes_on)) == (
        "Spring check-in", False, "2030-05-01",
    )  # fmt: skip


def test_sending_shows_its_progress(world, client_for):
    survey, _q = build_survey(world)
    with scope(tenant=world.halton):
        survey_status_set(survey=survey, actor=world.admin, status=SurveyStatus.OPEN)
        contact_build(world.youth_org, actor=world.admin, name="Desk", email="desk@youth.example")
    client = client_for("admin")
    mail.outbox.clear()
    with TestCase.captureOnCommitCallbacks(execute=True):
        sent = client.post(
            reverse("manage:survey-invite", kwargs={"tenant_slug": "halton", "pk": survey.pk}),
            {"members": "on", "contacts": "on"},
        )
    assert sent.status_code == 302
    progress = client.get(sent["Location"]).content.decode()
    addresses = sorted(m.to[0] for m in mail.outbox)
    assert "desk@youth.example" in addresses and "member@halton.example" in addresses
    assert f"{len(addresses)} of {len(addresses)} handled" in progress
    # Nobody is invited twice.
    again = client.post(
        reverse("manage:survey-invite", kwargs={"tenant_slug": "halton", "pk": survey.pk}),
        {"members": "on", "contacts": "on"},
    )
    assert again.status_code == 302 and len(mail.outbox) == len(addresses)


# -- query budgets -----------------------------------------------------------------------------


def _queries(client: Client, url: str) -> int:
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_results_and_lists_hold_their_query_count_as_answers_grow(world, client_for):
    survey, q = build_survey(world)
    with scope(tenant=world.halton):
        survey_status_set(survey=survey, actor=world.admin, status=SurveyStatus.OPEN)
    client = client_for("admin")
    urls = [
        reverse("survey-results", kwargs={"tenant_slug": "halton", "pk": survey.pk}),
        reverse("manage:survey", kwargs={"tenant_slug": "halton", "pk": survey.pk}),
        reverse("manage:surveys", kwargs={"tenant_slug": "halton"}),
        reverse("survey-list", kwargs={"tenant_slug": "halton"}),
    ]

    def answer(count: int, start: int) -> None:
        with scope(tenant=world.halton):
            for n in range(start, start + count):
                invitation = SurveyInvitation.objects.create(
                    tenant=world.halton, survey=survey, email=f"p{n}@example.org",
                    organization=world.police_org if n % 2 else world.youth_org,
                    token_hash=f"{n:064d}",
                )  # fmt: skip
                survey_response_submit(invitation=invitation, answers=_answers(q))

    answer(3, 0)
    client.get(urls[0])  # the session's first request records the session itself

    def counts() -> list[int]:
        # The lower of two reads: the session's "last seen" is refreshed now and then,
        # whatever the page, and is not this page's cost.
        return [min(_queries(client, url), _queries(client, url)) for url in urls]

    small = counts()
    answer(27, 3)
    assert counts() == small
    assert max(small) <= 25, small


# -- escaping on the respondent's pages and in the emails ------------------------------------

PAYLOAD = '<script>alert(1)</script>"><img src=x onerror=alert(1)><b hx-get="/x" hx-trigger="load">'


def test_planted_markup_is_escaped_on_the_link_pages_and_in_the_emails(world: World) -> None:
    h, admin = world.halton, world.admin
    with scope(tenant=h):
        survey = survey_create(
            tenant=h, actor=admin, title=f"T{PAYLOAD}", title_fr=f"F{PAYLOAD}",
            intro=f"I{PAYLOAD}", intro_fr=f"J{PAYLOAD}",
        )  # fmt: skip
        section = survey.sections.get()
        from engagement.services.surveys import survey_section_update

        survey_section_update(
            section=section, actor=admin, title=f"S{PAYLOAD}", title_fr=f"G{PAYLOAD}",
            description=f"D{PAYLOAD}", description_fr=f"E{PAYLOAD}",
        )  # fmt: skip
        gate = survey_question_add(
            section=section, actor=admin, kind=QuestionKind.SINGLE, text=f"Q{PAYLOAD}",
            text_fr=f"R{PAYLOAD}", help_text=f"H{PAYLOAD}"[:300], help_text_fr=f"K{PAYLOAD}",
            options=[(f"A{PAYLOAD}", f"B{PAYLOAD}"), ("Two", "Deux")], allows_other=True,
        )  # fmt: skip
        survey_question_add(
            section=section, actor=admin, kind=QuestionKind.SHORT_TEXT, text="Why?",
            show_if=gate, show_if_value="o1", is_required=True,
        )  # fmt: skip
    links = open_and_invite(world, survey, ["a@example.org"])
    client = Client()
    url = links["a@example.org"]
    client.post(url, {f"q{gate.pk}": "other", f"q{gate.pk}_other": f"O{PAYLOAD}", "action": "save"})
    pages = [client.get(url)]
    pages.append(client.post(url, {f"q{gate.pk}": "o1", "action": "finish"}))
    assert pages[-1].status_code == 400  # "Why?" is now required: the page again, with errors
    message = mail.outbox[0]
    html = message.alternatives[0][0]
    for body in [p.content.decode() for p in pages] + [html]:
        assert PAYLOAD not in body
        assert "<script>alert" not in body and "<img src=x" not in body
        assert 'hx-get="/x"' not in body
    assert "&lt;script&gt;" in pages[0].content.decode()
    assert "Q&lt;script&gt;" in pages[0].content.decode()
