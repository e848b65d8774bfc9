"""The demo's 2023 partner engagement survey, for `seed_demo`: sent to about 150 contacts of
the demo organizations, answered by 143 of them so that 93% say their organization benefits,
its results published, and its sector breakdowns small enough in places to show suppression."""

from __future__ import annotations

from datetime import date

from django.utils import timezone
from django_scopes import scope

from cswb.models import Tenant, User
from engagement.models import QuestionKind, Survey, SurveyInvitation, SurveyStatus
from engagement.services.surveys import (
    survey_create,
    survey_question_add,
    survey_response_submit,
    survey_section_add,
    survey_status_set,
    survey_update,
)
from partners.models import Contact, Organization
from partners.services.organizations import contact_create

TITLE = "2023 partner engagement survey"
INVITED = 150
ANSWERED = 143
SAY_NO = 10  # 133 of 143 say yes: 93%
ROLES = ["Program staff", "Manager", "Executive director", "Front-line worker"]


def _contacts(tenant: Tenant, admin: User) -> list[Contact]:
    """Enough contacts across the demo organizations to invite 150 people."""
    organizations = list(Organization.objects.filter(is_active=True).order_by("name"))
    contacts = list(Contact.objects.select_related("organization").order_by("pk"))
    n = 0
    while len(contacts) < INVITED and organizations:
        org = organizations[n % len(organizations)]
        role = ROLES[(n // len(organizations)) % len(ROLES)]
        email = f"survey{n:03d}@{org.slug[:40]}.example"
        if not Contact.objects.filter(organization=org, email=email).exists():
            contacts.append(
                contact_create(
                    organization=org, name=f"{role}, {org.name}", email=email, actor=admin
                )
            )
        n += 1
    return contacts[:INVITED]


def demo_surveys_seed(*, halton: Tenant, people: dict[str, User], **_: object) -> None:
    admin = people["admin@halton.example"]
    with scope(tenant=halton):
        if Survey.objects.filter(title=TITLE).exists():
            return
        survey = survey_create(
            tenant=halton, actor=admin, title=TITLE,
            title_fr="Sondage 2023 sur l'engagement des partenaires",
            intro="How well does the CSWB plan work for your organization? Your answers shape "
            "what the plan does next.",
            intro_fr="Le plan SBEC fonctionne-t-il bien pour votre organisme ? Vos réponses "
            "orientent la suite.",
            is_anonymous=True,
        )  # fmt: skip
        first = survey.sections.get()
        benefit = survey_question_add(
            section=first, actor=admin, kind=QuestionKind.YES_NO, is_required=True,
            text="Does your organization benefit from taking part in the CSWB plan?",
            text_fr="Votre organisme profite-t-il de sa participation au plan SBEC ?",
        )  # fmt: skip
        part = survey_question_add(
            section=first, actor=admin, kind=QuestionKind.SINGLE, allows_other=True,
            text="How does your organization take part?",
            text_fr="Comment votre organisme participe-t-il ?",
            options=[
                ("Leads a table", "Dirige une table"),
                ("Member of a table", "Membre d'une table"),
                ("Advisory", "Consultatif"),
                ("Not at a table yet", "Pas encore à une table"),
            ],
        )  # fmt: skip
        priorities = survey_question_add(
            section=first, actor=admin, kind=QuestionKind.LIKERT,
            text="The plan's priorities reflect our community's needs.",
            text_fr="Les priorités du plan reflètent les besoins de notre collectivité.",
        )  # fmt: skip
        progress = survey_question_add(
            section=first, actor=admin, kind=QuestionKind.LIKERT,
            text="We hear enough about the plan's progress, outcomes and impact.",
            text_fr="Nous sommes assez informés des progrès, des résultats et des effets du plan.",
        )  # fmt: skip
        staff = survey_question_add(
            section=first, actor=admin, kind=QuestionKind.NUMBER,
            text="How many of your staff take part in action tables?",
            text_fr="Combien de vos employés participent aux tables d'action ?",
        )  # fmt: skip
        second = survey_section_add(
            survey=survey, actor=admin, title="What would make it better",
            title_fr="Ce qui l'améliorerait",
        )  # fmt: skip
        obstacle = survey_question_add(
            section=second, actor=admin, kind=QuestionKind.SHORT_TEXT,
            text="What stands in the way of benefiting?", text_fr="Qu'est-ce qui vous en empêche ?",
            show_if=benefit, show_if_value="no",
        )  # fmt: skip
        better = survey_question_add(
            section=second, actor=admin, kind=QuestionKind.MULTIPLE, allows_other=True,
            text="What would strengthen the plan?", text_fr="Qu'est-ce qui renforcerait le plan ?",
            options=[
                ("More communication on progress and impact", "Plus de communication"),
                ("More voices of people with lived experience", "Plus de voix vécues"),
                ("More diverse, representative table membership", "Des tables plus diversifiées"),
                ("Fewer, shorter meetings", "Des réunions moins nombreuses"),
            ],
        )  # fmt: skip
        lived = survey_question_add(
            section=second, actor=admin, kind=QuestionKind.YES_NO,
            text="Do people with lived experience take part in decisions at your tables?",
            text_fr="Des personnes ayant une expérience vécue participent-elles aux décisions ?",
        )  # fmt: skip
        comments = survey_question_add(
            section=second, actor=admin, kind=QuestionKind.LONG_TEXT,
            text="Anything else you would like the plan to hear?",
            text_fr="Autre chose à dire au plan ?",
        )  # fmt: skip
        survey_status_set(survey=survey, actor=admin, status=SurveyStatus.OPEN)
        # Invited as the send would have (the demo sends no mail): one link each.
        contacts = _contacts(halton, admin)
        invitations = SurveyInvitation.objects.bulk_create(
            SurveyInvitation(
                tenant=halton,
                survey=survey,
                contact=c,
                organization_id=c.organization_id,
                email=c.email,
                name=c.name,
            )
            for c in contacts
        )
        # Answered within the survey's dates: the services take the day from the clock.
        say_no = set(range(7, ANSWERED, ANSWERED // SAY_NO)[:SAY_NO])
        for i, invitation in enumerate(invitations[:ANSWERED]):
            no = i in say_no
            answers = {
                str(benefit.pk): {"values": ["no" if no else "yes"]},
                str(part.pk): {"values": ["o1" if i % 9 == 0 else "o2" if i % 3 else "o3"]},
                str(priorities.pk): {"values": ["2" if no else ["4", "5", "4", "3", "5"][i % 5]]},
                str(progress.pk): {"values": [["2", "3", "3", "4", "na"][i % 5]]},
                str(staff.pk): {"number": str(1 + i % 6)},
                str(better.pk): {"values": ["o1", "o2"] if i % 2 else ["o1", "o3"]},
                str(lived.pk): {"values": ["yes" if i % 3 else "no"]},
            }
            if no:
                answers[str(obstacle.pk)] = {"text": "Too few staff to attend."}
            if i % 11 == 0:
                answers[str(comments.pk)] = {"text": "Tell us more often what changed."}
            survey_response_submit(invitation=invitation, answers=answers)
        # The responses are dated the day the seed ran; the demo's survey is of spring 2023.
        survey.responses.update(submitted_on=date(2023, 5, 1))
        SurveyInvitation.objects.filter(survey=survey, used_on__isnull=False).update(
            used_on=date(2023, 5, 1)
        )
        survey_status_set(survey=survey, actor=admin, status=SurveyStatus.CLOSED)
        survey_update(
            survey=survey, actor=admin, opens_on=date(2023, 4, 3), closes_on=date(2023, 5, 12)
        )
        survey_status_set(survey=survey, actor=admin, status=SurveyStatus.PUBLISHED)
        Survey.objects.filter(pk=survey.pk).update(
            opened_at=timezone.make_aware(timezone.datetime(2023, 4, 3, 9)),
            closed_at=timezone.make_aware(timezone.datetime(2023, 5, 13, 9)),
            published_at=timezone.make_aware(timezone.datetime(2023, 6, 1, 9)),
        )
