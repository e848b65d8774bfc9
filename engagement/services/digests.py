"""Every write of the digests: schedules, preferences, runs, and sending, exactly once.

The delivery ledger is the whole of the exactly-once promise. A run writes one row per
(tenant, recipient, period) before anything is sent; the unique key makes a second run, a
second beat or a second `send_digests` add nothing. Each row is then claimed by a single
conditional UPDATE just before its message goes to the mail server and marked sent right
after, so a redelivered or concurrent task finds nothing left to claim, and a worker lost
mid-batch leaves the rest pending for the next one. A row claimed by a worker that died
becomes claimable again after a lease longer than any task may run."""

from __future__ import annotations

import secrets
import smtplib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import F, Max, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe

from cswb.emails import email_build
from cswb.models import Tenant, TenantMembership, User
from cswb.services import activity_record
from engagement.models import (
    DeliveryStatus,
    DigestDelivery,
    DigestPreference,
    DigestRun,
    DigestSchedule,
    Frequency,
)
from engagement.selectors.digests import (
    Digest,
    DigestBuilder,
    Recipient,
    contact_recipients,
    recipients_for_tenant,
)

UNSUBSCRIBE_SALT = "engagement.digest.unsubscribe"
FIRST_WINDOW = {Frequency.WEEKLY: timedelta(days=7), Frequency.MONTHLY: timedelta(days=31)}
SMTP_ERRORS = (smtplib.SMTPException, OSError)


# -- unsubscribe links ---------------------------------------------------------------------


def unsubscribe_token(*, tenant: Tenant, recipient: str) -> str:
    """Signed with the site's secret: it names one recipient of one tenant, and changing
    either breaks the signature."""
    return signing.dumps({"t": tenant.pk, "r": recipient}, salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_token_read(token: str) -> tuple[int, str] | None:
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("t"), int):
        return None
    if not isinstance(data.get("r"), str):
        return None
    return data["t"], data["r"]


def unsubscribe_url(*, tenant: Tenant, recipient: str) -> str:
    token = unsubscribe_token(tenant=tenant, recipient=recipient)
    return settings.PORTAL_BASE_URL + reverse("digest-unsubscribe", kwargs={"token": token})


# -- schedule and preferences --------------------------------------------------------------


def digest_schedule_for(*, tenant: Tenant) -> DigestSchedule:
    """The tenant's schedule, or the default one (unsaved) when none was set."""
    return DigestSchedule.objects.filter(tenant=tenant).first() or DigestSchedule(tenant=tenant)


@transaction.atomic
def digest_schedule_update(
    *, tenant: Tenant, actor: User, weekday: int, hour: int, is_enabled: bool
) -> DigestSchedule:
    schedule = digest_schedule_for(tenant=tenant)
    schedule.weekday, schedule.hour, schedule.is_enabled = weekday, hour, is_enabled
    schedule.full_clean()
    schedule.save()
    state = "on" if is_enabled else "off"
    activity_record(
        tenant=tenant,
        actor=actor,
        verb="digest.schedule_changed",
        summary=f"Digests set to {schedule.get_weekday_display()}s at {hour:02d}:00 ({state})",
        changes={"weekday": weekday, "hour": hour, "is_enabled": is_enabled},
    )
    return schedule


def frequency_for(*, tenant: Tenant, recipient: str) -> str:
    return (
        DigestPreference.objects.filter(tenant=tenant, recipient=recipient)
        .values_list("frequency", flat=True)
        .first()
        or Frequency.WEEKLY
    )


