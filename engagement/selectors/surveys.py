"""Reads of the surveys: the lists, the builder, the progress of a send, and the results,
each in a fixed number of queries however many questions, invitations or answers there are.

Results are counted in the database; a breakdown by sector hides every cell under
`SUPPRESS_UNDER` and then, in each row and column whose total is shown, one more cell
wherever a single hidden cell could be worked out from the total."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from statistics import median

from django.db.models import Count, Prefetch, Q, QuerySet

from cswb.models import TenantMembership, User
from engagement.models import (
    LIKERT_POINTS,
    OTHER_VALUE,
    YES_NO_POINTS,
    Answer,
    Question,
    QuestionKind,
    QuestionOption,
    Response,
    Survey,
    SurveyDelivery,
    SurveyDeliveryStatus,
    SurveyInvitation,
    SurveyMailing,
    SurveySection,
    SurveyStatus,
)
from partners.models import Contact, OrganizationMembership, Sector

SUPPRESS_UNDER = 5
NO_SECTOR = "none"


@dataclass(frozen=True)
class Invitee:
    """Someone a survey can be sent to: a member (user) or an organization's contact."""

    email: str
    name: str
    user: User | None = None
    contact: Contact | None = None
    organization_id: int | None = None


def surveys_for_admin() -> list[Survey]:
    return list(
        Survey.objects.annotate(
            response_count=Count("responses", distinct=True),
            invitation_count=Count("invitations", distinct=True),
        ).order_by("-created_at", "-id")
    )


def surveys_published() -> list[Survey]:
    return list(
        Survey.objects.filter(status=SurveyStatus.PUBLISHED)
        .annotate(response_count=Count("responses"))
        .order_by("-published_at", "-id")
    )


def survey_sections(survey: Survey) -> list[SurveySection]:
    """Sections in order, each with its questions (and their options and conditions)."""
    questions = Question.objects.select_related("show_if").prefetch_related(
        Prefetch("options", queryset=QuestionOption.objects.order_by("position", "id"))
    )
    return list(
        survey.sections.order_by("position", "id").prefetch_related(
            Prefetch("questions", queryset=questions.order_by("position", "id"))
        )
    )


def survey_questions(sections: list[SurveySection]) -> list[Question]:
    return [q for section in sections for q in section.questions.all()]


# -- invitations and sending -------------------------------------------------------------------


@dataclass(frozen=True)
class MailingProgress:
    mailing: SurveyMailing
    total: int
    sent: int
    skipped: int
    failed: int

    @property
    def done(self) -> int:
        return self.sent + self.skipped + self.failed

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 100

    @property
    def finished(self) -> bool:
        return self.done >= self.total


def _progress_annotations() -> dict[str, Count]:
    return {
        "total": Count("deliveries"),
        "sent": Count("deliveries", filter=Q(deliveries__status=SurveyDeliveryStatus.SENT)),
        "skipped": Count("deliveries", filter=Q(deliveries__status=SurveyDeliveryStatus.SKIPPED)),
        "failed": Count("deliveries", filter=Q(deliveries__status=SurveyDeliveryStatus.FAILED)),
    }


def _progress(mailing: SurveyMailing) -> MailingProgress:
    return MailingProgress(
        mailing=mailing,
        total=mailing.total,
        sent=mailing.sent,
        skipped=mailing.skipped,
        failed=mailing.failed,
    )


def survey_mailings(survey: Survey) -> list[MailingProgress]:
    mailings = (
        SurveyMailing.objects.filter(survey=survey)
        .select_related("created_by")
        .annotate(**_progress_annotations())
        .order_by("-created_at", "-id")
    )
    return [_progress(m) for m in mailings]


def mailing_progress(mailing_id: int, survey: Survey) -> MailingProgress | None:
    mailing = (
        SurveyMailing.objects.filter(pk=mailing_id, survey=survey)
        .select_related("created_by")
        .annotate(**_progress_annotations())
        .first()
    )
    return _progress(mailing) if mailing else None


def mailing_failures(mailing: SurveyMailing) -> list[SurveyDelivery]:
    return list(
        SurveyDelivery.objects.filter(mailing=mailing, status=SurveyDeliveryStatus.FAILED)
        .select_related("invitation")
        .order_by("invitation__email")[:50]
    )


