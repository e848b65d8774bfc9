"""Demo data of the engagement app for `seed_demo` (registered in its AppConfig): the six
recommendations of a 2023 partner engagement with accompanying actions across the demo tables
and the plan's own, a few representation goals, and enough voluntary self-identifications from
demo digest contacts that the counts show one group and withhold the small ones. Idempotent.

member@ is left without a self-identification, for the demo's "fill it in yourself"."""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone
from django_scopes import scope

from cswb.models import Tenant, TenantMembership, User
from engagement.models import (
    PlanAction,
    Recommendation,
    RepresentationGoal,
    SelfIdentification,
    Survey,
)
from engagement.services.identity import representation_goal_add, self_identification_save
from engagement.services.recommendations import (
    plan_action_create,
    plan_action_update,
    recommendation_action_link,
    recommendation_create,
    recommendation_update,
)
from partners.models import Contact, Organization
from partners.services.organizations import contact_create
from tables.models import Action, ActionTable

SOURCE = "2023 partner engagement (150 partners)"
SOURCE_DATE = date(2023, 12, 1)

# number, title, theme, what partners said, action titles at the tables, the plan's own actions
RECOMMENDATIONS = [
    (
        1,
        "More communication and transparency on progress, outcomes and impact",
        "Communication and transparency",
        "93% of partners said their organization benefits from taking part. Many asked to hear "
        "more often what the tables achieve, and what difference it makes.",
        ["Report progress to the system leadership table", "Publish a service directory"],
        [("Send a progress digest to every partner", "done"),
         ("Publish the “you said, we did” page", "done")],
    ),
    (
        2,
        "More equity-deserving voices and people with lived experience in decisions",
        "Equity and lived experience",
        "Partners asked that people with lived and living experience, and equity-deserving "
        "communities, help decide, not only be consulted.",
        ["Recruit two lived-experience advisors", "Hold a community listening session"],
        [("Pay honoraria to lived-experience advisors", "in_progress")],
    ),
    (
        3,
        "More diverse, representative table membership",
        "Membership",
        "Partners said the tables do not yet look like the communities they serve.",
        ["Recruit two lived-experience advisors"],
        [("Invite voluntary self-identification of members and contacts", "done"),
         ("Set representation goals at every table", "in_progress")],
    ),
    (
        4,
        "Clear roles and expectations for partners at the tables",
        "Governance",
        "Newer partners were unsure what taking part asks of them and what they can expect.",
        ["Agree a shared intake form", "Map referral pathways"],
        [("Write a one-page partner charter", "planned")],
    ),
    (
        5,
        "Shared data to measure outcomes, not only activity",
        "Data and measurement",
        "Partners want to see whether people are better off, using data they can trust.",
        ["Draft a data-sharing agreement", "Evaluate the pilot against its measures"],
        [],
    ),
    (
        6,
        "Sustained resources for partners' participation",
        "Capacity",
        "Smaller agencies said taking part stretches them; they asked for support to stay.",
        ["Secure funding for the next phase", "Train frontline staff"],
        [],
    ),
]  # fmt: skip

# Demo digest contacts who self-identified (invented people at invented organizations).
SELF_IDENTIFIED = [
    ("Kinship Youth Services", "Youth programs desk", "youth@kinship.example"),
    ("Bronte Mental Health Clinic", "Peer support team", "peers@bronte.example"),
    ("Halton Crisis Line", "Volunteer coordinator", "volunteers@crisisline.example"),
    ("Maple Grove District School Board", "Student wellness office", "wellness@maplegrove.example"),
    ("St. Ignatius Catholic Board", "Chaplaincy", "chaplaincy@stignatius.example"),
    ("North Halton Food Collective", "Pantry leads", "pantry@northhaltonfood.example"),
    ("Oakridge Community Services", "Settlement desk", "settlement@oakridge.example"),
    ("Burloak Settlement Agency", "Newcomer services", "newcomers@burloak.example"),
    ("Harbourfront Legal Clinic", "Intake", "intake@harbourfront.example"),
    ("Trailhead Youth Shelter", "Night staff", "night@trailhead.example"),
]
# Five say yes to lived experience (shown: five and five); two are Indigenous (withheld, with
# the count that would give it away).
ANSWERS = [
    {"lived_experience": "yes", "indigenous": "yes", "youth": "yes"},
    {"lived_experience": "yes", "racialized": "yes"},
    {"lived_experience": "yes", "2slgbtqi": "prefer_not"},
    {"lived_experience": "yes", "indigenous": "yes", "francophone": "yes"},
    {"lived_experience": "yes", "disability": "yes"},
    {"lived_experience": "no", "newcomer": "yes", "racialized": "yes"},
    {"lived_experience": "no", "newcomer": "yes"},
    {"lived_experience": "prefer_not", "senior": "yes"},
    {"lived_experience": "no"},
    {"lived_experience": "no", "youth": "yes"},
]