@transaction.atomic
def digest_preference_set(
    *, tenant: Tenant, recipient: Recipient, frequency: str, actor: User | None, via: str
) -> bool:
    """Record a recipient's choice; returns False when it was already their choice."""
    if frequency not in Frequency.values:
        raise ValidationError(f"Unknown frequency {frequency!r}.")
    current = frequency_for(tenant=tenant, recipient=recipient.key)
    if current == frequency:
        return False
    DigestPreference.objects.update_or_create(
        tenant=tenant,
        recipient=recipient.key,
        defaults={"frequency": frequency, "updated_at": timezone.now()},
    )
    label = Frequency(frequency).label.lower()
    who = recipient.name or "A digest contact"
    activity_record(
        tenant=tenant,
        actor=actor,
        verb="digest.unsubscribed" if frequency == Frequency.OFF else "digest.frequency_changed",
        summary=(
            f"{who} unsubscribed from digests ({via})"
            if frequency == Frequency.OFF
            else f"{who} chose {label} digests ({via})"
        ),
        changes={"recipient": recipient.key, "from": current, "to": frequency},
    )
    return True


# -- runs ----------------------------------------------------------------------------------


def period_keys(*, tenant: Tenant, when: datetime) -> tuple[str, str]:
    """The ISO week and the month of a moment, in the tenant's time zone."""
    local = when.astimezone(tenant.tzinfo)
    year, week, _ = local.isocalendar()
    return f"{year}-W{week:02d}", f"{local:%Y-%m}"


def digest_due(*, tenant: Tenant, now: datetime) -> bool:
    """Due once this week's scheduled hour has passed in the tenant's time zone and no run
    exists for the week; a tick missed while beat was down is caught up by the next."""
    schedule = digest_schedule_for(tenant=tenant)
    if not schedule.is_enabled or not tenant.is_active:
        return False
    local = now.astimezone(tenant.tzinfo)
    if (local.weekday(), local.hour) < (schedule.weekday, schedule.hour):
        return False
    week, _ = period_keys(tenant=tenant, when=now)
    return not DigestRun.objects.filter(tenant=tenant, week=week).exists()


@transaction.atomic
def digest_run_plan(*, tenant: Tenant, now: datetime, trigger: str) -> tuple[DigestRun, int]:
    """The week's run and its ledger: one row for every recipient without one for their
    period yet. Safe to call again: returns the same run and adds only newcomers.
    Returns the run and how many rows were added."""
    week, month = period_keys(tenant=tenant, when=now)
    run, run_created = DigestRun.objects.get_or_create(
        tenant=tenant, week=week, defaults={"as_of": now, "trigger": trigger, "started_at": now}
    )
    recipients = recipients_for_tenant(tenant=tenant)
    preferences = dict(
        DigestPreference.objects.filter(tenant=tenant).values_list("recipient", "frequency")
    )
    last_end = dict(
        DigestDelivery.objects.filter(
            tenant=tenant, status__in=[DeliveryStatus.SENT, DeliveryStatus.EMPTY]
        )
        .values_list("recipient")
        .annotate(end=Max("window_end"))
        .values_list("recipient", "end")
    )
    existing = set(
        DigestDelivery.objects.filter(tenant=tenant, period__in=[week, month]).values_list(
            "recipient", "period"
        )
    )
    rows = []
    for recipient in recipients:
        frequency = preferences.get(recipient.key, Frequency.WEEKLY)
        period = month if frequency == Frequency.MONTHLY else week
        if (recipient.key, period) in existing:
            continue
        start = last_end.get(recipient.key) or run.as_of - FIRST_WINDOW.get(
            frequency, FIRST_WINDOW[Frequency.WEEKLY]
        )
        rows.append(
            DigestDelivery(
                tenant=tenant,
                run=run,
                recipient=recipient.key,
                period=period,
                frequency=frequency,
                user_id=recipient.user_id,
                email=recipient.email,
                name=recipient.name[:150],
                window_start=min(start, run.as_of),
                window_end=run.as_of,
                status=(
                    DeliveryStatus.UNSUBSCRIBED
                    if frequency == Frequency.OFF
                    else DeliveryStatus.PENDING
                ),
            )
        )
    # A concurrent planner may have written some of these rows first; the unique key keeps
    # theirs and drops ours.
    created = DigestDelivery.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
    if run_created:
        activity_record(
            tenant=tenant,
            actor=None,
            verb="digest.run_started",
            summary=f"Digest run for {week}: {len(created)} recipients planned",
            target=run,
        )
    return run, len(created)