def survey_invitations(survey: Survey) -> QuerySet[SurveyInvitation]:
    """Who was invited and whether they finished, for the admin (paginated by the view)."""
    return survey.invitations.select_related("organization").order_by("name", "email", "pk")


@dataclass(frozen=True)
class InvitationCounts:
    invited: int
    answered: int
    started: int

    @property
    def waiting(self) -> int:
        return self.invited - self.answered


def invitation_counts(survey: Survey) -> InvitationCounts:
    counts = survey.invitations.aggregate(
        invited=Count("pk"),
        answered=Count("pk", filter=Q(used_on__isnull=False)),
        started=Count("pk", filter=Q(used_on__isnull=True, draft__isnull=False)),
    )
    return InvitationCounts(**counts)


# -- results -----------------------------------------------------------------------------------


@dataclass
class Cell:
    count: int
    suppressed: bool = False


@dataclass
class BreakdownRow:
    label: str
    total: Cell
    cells: list[Cell]


@dataclass
class Breakdown:
    columns: list[str]
    rows: list[BreakdownRow]

    @property
    def any_suppressed(self) -> bool:
        return any(r.total.suppressed or any(c.suppressed for c in r.cells) for r in self.rows)


@dataclass
class ChoiceRow:
    value: str
    label: str
    label_fr: str
    count: int
    percent: int


@dataclass
class QuestionResult:
    question: Question
    n: int
    rows: list[ChoiceRow] = field(default_factory=list)
    mean: Decimal | None = None
    median: Decimal | None = None
    low: Decimal | None = None
    high: Decimal | None = None
    texts: list[str] = field(default_factory=list)  # admins only
    breakdown: Breakdown | None = None

    @property
    def is_closed(self) -> bool:
        return bool(self.rows) or self.question.kind not in (
            QuestionKind.NUMBER,
            QuestionKind.SHORT_TEXT,
            QuestionKind.LONG_TEXT,
        )

    @property
    def chart(self) -> list[dict[str, object]]:
        """Bars for the SVG (600 wide): one per answer, the longest 280 long."""
        top = max((r.count for r in self.rows), default=0) or 1
        return [
            {
                "row": r,
                "y": 8 + 32 * i,
                "text_y": 8 + 32 * i + 19,
                "width": round(280 * r.count / top, 1),
                "end": round(236 + 280 * r.count / top, 1),
            }
            for i, r in enumerate(self.rows)
        ]

    @property
    def chart_height(self) -> int:
        return 16 + 32 * len(self.rows)


@dataclass
class SurveyResults:
    survey: Survey
    n: int
    questions: list[QuestionResult]
    sections: list[SurveySection]


def answer_labels(question: Question) -> list[tuple[str, str, str]]:
    """Every answer a closed question offers, in order: (value, English, French)."""
    if question.kind == QuestionKind.LIKERT:
        return list(LIKERT_POINTS)
    if question.kind == QuestionKind.YES_NO:
        return list(YES_NO_POINTS)
    labels = [(o.key, o.label, o.label_fr) for o in question.options.all()]
    if question.allows_other:
        labels.append((OTHER_VALUE, "Other", "Autre"))
    return labels


def suppress(
    grid: list[list[int]], row_totals: list[int], threshold: int = SUPPRESS_UNDER
) -> tuple[list[list[bool]], list[bool]]:
    """Primary suppression (every cell and row total under the threshold), then
    complementary suppression until no shown total has exactly one hidden part: in each row
    (its cells, summing to its total), each column (summing to the question's count, which
    is shown) and the column of row totals (summing to n). The smallest shown part goes."""
    hidden = [[count < threshold for count in row] for row in grid]
    total_hidden = [total < threshold for total in row_totals]
    changed = True
    while changed:
        changed = False
        lines: list[tuple[list[tuple[str, int, int]], bool]] = []
        for r, row in enumerate(grid):
            lines.append(([("c", r, c) for c in range(len(row))], total_hidden[r]))
        width = len(grid[0]) if grid else 0
        for c in range(width):
            lines.append(([("c", r, c) for r in range(len(grid))], False))
        lines.append(([("t", r, 0) for r in range(len(grid))], False))
        for members, sum_hidden in lines:
            if sum_hidden:
                continue

            def is_hidden(m: tuple[str, int, int]) -> bool:
                return hidden[m[1]][m[2]] if m[0] == "c" else total_hidden[m[1]]

            def value(m: tuple[str, int, int]) -> int:
                return grid[m[1]][m[2]] if m[0] == "c" else row_totals[m[1]]

            if sum(1 for m in members if is_hidden(m)) != 1:
                continue
            shown = [m for m in members if not is_hidden(m)]
            if not shown:
                continue
            kind, r, c = min(shown, key=lambda m: (value(m), m[1], m[2]))
            if kind == "c":
                hidden[r][c] = True
            else:
                total_hidden[r] = True
            changed = True
    return hidden, total_hidden