def demo_engagement_seed(*, halton: Tenant, people: dict[str, User], **_: object) -> None:
    admin = people["admin@halton.example"]
    with scope(tenant=halton):
        membership = TenantMembership.objects.get(user=admin)
        _recommendations(halton, admin, membership, people)
        _goals(halton, admin)
        _self_identifications(halton, admin)


def _recommendations(halton, admin, membership, people) -> None:
    owners = [people["leader@halton.example"], admin, people["coordinator@halton.example"]]
    today = timezone.localdate()
    # The engagement survey behind them, once the demo has it.
    survey = Survey.objects.filter(title__contains="2023").order_by("pk").first()
    for number, title, theme, said, action_titles, plan_actions in RECOMMENDATIONS:
        existing = Recommendation.objects.filter(number=number).first()
        if existing is not None:
            if survey is not None and existing.survey_id is None:
                recommendation_update(recommendation=existing, actor=admin, survey=survey)
            continue
        recommendation = recommendation_create(
            tenant=halton, actor=admin, number=number, title=title, theme=theme,
            source_report=SOURCE, source_date=SOURCE_DATE, partners_said=said, survey=survey,
            owner=owners[number % len(owners)],
            progress_method="weighted" if number % 2 else "plain",
        )  # fmt: skip
        # The matching actions of up to three tables; one action may serve several.
        for wanted in action_titles:
            actions = Action.objects.filter(title__startswith=wanted).select_related("table")
            for weight, action in enumerate(actions.order_by("table__name")[:3], start=1):
                recommendation_action_link(
                    recommendation=recommendation, action=action, actor=admin,
                    membership=membership, weight=weight,
                )  # fmt: skip
        for n, (plan_title, status) in enumerate(plan_actions):
            existing = PlanAction.objects.filter(title=plan_title).first()
            if existing is not None:
                continue
            plan_action = plan_action_create(
                recommendation=recommendation, actor=admin, title=plan_title, owner=admin,
                due_date=today + timedelta(days=30 * (n + 1)), weight=2,
            )  # fmt: skip
            for step in {"done": ["in_progress", "done"], "in_progress": ["in_progress"]}.get(
                status, []
            ):
                plan_action_update(
                    plan_action=plan_action, actor=admin, title=plan_title, status=step,
                    owner=admin, due_date=plan_action.due_date,
                )  # fmt: skip


def _goals(halton, admin) -> None:
    if RepresentationGoal.objects.exists():
        return
    goals = {
        "Youth mental health": [
            {"kind": "advisor", "target": 1, "note": "A young person with lived experience"},
            {"kind": "all_sectors"},
            {"kind": "group", "group": "lived_experience", "target": 2},
        ],
        "Intimate partner violence": [
            {"kind": "sector", "sector": "indigenous", "target": 1,
             "note": "An Indigenous-led organization at the table"},
            {"kind": "advisor", "target": 1},
        ],
    }  # fmt: skip
    for name, wanted in goals.items():
        table = ActionTable.objects.filter(name=name).first()
        if table is None:
            continue
        for goal in wanted:
            representation_goal_add(table=table, actor=admin, **goal)


def _self_identifications(halton, admin) -> None:
    for (org_name, name, email), answers in zip(SELF_IDENTIFIED, ANSWERS, strict=True):
        organization = Organization.objects.filter(name=org_name).first()
        if organization is None:
            continue
        contact = Contact.objects.filter(organization=organization, email=email).first()
        if contact is None:
            contact = contact_create(organization=organization, name=name, email=email, actor=admin)
        if SelfIdentification.objects.filter(contact=contact).exists():
            continue
        self_identification_save(
            tenant=halton, asked=list(answers), answers=answers, in_own_words="", consent=True,
            contact=contact,
        )  # fmt: skip
