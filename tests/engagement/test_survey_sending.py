"""Survey invitations and reminders end to end: queued after commit, sent by a real Celery
worker over the test Redis to a real SMTP server, with the send's progress on the admin's
page; and a task delivered twice sends nothing twice."""

from __future__ import annotations

import re
import time

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django_scopes import scope

from engagement.models import (
    QuestionKind,
    SurveyDelivery,
    SurveyDeliveryStatus,
    SurveyInvitation,
    SurveyStatus,
)
from engagement.selectors.surveys import Invitee
from engagement.services.surveys import (
    survey_create,
    survey_invite,
    survey_question_add,
    survey_remind,
    survey_status_set,
    survey_token_hash,
)
from engagement.tasks import survey_mailing_send

from ..conftest import World

pytestmark = pytest.mark.django_db(transaction=True)
LINK = re.compile(r"http://testserver/surveys/answer/([\w-]+)/")
PEOPLE = 60  # two batches


def _worker_env(sink) -> dict[str, str]:
    return {
        "TEST_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": sink.host,
        "EMAIL_PORT": str(sink.port),
    }


def _settled(world: World, mailing, timeout: float = 90) -> dict[str, int]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with scope(tenant=world.halton):
            statuses = list(
                SurveyDelivery.objects.filter(mailing=mailing).values_list("status", flat=True)
            )
        if SurveyDeliveryStatus.PENDING not in statuses:
            return {s: statuses.count(s) for s in set(statuses)}
        time.sleep(0.2)
    raise AssertionError("the mailing did not finish")


def test_invitations_and_reminders_go_through_a_real_worker(world: World, sink, celery_workers):
    with scope(tenant=world.halton):
        survey = survey_create(tenant=world.halton, actor=world.admin, title="Check-in")
        survey_question_add(
            section=survey.sections.get(), actor=world.admin, kind=QuestionKind.YES_NO,
            text="Useful?",
        )  # fmt: skip
        survey_status_set(survey=survey, actor=world.admin, status=SurveyStatus.OPEN)
    celery_workers(_worker_env(sink))
    people = [Invitee(email=f"desk{n:02d}@agency.example", name=f"Desk {n}") for n in range(PEOPLE)]
    with scope(tenant=world.halton), transaction.atomic():
        mailing = survey_invite(survey=survey, actor=world.admin, invitees=people)
        # Nothing leaves before the commit.
        assert sink.messages == []
    assert _settled(world, mailing) == {SurveyDeliveryStatus.SENT: PEOPLE}
    assert sink.addresses() == sorted(p.email for p in people)

    # The admin sees the finished send.
    admin = Client()
    admin.force_login(world.admin)
    page = admin.get(
        reverse(
            "manage:survey-mailing",
            kwargs={"tenant_slug": "halton", "pk": survey.pk, "mailing_pk": mailing.pk},
        )
    ).content.decode()
    assert f"{PEOPLE} of {PEOPLE} handled" in page and "Done." in page

    # Each email carries its own link, and the database only its hash.
    message = sink.to("desk07@agency.example")[0]
    token = LINK.search(message.get_body(("plain",)).get_content()).group(1)
    with scope(tenant=world.halton):
        invitation = SurveyInvitation.objects.get(email="desk07@agency.example")
    assert invitation.token_hash == survey_token_hash(token)
    assert Client().get(f"/surveys/answer/{token}/").status_code == 200

    # The same task delivered again sends nothing.
    with scope(tenant=world.halton):
        ids = list(SurveyDelivery.objects.filter(mailing=mailing).values_list("pk", flat=True))
    assert survey_mailing_send.delay(tenant_id=world.halton.pk, delivery_ids=ids).get(
        timeout=60
    ) == {"sent": 0, "skipped": 0, "failed": 0}
    assert len(sink.messages) == PEOPLE

    # One person answers; the reminder goes to the others only, with a new link.
    with scope(tenant=world.halton):
        question = survey.questions.get()
    done = Client().post(
        f"/surveys/answer/{token}/", {f"q{question.pk}": "yes", "action": "finish"}
    )
    assert done.status_code == 200
    with scope(tenant=world.halton), transaction.atomic():
        reminders = survey_remind(survey=survey, actor=world.admin)
    assert _settled(world, reminders) == {SurveyDeliveryStatus.SENT: PEOPLE - 1}
    reminded = sink.messages[PEOPLE:]
    assert len(reminded) == PEOPLE - 1
    assert "desk07@agency.example" not in {str(m["To"]) for m in reminded}
    assert all(str(m["Subject"]).startswith("Reminder:") for m in reminded)
