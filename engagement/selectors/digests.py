"""What goes into a digest, and to whom: the reads behind every digest, done a batch at a time
in a fixed number of queries however many recipients and tables the batch spans."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property, partial
from types import SimpleNamespace

from django.conf import settings
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Lower
from django.urls import reverse

from cswb.models import ActivityEvent, Tenant, TenantMembership, TenantRole
from cswb.selectors import member_by_email
from engagement.models import RecommendationStatus
from engagement.selectors.recommendations import (
    RecommendationHistory,
    recommendations_with_links,
)
from partners.models import Contact
from tables.access import table_ids_by_member
from tables.models import (
    ACTION_OPEN_STATUSES,
    Action,
    ActionStatus,
    ActionTable,
    Measure,
    Meeting,
    MeetingStatus,
    Observation,
    TableOrganization,
    Visibility,
)
from tables.selectors.outcomes import trend_sentence

# Each list in a table's section stops here, with "and N more" linking to the page.
ITEMS_PER_LIST = 8
UPCOMING_DAYS = 14
MEMBERSHIP_VERBS = (
    "table.seat_added",
    "table.seat_ended",
    "table.organization_joined",
    "table.organization_left",
)


def contact_key(email: str) -> str:
    """A contact's recipient key: stable per address, one per tenant however many
    organizations list it, and not the address itself (keys travel in links)."""
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:24]
    return f"contact:{digest}"


def user_key(user_id: int) -> str:
    return f"user:{user_id}"


@dataclass(frozen=True)
class Recipient:
    key: str
    email: str
    name: str
    user_id: int | None = None
    role: str = ""  # the tenant role of a member; empty for a contact
    organization_ids: tuple[int, ...] = ()  # a contact's organizations


def recipients_for_tenant(*, tenant: Tenant) -> list[Recipient]:
    """Every active member with an account, then every digest contact whose address is not
    already a member's (one digest per address)."""
    recipients: list[Recipient] = []
    seen: set[str] = set()
    memberships = (
        TenantMembership.objects.filter(tenant=tenant, is_active=True, user__is_active=True)
        .order_by("user_id")
        .values_list("user_id", "user__email", "user__full_name", "role")
    )
    for user_id, email, full_name, role in memberships:
        seen.add(email.lower())
        recipients.append(
            Recipient(
                key=user_key(user_id), email=email, name=full_name, user_id=user_id, role=role
            )
        )
    recipients += contact_recipients(exclude=seen).values()
    return recipients


def recipient_for_key(*, tenant: Tenant, key: str) -> Recipient | None:
    """One recipient by key (for previews and unsubscribe pages)."""
    kind, _, value = key.partition(":")
    if kind == "user" and value.isdigit():
        row = (
            TenantMembership.objects.filter(
                tenant=tenant, user_id=int(value), is_active=True, user__is_active=True
            )
            .values_list("user_id", "user__email", "user__full_name", "role")
            .first()
        )
        if row:
            return Recipient(key=key, email=row[1], name=row[2], user_id=row[0], role=row[3])
        return None
    if kind == "contact":
        return contact_recipients().get(key)
    return None


def recipient_for_email(*, tenant: Tenant, email: str) -> Recipient | None:
    membership = member_by_email(email)
    if membership:
        return recipient_for_key(tenant=tenant, key=user_key(membership.user_id))
    return recipient_for_key(tenant=tenant, key=contact_key(email.strip()))


def contact_recipients(
    *, emails: Iterable[str] | None = None, exclude: Iterable[str] = ()
) -> dict[str, Recipient]:
    """The current tenant's digest contacts as recipients by key: one per address, named as
    its first contact, following all the organizations that list it. `emails` limits the
    read to those addresses; `exclude` drops addresses (members get their own digest)."""
    rows = Contact.objects.filter(receives_digest=True, organization__is_active=True).annotate(
        address=Lower("email")
    )
    if emails is not None:
        rows = rows.filter(address__in={e.strip().lower() for e in emails})
    excluded = {e.lower() for e in exclude}
    found: dict[str, list[tuple[int, str, str]]] = defaultdict(list)
    for organization_id, address, name in rows.order_by("pk").values_list(
        "organization_id", "address", "name"
    ):
        if address not in excluded:
            found[address].append((organization_id, address, name))
    return {
        contact_key(address): Recipient(
            key=contact_key(address),
            email=address,
            name=entries[0][2],
            organization_ids=tuple(sorted({org for org, _, _ in entries})),
        )
        for address, entries in found.items()
    }