def _breakdown(
    labels: list[tuple[str, str, str]],
    counts: dict[tuple[str, str], int],
    sector_n: dict[str, int],
) -> Breakdown | None:
    sectors = [s for s in [*Sector.values, NO_SECTOR] if sector_n.get(s)]
    if not sectors:
        return None
    grid = [[counts.get((s, value), 0) for value, _en, _fr in labels] for s in sectors]
    totals = [sector_n[s] for s in sectors]
    hidden, total_hidden = suppress(grid, totals)
    names = dict(Sector.choices) | {NO_SECTOR: "No organization"}
    rows = [
        BreakdownRow(
            label=str(names[s]),
            total=Cell(totals[i], total_hidden[i]),
            cells=[Cell(count, hidden[i][j]) for j, count in enumerate(grid[i])],
        )
        for i, s in enumerate(sectors)
    ]
    return Breakdown(columns=[en for _v, en, _fr in labels], rows=rows)


def survey_results(
    survey: Survey, *, with_texts: bool, with_breakdown: bool = True
) -> SurveyResults:
    """Counts, percentages and n of every question; number summaries; the sector breakdown
    (suppressed); and, for admins only (`with_texts`), the free text. A fixed number of
    queries: sections, questions, options, n, counts, numbers, breakdown, texts."""
    sections = survey_sections(survey)
    questions = survey_questions(sections)
    n = Response.objects.filter(survey=survey).count()
    answers = Answer.objects.filter(question__survey=survey)

    per_question = dict(
        answers.values("question_id")
        .annotate(n=Count("response_id", distinct=True))
        .values_list("question_id", "n")
    )
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    for qid, value, count in (
        answers.exclude(value="").values("question_id", "value").annotate(c=Count("pk"))
        .values_list("question_id", "value", "c")
    ):  # fmt: skip
        counts[qid][value] = count
    numbers: dict[int, list[Decimal]] = defaultdict(list)
    number_kinds = [q.pk for q in questions if q.kind == QuestionKind.NUMBER]
    if number_kinds:
        for qid, number in answers.filter(
            question_id__in=number_kinds, number__isnull=False
        ).values_list("question_id", "number"):
            numbers[qid].append(number)

    by_sector: dict[int, dict[tuple[str, str], int]] = defaultdict(dict)
    sector_n: dict[int, Counter[str]] = defaultdict(Counter)
    if with_breakdown:
        for qid, sector, value, count in (
            answers.exclude(value="")
            .values("question_id", "response__sector", "value")
            .annotate(c=Count("pk"))
            .values_list("question_id", "response__sector", "value", "c")
        ):
            by_sector[qid][(sector or NO_SECTOR, value)] = count
        for qid, sector, count in (
            answers.exclude(value="")
            .values("question_id", "response__sector")
            .annotate(c=Count("response_id", distinct=True))
            .values_list("question_id", "response__sector", "c")
        ):
            sector_n[qid][sector or NO_SECTOR] = count

    texts: dict[int, list[str]] = defaultdict(list)
    if with_texts:
        for qid, text in (
            answers.exclude(text="")
            .order_by("question_id", "text")
            .values_list("question_id", "text")
        ):
            texts[qid].append(text)

    results = []
    for question in questions:
        q_n = per_question.get(question.pk, 0)
        result = QuestionResult(question=question, n=q_n, texts=texts.get(question.pk, []))
        if question.kind in (QuestionKind.NUMBER,):
            values = sorted(numbers.get(question.pk, []))
            if values:
                result.mean = (sum(values) / len(values)).quantize(Decimal("0.1"))
                result.median = Decimal(median(values)).quantize(Decimal("0.1"))
                result.low, result.high = values[0].normalize(), values[-1].normalize()
        elif question.kind not in (QuestionKind.SHORT_TEXT, QuestionKind.LONG_TEXT):
            labels = answer_labels(question)
            result.rows = [
                ChoiceRow(
                    value=value,
                    label=en,
                    label_fr=fr,
                    count=counts[question.pk].get(value, 0),
                    percent=round(100 * counts[question.pk].get(value, 0) / q_n) if q_n else 0,
                )
                for value, en, fr in labels
            ]
            if with_breakdown:
                result.breakdown = _breakdown(
                    labels, by_sector.get(question.pk, {}), sector_n.get(question.pk, {})
                )
        results.append(result)
    return SurveyResults(survey=survey, n=n, questions=results, sections=sections)