def claimable(now: datetime) -> Q:
    """Rows a worker may claim: waiting (and past any retry time), or claimed by a worker
    that has held them longer than the lease and so must have died."""
    lease = timedelta(seconds=settings.DIGEST_CLAIM_LEASE_SECONDS)
    return Q(status=DeliveryStatus.PENDING) & (Q(retry_at__isnull=True) | Q(retry_at__lte=now)) | Q(
        status=DeliveryStatus.SENDING, claimed_at__lt=now - lease
    )


def deliveries_to_send(
    *, tenant: Tenant, now: datetime, run: DigestRun | None = None, settled_before=None
) -> list[int]:
    rows = DigestDelivery.objects.filter(tenant=tenant).filter(claimable(now))
    if run is not None:
        rows = rows.filter(run=run)
    if settled_before is not None:
        rows = rows.filter(run__started_at__lt=settled_before)
    return list(rows.order_by("pk").values_list("pk", flat=True))


def batches(ids: Sequence[int], size: int | None = None) -> list[list[int]]:
    size = size or settings.DIGEST_BATCH_SIZE
    return [list(ids[i : i + size]) for i in range(0, len(ids), size)]


# -- building ------------------------------------------------------------------------------


NO_LONGER_RECIPIENT = "No longer a member or digest contact of the plan"
NOW_OFF = "Chose no digests after the run was planned"


def digests_build(
    *, tenant: Tenant, deliveries: Sequence[DigestDelivery]
) -> dict[int, Digest | str]:
    """The digest of each delivery, from one read of everything the batch needs; or, for a
    recipient who has left the plan or turned digests off since planning, why not."""
    # Who they are now, not when the run was planned.
    roles = dict(
        TenantMembership.objects.filter(
            tenant=tenant,
            user_id__in=[d.user_id for d in deliveries if d.user_id],
            is_active=True,
            user__is_active=True,
        ).values_list("user_id", "role")
    )
    contacts = contact_recipients(emails=[d.email for d in deliveries if not d.user_id])
    off = set(
        DigestPreference.objects.filter(
            tenant=tenant,
            recipient__in={d.recipient for d in deliveries},
            frequency=Frequency.OFF,
        ).values_list("recipient", flat=True)
    )
    recipients: dict[int, Recipient] = {}
    reasons: dict[int, str] = {}
    for d in deliveries:
        if d.recipient in off:
            reasons[d.pk] = NOW_OFF
        elif d.user_id and d.user_id in roles:
            recipients[d.pk] = Recipient(
                key=d.recipient,
                email=d.email,
                name=d.name,
                user_id=d.user_id,
                role=roles[d.user_id],
            )
        elif not d.user_id and d.recipient in contacts:
            contact = contacts[d.recipient]
            recipients[d.pk] = Recipient(
                key=d.recipient,
                email=contact.email,
                name=contact.name,
                organization_ids=contact.organization_ids,
            )
        else:
            reasons[d.pk] = NO_LONGER_RECIPIENT
    builder = DigestBuilder(
        tenant=tenant,
        recipients=list({r.key: r for r in recipients.values()}.values()),
        windows={d.recipient: (d.window_start, d.window_end) for d in deliveries},
    )
    return {
        **reasons,
        **{pk: builder.digest_for(recipient) for pk, recipient in recipients.items()},
    }