def followed_tables(*, tenant: Tenant, recipients: Sequence[Recipient]) -> dict[str, set[int]]:
    """The tables each recipient's digest covers, in five queries for any number of them.

    A member follows the tables they hold a seat at or their organization takes part in
    (their grants, which include members-only tables they belong to); admins and leadership
    also follow every plan-wide table. A contact follows the plan-wide tables their
    organization takes part in: members-only tables go to their members' accounts only."""
    user_ids = [r.user_id for r in recipients if r.user_id]
    follows: dict[str, set[int]] = {r.key: set() for r in recipients}
    by_user = {r.user_id: r.key for r in recipients if r.user_id}
    if user_ids:
        for user_id, table_ids in table_ids_by_member(user_ids).items():
            follows[by_user[user_id]] |= table_ids
        overseers = [r for r in recipients if r.role in (TenantRole.ADMIN, TenantRole.LEADERSHIP)]
        if overseers:
            plan_wide = set(
                ActionTable.objects.filter(visibility=Visibility.TENANT).values_list(
                    "pk", flat=True
                )
            )
            for r in overseers:
                follows[r.key] |= plan_wide
    contacts = [r for r in recipients if r.organization_ids]
    if contacts:
        by_org: dict[int, set[int]] = defaultdict(set)
        participations = (
            TableOrganization.objects.current()
            .filter(
                organization_id__in={o for r in contacts for o in r.organization_ids},
                table__visibility=Visibility.TENANT,
            )
            .values_list("organization_id", "table_id")
        )
        for organization_id, table_id in participations:
            by_org[organization_id].add(table_id)
        for r in contacts:
            for organization_id in r.organization_ids:
                follows[r.key] |= by_org[organization_id]
    return follows


@dataclass
class Entry:
    """One line of a digest: what happened, where to read more, and when (for windowing).
    The address is worked out only for the lines a digest shows, once."""

    at: datetime
    text: str
    link: Callable[[], str] | str = ""
    detail: str = ""
    key: object = None

    @cached_property
    def url(self) -> str:
        return self.link() if callable(self.link) else self.link


@dataclass
class TableSection:
    table_id: int
    name: str
    url: str
    members_only: bool
    completed: list[Entry] = field(default_factory=list)
    new: list[Entry] = field(default_factory=list)
    overdue: list[Entry] = field(default_factory=list)
    observations: list[Entry] = field(default_factory=list)
    held: list[Entry] = field(default_factory=list)
    upcoming: list[Entry] = field(default_factory=list)
    membership: list[Entry] = field(default_factory=list)
    overdue_total: int = 0
    more: dict[str, int] = field(default_factory=dict)
    # Rendered once per batch however many recipients share it (see services.digest_message).
    rendered: dict[str, str] = field(default_factory=dict, repr=False, compare=False)

    LISTS = ("completed", "new", "overdue", "observations", "held", "upcoming", "membership")
    LABELS = {
        "completed": "Actions completed",
        "new": "New actions",
        "overdue": "Now overdue",
        "observations": "Outcomes recorded",
        "held": "Meetings held",
        "upcoming": "Coming up",
        "membership": "Membership changes",
    }

    @property
    def parts(self) -> list[tuple[str, list[Entry], int]]:
        """(heading, entries, how many more) for each list with something in it."""
        return [
            (self.LABELS[name], getattr(self, name), self.more.get(name, 0))
            for name in self.LISTS
            if getattr(self, name)
        ]

    @property
    def count(self) -> int:
        """What happened in the window (upcoming meetings alone do not make a digest)."""
        return sum(
            len(getattr(self, name)) + self.more.get(name, 0)
            for name in self.LISTS
            if name != "upcoming"
        )