def survey_raw_rows(survey: Survey) -> tuple[list[str], list[list[object]]]:
    """Every response, one row each, for the admins' raw export. Never a token or an
    invitation; for an anonymous survey, no person and no organization either (the response
    holds none to give)."""
    questions = survey_questions(survey_sections(survey))
    header = ["response", "submitted on", "sector"]
    if not survey.is_anonymous:
        header += ["respondent", "organization"]
    header += [q.text for q in questions]
    responses = list(
        Response.objects.filter(survey=survey)
        .select_related("organization")
        .prefetch_related("answers")
        .order_by("submitted_on", "pk")
    )
    sector_names = dict(Sector.choices)
    labels = {q.pk: {v: en for v, en, _fr in answer_labels(q)} for q in questions}
    rows: list[list[object]] = []
    for number, response in enumerate(responses, start=1):
        by_question: dict[int, list[str]] = defaultdict(list)
        for answer in response.answers.all():
            if answer.value:
                part = labels[answer.question_id].get(answer.value, answer.value)
                if answer.value == OTHER_VALUE and answer.text:
                    part = f"Other: {answer.text}"
                by_question[answer.question_id].append(part)
            elif answer.number is not None:
                by_question[answer.question_id].append(str(answer.number.normalize()))
            else:
                by_question[answer.question_id].append(answer.text)
        row: list[object] = [
            number,
            response.submitted_on.isoformat(),
            str(sector_names.get(response.sector, "")),
        ]
        if not survey.is_anonymous:
            row += [
                response.respondent_name,
                response.organization.name if response.organization else "",
            ]
        row += ["; ".join(by_question.get(q.pk, [])) for q in questions]
        rows.append(row)
    return header, rows


def survey_aggregate_rows(results: SurveyResults) -> tuple[list[str], list[list[object]]]:
    """The aggregate export: question, answer, count, per cent, n. No free text."""
    header = ["section", "question", "answer", "count", "percent", "n"]
    rows: list[list[object]] = []
    for result in results.questions:
        q = result.question
        if result.rows:
            for row in result.rows:
                rows.append([q.section.title, q.text, row.label, row.count, row.percent, result.n])
        elif q.kind == QuestionKind.NUMBER:
            for label, value in (
                ("mean", result.mean), ("median", result.median),
                ("lowest", result.low), ("highest", result.high),
            ):  # fmt: skip
                rows.append(
                    [q.section.title, q.text, label, "" if value is None else value, "", result.n]
                )
        else:
            rows.append([q.section.title, q.text, "(free text, not exported)", "", "", result.n])
    return header, rows


def survey_invitees(*, members: bool, contacts: bool) -> list[Invitee]:
    """Everyone a survey can be sent to: active members (with their current organization,
    for the sector breakdown) and organizations' contacts. Two queries at most."""
    invitees: list[Invitee] = []
    if members:
        current = OrganizationMembership.objects.current().order_by("joined_on", "pk")
        for membership in (
            TenantMembership.objects.filter(is_active=True, user__is_active=True)
            .select_related("user")
            .prefetch_related(
                Prefetch("user__organization_memberships", queryset=current, to_attr="orgs")
            )
            .order_by("pk")
        ):
            user = membership.user
            orgs = [m for m in user.orgs if m.tenant_id == membership.tenant_id]
            invitees.append(
                Invitee(
                    email=user.email,
                    name=user.display_name,
                    user=user,
                    organization_id=orgs[0].organization_id if orgs else None,
                )
            )
    if contacts:
        for contact in Contact.objects.filter(organization__is_active=True).order_by("pk"):
            invitees.append(
                Invitee(
                    email=contact.email,
                    name=contact.name,
                    contact=contact,
                    organization_id=contact.organization_id,
                )
            )
    return invitees