def digest_preview(
    *,
    tenant: Tenant,
    recipient: Recipient,
    now: datetime,
    delivery: DigestDelivery | None = None,
) -> Digest:
    """What the recipient would get if their digest went out now; or, given one of their
    deliveries, what its period held (as the tables stand today)."""
    if delivery is not None:
        builder = DigestBuilder(
            tenant=tenant,
            recipients=[recipient],
            windows={recipient.key: (delivery.window_start, delivery.window_end)},
        )
        return builder.digest_for(recipient)
    frequency = frequency_for(tenant=tenant, recipient=recipient.key)
    last = (
        DigestDelivery.objects.filter(
            tenant=tenant,
            recipient=recipient.key,
            status__in=[DeliveryStatus.SENT, DeliveryStatus.EMPTY],
        )
        .aggregate(end=Max("window_end"))
        .get("end")
    )
    start = last or now - FIRST_WINDOW.get(frequency, FIRST_WINDOW[Frequency.WEEKLY])
    builder = DigestBuilder(
        tenant=tenant, recipients=[recipient], windows={recipient.key: (min(start, now), now)}
    )
    return builder.digest_for(recipient)


def digest_message(
    *,
    tenant: Tenant,
    digest: Digest,
    message_id: str = "",
    connection=None,
) -> EmailMultiAlternatives:
    recipient = digest.recipient
    unsubscribe = unsubscribe_url(tenant=tenant, recipient=recipient.key)
    tz = tenant.tzinfo
    start, end = digest.window_start.astimezone(tz), digest.window_end.astimezone(tz)
    # Members can also manage digests in the portal, with previews and the tables covered.
    settings_url = (
        settings.PORTAL_BASE_URL + reverse("digest-settings", kwargs={"tenant_slug": tenant.slug})
        if recipient.user_id
        else ""
    )
    headers = {
        "List-Unsubscribe": f"<{unsubscribe}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "List-Id": f"{tenant.name} progress digest <digest.{tenant.slug}.cswb-portal>",
        "Auto-Submitted": "auto-generated",
    }
    if message_id:
        headers["Message-ID"] = message_id
    with timezone.override(tz):  # dates in the templates read in the tenant's zone
        sections = [
            (_section_part(section, "html"), _section_part(section, "txt"))
            for section in digest.sections
        ]
        return email_build(
            template="digest",
            to=[recipient.email],
            headers=headers,
            connection=connection,
            context={
                "tenant": tenant,
                "digest": digest,
                "recipient": recipient,
                "window_start": start,
                "window_end": end,
                "same_year": start.year == end.year,
                "unsubscribe_url": unsubscribe,
                "settings_url": settings_url,
                "is_contact": recipient.user_id is None,
                "sections": sections,
            },
        )


def _section_part(section, kind: str) -> str:
    """A table's part of the email, rendered (and escaped) once for every recipient who
    shares it in the batch."""
    if kind not in section.rendered:
        rendered = render_to_string(f"emails/_digest-section.{kind}", {"section": section})
        # Only the HTML part comes from an autoescaping template and may be marked safe; the
        # text part is plain text (autoescaping off) and must never carry the mark.
        section.rendered[kind] = (
            mark_safe(rendered)  # noqa: S308 - escaped by the autoescaping HTML template
            if kind == "html"
            else str.__str__(rendered)
        )
    return section.rendered[kind]


# -- sending -------------------------------------------------------------------------------


@dataclass
class BatchResult:
    sent: int = 0
    empty: int = 0
    failed: int = 0
    gone: int = 0  # recipients no longer in the plan when their turn came
    skipped: int = 0  # rows another worker had claimed or finished
    retry_ids: list[int] = field(default_factory=list)
    retry_at: datetime | None = None

    def as_dict(self) -> dict[str, object]:
        return {
            "sent": self.sent,
            "empty": self.empty,
            "failed": self.failed,
            "gone": self.gone,
            "skipped": self.skipped,
            "retry": len(self.retry_ids),
        }


def _permanent(error: Exception) -> bool:
    """A 5xx answer will not change on retry."""
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code >= 500
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in error.recipients.values())
    return False