@dataclass
class PlanSection:
    """A part of the digest about the whole plan rather than one table, shaped like a table's
    section so the same email templates draw it: the recommendations whose progress moved."""

    name: str
    url: str
    recommendations: list[Entry] = field(default_factory=list)
    members_only: bool = False
    overdue_total: int = 0
    more: dict[str, int] = field(default_factory=dict)
    rendered: dict[str, str] = field(default_factory=dict, repr=False, compare=False)

    LISTS = ("recommendations",)
    LABELS = {"recommendations": "Recommendations that moved"}

    @property
    def parts(self) -> list[tuple[str, list[Entry], int]]:
        return [(self.LABELS[n], getattr(self, n), 0) for n in self.LISTS if getattr(self, n)]

    @property
    def count(self) -> int:
        return sum(len(getattr(self, n)) for n in self.LISTS)


@dataclass
class Digest:
    recipient: Recipient
    window_start: datetime
    window_end: datetime
    sections: list[TableSection | PlanSection]

    @property
    def item_count(self) -> int:
        return sum(s.count for s in self.sections)

    @property
    def table_sections(self) -> list[TableSection]:
        return [s for s in self.sections if isinstance(s, TableSection)]

    @property
    def is_empty(self) -> bool:
        return self.item_count == 0


class DigestBuilder:
    """Everything a batch of digests needs, read once for the union of the recipients'
    tables over the union of their windows; each digest is then cut from it in memory."""

    def __init__(
        self,
        *,
        tenant: Tenant,
        recipients: Sequence[Recipient],
        windows: dict[str, tuple[datetime, datetime]],
    ) -> None:
        self.tenant = tenant
        self.tz = tenant.tzinfo
        self.windows = windows
        self.follows = followed_tables(tenant=tenant, recipients=recipients)
        table_ids = set().union(*self.follows.values()) if self.follows else set()
        self.tables: dict[int, dict] = {}
        self.entries: dict[str, dict[int, list[Entry]]] = {n: {} for n in TableSection.LISTS}
        self.overdue_totals: dict[int, int] = {}
        self._sections: dict[tuple[int, datetime, datetime], TableSection | None] = {}
        self._plan_sections: dict[tuple[datetime, datetime], PlanSection] = {}
        self._history: RecommendationHistory | None = None
        self._patterns: dict[tuple, tuple[str, str]] = {}
        if not table_ids or not windows:
            return
        lo = min(start for start, _ in windows.values())
        hi = max(end for _, end in windows.values())
        self._load(table_ids, lo, hi)

    # -- reading ---------------------------------------------------------------------------

    def _url(self, name: str, **kwargs: object) -> str:
        """The page's full address. Addresses with a `pk` reuse one reversed per table and
        page (thousands of lines share a few patterns)."""
        pk = kwargs.pop("pk", None)
        if pk is None:
            return settings.PORTAL_BASE_URL + reverse(
                name, kwargs={"tenant_slug": self.tenant.slug, **kwargs}
            )
        key = (name, *sorted(kwargs.items()))
        if key not in self._patterns:
            sample = reverse(name, kwargs={"tenant_slug": self.tenant.slug, **kwargs, "pk": 1})
            head, _, tail = sample.rpartition("/1/")
            self._patterns[key] = (settings.PORTAL_BASE_URL + head + "/", "/" + tail)
        head, tail = self._patterns[key]
        return f"{head}{int(pk)}{tail}"

    def _add(self, kind: str, table_id: int, entry: Entry) -> None:
        self.entries[kind].setdefault(table_id, []).append(entry)

    def _load(self, table_ids: set[int], lo: datetime, hi: datetime) -> None:
        for pk, name, slug, visibility in ActionTable.objects.filter(pk__in=table_ids).values_list(
            "pk", "name", "slug", "visibility"
        ):
            self.tables[pk] = {
                "name": name,
                "slug": slug,
                "url": self._url("tables:detail", table_slug=slug),
                "members_only": visibility == Visibility.MEMBERS,
            }
        slugs = {pk: t["slug"] for pk, t in self.tables.items()}

        def action_url(table_id: int, pk: int) -> Callable[[], str]:
            return partial(self._url, "tables:action", table_slug=slugs[table_id], pk=pk)

        actions = Action.objects.filter(table_id__in=table_ids).values_list(
            "pk", "table_id", "title", "owner_organization__name", "due_date", "created_at"
        )
        for pk, table_id, title, org, due, created in actions.filter(
            created_at__gte=lo, created_at__lt=hi
        ).order_by("created_at", "pk"):
            detail = " · ".join(x for x in [org or "", f"due {due:%-d %b %Y}" if due else ""] if x)
            self._add("new", table_id, Entry(created, title, action_url(table_id, pk), detail))
        for pk, table_id, title, org, _, completed in actions.filter(
            status=ActionStatus.DONE, completed_at__gte=lo, completed_at__lt=hi
        ).values_list(
            "pk", "table_id", "title", "owner_organization__name", "due_date", "completed_at"
        ):
            self._add(
                "completed", table_id, Entry(completed, title, action_url(table_id, pk), org or "")
            )
        # Overdue since: an open action whose due date passed inside the window. The entry's
        # time is the start of the day after the due date, in the tenant's time zone.
        lo_day, hi_day = lo.astimezone(self.tz).date(), hi.astimezone(self.tz).date()
        for pk, table_id, title, org, due, _ in actions.filter(
            status__in=ACTION_OPEN_STATUSES, due_date__gte=lo_day - timedelta(days=1),
            due_date__lt=hi_day,
        ).order_by("due_date", "pk"):  # fmt: skip
            became = datetime.combine(due + timedelta(days=1), datetime.min.time(), tzinfo=self.tz)
            detail = " · ".join(x for x in [org or "", f"was due {due:%-d %b %Y}"] if x)
            self._add("overdue", table_id, Entry(became, title, action_url(table_id, pk), detail))
        today = hi.astimezone(self.tz).date()
        self.overdue_totals = dict(
            Action.objects.filter(
                table_id__in=table_ids, status__in=ACTION_OPEN_STATUSES, due_date__lt=today
            )
            .values_list("table_id")
            .annotate(n=Count("pk"))
            .values_list("table_id", "n")
        )
        self._load_observations(table_ids, lo, hi, slugs)
        self._load_meetings(table_ids, lo, hi, slugs)
        for table_id, at, summary in (
            ActivityEvent.objects.filter(
                tenant=self.tenant, table_id__in=table_ids, verb__in=MEMBERSHIP_VERBS,
                at__gte=lo, at__lt=hi,
            )
            .order_by("at", "pk")
            .values_list("table_id", "at", "summary")
        ):  # fmt: skip
            self._add("membership", table_id, Entry(at, summary))

    def _load_observations(self, table_ids, lo, hi, slugs) -> None:
        observed = list(
            Observation.objects.filter(measure__table_id__in=table_ids, at__gte=lo, at__lt=hi)
            .order_by("at", "pk")
            .values_list("measure_id", "at")
        )
        if not observed:
            return
        latest = Observation.objects.filter(measure=OuterRef("pk")).order_by("-period_end", "-at")
        measures = {
            m.pk: m
            for m in Measure.objects.filter(pk__in={m for m, _ in observed}).annotate(
                latest_value=Subquery(latest.values("value")[:1]),
                latest_period=Subquery(latest.values("period_end")[:1]),
            )
        }
        sentences = {
            pk: trend_sentence(
                m, [SimpleNamespace(value=m.latest_value, period_end=m.latest_period)]
            )
            for pk, m in measures.items()
        }
        # One entry per measure and recording time; a digest shows each measure once.
        for measure_id, at in observed:
            m = measures[measure_id]
            url = partial(self._url, "tables:measure", table_slug=slugs[m.table_id], pk=m.pk)
            entry = Entry(at, m.name, url, sentences[measure_id], key=measure_id)
            self._add("observations", m.table_id, entry)

    def _load_meetings(self, table_ids, lo, hi, slugs) -> None:
        held = list(
            ActivityEvent.objects.filter(
                tenant=self.tenant, table_id__in=table_ids, verb="meeting.held",
                at__gte=lo, at__lt=hi,
            )
            .order_by("at", "pk")
            .values_list("target_id", "at")
        )  # fmt: skip
        ends = {end for _, end in self.windows.values()}
        upcoming = Q(
            status=MeetingStatus.SCHEDULED,
            starts_at__gte=min(ends),
            starts_at__lt=max(ends) + timedelta(days=UPCOMING_DAYS),
        )
        held_ids = {int(pk) for pk, _ in held if pk.isdigit()}
        meetings = {
            m["pk"]: m
            for m in Meeting.objects.filter(table_id__in=table_ids)
            .filter(Q(pk__in=held_ids) | upcoming)
            .values("pk", "table_id", "title", "starts_at", "status", "place", "video_url")
        }
        for pk, at in held:
            m = meetings.get(int(pk)) if pk.isdigit() else None
            if m is None or m["status"] != MeetingStatus.HELD:
                continue
            url = partial(self._url, "tables:meeting", table_slug=slugs[m["table_id"]], pk=m["pk"])
            when = m["starts_at"].astimezone(self.tz)
            self._add(
                "held",
                m["table_id"],
                Entry(at, m["title"], url, f"{when:%A %-d %B} · minutes and decisions"),
            )
        for m in sorted(meetings.values(), key=lambda m: (m["starts_at"], m["pk"])):
            if m["status"] != MeetingStatus.SCHEDULED:
                continue
            url = partial(self._url, "tables:meeting", table_slug=slugs[m["table_id"]], pk=m["pk"])
            when = m["starts_at"].astimezone(self.tz)
            where = m["place"] or ("Online" if m["video_url"] else "")
            detail = " · ".join(x for x in [f"{when:%A %-d %B, %-I:%M %p}", where] if x)
            self._add("upcoming", m["table_id"], Entry(m["starts_at"], m["title"], url, detail))

    # -- cutting ---------------------------------------------------------------------------

    def digest_for(self, recipient: Recipient) -> Digest:
        start, end = self.windows[recipient.key]
        sections: list[TableSection | PlanSection] = []
        plan = self._plan_section(start, end)
        if plan.count:
            sections.append(plan)
        for table_id in sorted(
            self.follows.get(recipient.key, ()),
            key=lambda t: self.tables.get(t, {}).get("name", ""),
        ):
            section = self._section(table_id, start, end)
            if section is not None and section.count:
                sections.append(section)
        return Digest(recipient=recipient, window_start=start, window_end=end, sections=sections)

    def _section(self, table_id: int, start: datetime, end: datetime) -> TableSection | None:
        """One table over one window; recipients sharing both share the object."""
        key = (table_id, start, end)
        if key in self._sections:
            return self._sections[key]
        table = self.tables.get(table_id)
        if table is None:
            return None
        section = TableSection(
            table_id=table_id,
            name=table["name"],
            url=table["url"],
            members_only=table["members_only"],
            overdue_total=self.overdue_totals.get(table_id, 0),
        )
        for kind in TableSection.LISTS:
            if kind == "upcoming":
                horizon = end + timedelta(days=UPCOMING_DAYS)
                chosen = [e for e in self.entries[kind].get(table_id, ()) if end <= e.at < horizon]
            else:
                chosen = [e for e in self.entries[kind].get(table_id, ()) if start <= e.at < end]
            if kind == "observations":
                chosen = _last_per_text(chosen)
            if len(chosen) > ITEMS_PER_LIST:
                section.more[kind] = len(chosen) - ITEMS_PER_LIST
                chosen = chosen[:ITEMS_PER_LIST]
            setattr(section, kind, chosen)
        self._sections[key] = section
        return section

    def _plan_section(self, start: datetime, end: datetime) -> PlanSection:
        """The plan's recommendations that moved in one window; every recipient sharing the
        window shares it. The recommendations are read once per batch."""
        key = (start, end)
        if key in self._plan_sections:
            return self._plan_sections[key]
        if self._history is None:  # once per batch, from the earliest window's start
            earliest = min(start for start, _ in self.windows.values())
            self._history = RecommendationHistory(recommendations_with_links(), since=earliest)
        section = PlanSection(name="The plan's recommendations", url=self._url("you-said-we-did"))
        for move in self._history.movements(start, end):
            r = move.recommendation
            detail = " · ".join(
                [
                    f"{move.before}% → {move.after}%",
                    str(RecommendationStatus(move.status).label),
                    *(f"done: {title}" for title in move.done_in_window),
                ]
            )
            url = partial(self._url, "recommendation", pk=r.pk)
            section.recommendations.append(Entry(end, f"{r.number}. {r.title}", url, detail))
        self._plan_sections[key] = section
        return section


def _last_per_text(entries: Iterable[Entry]) -> list[Entry]:
    """A measure recorded twice in the window appears once, at its latest recording."""
    by_measure: dict[object, Entry] = {}
    for entry in entries:
        by_measure.pop(entry.key, None)
        by_measure[entry.key] = entry
    return list(by_measure.values())