def digest_batch_send(
    *, tenant: Tenant, delivery_ids: Sequence[int], now: datetime | None = None
) -> BatchResult:
    """Send one batch over one SMTP connection. Each row is claimed just before its message
    goes out and marked sent just after, in the transaction that claims the next one."""
    # The batch's clock: the real one, or one running from the `now` given (tests and
    # benchmarks set it to replay a moment); claims, leases and retry times all read it.
    offset = (now - timezone.now()) if now else timedelta(0)

    def clock() -> datetime:
        return timezone.now() + offset

    now = clock()
    result = BatchResult()
    deliveries = list(
        DigestDelivery.objects.filter(tenant=tenant, pk__in=delivery_ids)
        .filter(claimable(now))
        .order_by("pk")
    )
    result.skipped = len(set(delivery_ids)) - len(deliveries)
    if not deliveries:
        return result
    digests = digests_build(tenant=tenant, deliveries=deliveries)
    connection = get_connection()
    opened = False
    # The last message's "sent" mark, committed with the next claim: one commit per message.
    mark_sent: Callable[[], int] | None = None
    try:
        for delivery in deliveries:
            claim = secrets.token_hex(8)
            with transaction.atomic():
                if mark_sent is not None:
                    mark_sent()
                    mark_sent = None
                claimed = (
                    DigestDelivery.objects.filter(pk=delivery.pk)
                    .filter(claimable(clock()))
                    .update(
                        status=DeliveryStatus.SENDING,
                        claim=claim,
                        claimed_at=clock(),
                        attempts=F("attempts") + 1,
                    )
                )
            if not claimed:
                result.skipped += 1
                continue
            mine = DigestDelivery.objects.filter(pk=delivery.pk, claim=claim)
            digest = digests[delivery.pk]
            if digest == NOW_OFF:
                mine.update(status=DeliveryStatus.UNSUBSCRIBED, claim="", last_error=digest)
                result.gone += 1
                continue
            if isinstance(digest, str):
                mine.update(status=DeliveryStatus.EMPTY, claim="", last_error=digest)
                result.gone += 1
                continue
            if digest.is_empty:
                mine.update(status=DeliveryStatus.EMPTY, claim="", last_error="")
                result.empty += 1
                continue
            message = digest_message(
                tenant=tenant,
                digest=digest,
                message_id=delivery.message_id,
                connection=connection,
            )
            try:
                if not opened:
                    connection.open()
                    opened = True
                message.send()
            except SMTP_ERRORS as error:
                opened = False
                connection.close()
                _after_failure(mine, delivery, error, result, clock())
                continue
            mark_sent = partial(
                mine.update,
                status=DeliveryStatus.SENT,
                claim="",
                sent_at=clock(),
                last_error="",
                table_count=len(digest.table_sections),
                item_count=digest.item_count,
            )
            result.sent += 1
    finally:
        if mark_sent is not None:
            mark_sent()
        if opened:
            connection.close()
    return result


def _after_failure(
    rows, delivery: DigestDelivery, error: Exception, result: BatchResult, now: datetime
) -> None:
    """Back to waiting with a later retry time, or failed for good after the last attempt or
    on a permanent refusal."""
    attempts = delivery.attempts + 1
    text = f"{type(error).__name__}: {error}"[:300]
    if _permanent(error) or attempts >= settings.DIGEST_MAX_ATTEMPTS:
        rows.update(status=DeliveryStatus.FAILED, claim="", last_error=text)
        result.failed += 1
        return
    retry_at = now + timedelta(seconds=settings.DIGEST_RETRY_BASE_SECONDS * 2 ** (attempts - 1))
    updated = rows.update(
        status=DeliveryStatus.PENDING, claim="", retry_at=retry_at, last_error=text
    )
    if updated:
        result.retry_ids.append(delivery.pk)
        result.retry_at = max(result.retry_at or retry_at, retry_at)
