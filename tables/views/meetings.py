"""A table's meetings, and the calendar feeds."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_scopes import scope, scopes_disabled

from cswb.conditional import conditional_answer, validators_set
from cswb.selectors import memberships_for_user
from cswb.ui import confirm_then, error_text
from tables.access import (
    TableNeed,
    get_guest_for,
    get_meeting_for,
    get_table_for,
    tables_granted,
)
from tables.calendar import meetings_ics
from tables.forms.meetings import (
    AgendaItemForm,
    DecisionForm,
    GuestForm,
    MeetingForm,
    RecordForm,
    RsvpForm,
)
from tables.models import (
    ActionTable,
    AgendaItem,
    Attendance,
    CalendarToken,
    Decision,
    Meeting,
    MeetingStatus,
    OrganizationAttendance,
    TableOrganization,
    TableSeat,
)
from tables.selectors.meetings import (
    feed_meetings,
    feed_validators,
    meeting_attendance,
    organization_attendance_rates,
    representatives_by_organization,
)
from tables.services.meetings import (
    agenda_item_add,
    calendar_token_for,
    calendar_token_reset,
    decision_add,
    guest_add,
    guest_remove,
    meeting_cancel,
    meeting_record,
    meeting_recordable_check,
    meeting_rsvp,
    meeting_schedule,
    meeting_update,
)


def _meeting_url(meeting: Meeting) -> str:
    return reverse("tables:meeting", args=[meeting.tenant.slug, meeting.table.slug, meeting.pk])


@require_http_methods(["GET", "POST"])
def meeting_list(request: HttpRequest, tenant_slug: str, table_slug: str) -> HttpResponse:
    need = TableNeed.CHANGE if request.method == "POST" else TableNeed.VIEW
    access = get_table_for(request, table_slug, need=need)
    table = access.table
    form = MeetingForm(
        request.POST if request.method == "POST" else None, tzinfo=table.tenant.tzinfo
    )
    if request.method == "POST" and form.is_valid():
        meeting = meeting_schedule(table=table, actor=request.user, **form.cleaned_data)
        messages.success(request, "The meeting was scheduled.")
        return redirect(_meeting_url(meeting))
    now = timezone.now()
    meetings = Meeting.objects.filter(table=table).select_related("table", "tenant")
    # The subscribe link must work in a calendar app, which cannot sign in: it carries the
    # person's calendar token (made on first need).
    token = calendar_token_for(user=request.user)
    return render(
        request,
        "tables/meetings/list.html",
        {
            "tenant": table.tenant,
            "table": table,
            "access": access,
            "form": form,
            "upcoming": list(meetings.filter(ends_at__gte=now).order_by("starts_at")[:20]),
            "past": list(meetings.filter(ends_at__lt=now).order_by("-starts_at")[:20]),
            "calendar_token": token.token,
            "rates": organization_attendance_rates(table=table),
        },
        status=400 if form.errors else 200,
    )


@require_GET
def meeting_detail(request: HttpRequest, tenant_slug: str, table_slug: str, pk: int):
    found = get_meeting_for(request, table_slug, pk, need=TableNeed.VIEW)
    return _detail(request, found)


def _detail(request: HttpRequest, found, *, decision_form=None, status: int = 200):
    """The meeting's page; a refused decision comes back in it, with its errors (and the
    personal-information confirmation, when that warning fired)."""
    items = list(AgendaItem.objects.filter(meeting=found.meeting))
    decisions = list(Decision.objects.filter(meeting=found.meeting).select_related("action"))
    sheet = meeting_attendance(meeting=found.meeting)
    mine = next((a for a in sheet.people if a.user_id == request.user.pk), None)
    has_seat = TableSeat.objects.current().filter(table=found.table, user=request.user).exists()
    organizations = list(
        TableOrganization.objects.current().filter(table=found.table).select_related("organization")
    )
    is_past = found.meeting.starts_at <= timezone.now()
    return render(
        request,
        "tables/meetings/detail.html",
        {
            "tenant": found.table.tenant,
            "table": found.table,
            "access": found.access,
            "meeting": found.meeting,
            "items": items,
            "decisions": decisions,
            "attendance": sheet.people,
            "sheet": sheet,
            "mine": mine,
            "can_rsvp": has_seat and found.meeting.status == MeetingStatus.SCHEDULED,
            "agenda_form": AgendaItemForm(),
            "decision_form": decision_form or DecisionForm(),
            "guest_form": GuestForm(),
            "can_add_guests": (
                found.access.can_change
                and is_past
                and found.meeting.status != MeetingStatus.CANCELLED
            ),
            "organizations": [p.organization for p in organizations],
            "is_past": is_past,
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def meeting_edit(request: HttpRequest, tenant_slug: str, table_slug: str, pk: int):
    found = get_meeting_for(request, table_slug, pk, need=TableNeed.CHANGE)
    tz = found.table.tenant.tzinfo
    initial = {
        "title": found.meeting.title,
        "place": found.meeting.place,
        "video_url": found.meeting.video_url,
        "starts_at": timezone.localtime(found.meeting.starts_at, tz).replace(tzinfo=None),
        "ends_at": timezone.localtime(found.meeting.ends_at, tz).replace(tzinfo=None),
    }
    form = MeetingForm(
        request.POST if request.method == "POST" else None, tzinfo=tz, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            meeting_update(meeting=found.meeting, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error_text(error))
        else:
            messages.success(request, "The meeting was changed; calendars will update.")
            return redirect(_meeting_url(found.meeting))
    return render(
        request,
        "tables/meetings/edit.html",
        {
            "tenant": found.table.tenant,
            "table": found.table,
            "meeting": found.meeting,
            "form": form,
        },
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def meeting_cancel_view(request: HttpRequest, tenant_slug: str, table_slug: str, pk: int):
    found = get_meeting_for(request, table_slug, pk, need=TableNeed.CHANGE)
    return confirm_then(
        request,
        perform=lambda: meeting_cancel(meeting=found.meeting, actor=request.user),
        done="The meeting was cancelled; calendars will show it as cancelled.",
        back=_meeting_url(found.meeting),
        question=f"Cancel {found.meeting.title}?",
        consequence="Members' calendars will show it as cancelled. This cannot be undone.",
        button="Cancel the meeting",
        back_label="Keep the meeting",
    )


@require_POST
def agenda_add(request: HttpRequest, tenant_slug: str, table_slug: str, pk: int):
    found = get_meeting_for(request, table_slug, pk, need=TableNeed.CHANGE)
    form = AgendaItemForm(request.POST)
    if form.is_valid():
        agenda_item_add(meeting=found.meeting, actor=request.user, **form.cleaned_data)
        messages.success(request, "Agenda item added.")
    else:
        messages.error(request, "Give the agenda item a title (and minutes as a number).")
    return redirect(_meeting_url(found.meeting))


@require_POST
def decision_add_view(request: HttpRequest, tenant_slug: str, table_slug: str, pk: int):
    found = get_meeting_for(request, table_slug, pk, need=TableNeed.CHANGE)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return _detail(request, found, decision_form=form, status=400)
    decision_add(meeting=found.meeting, actor=request.user, text=form.cleaned_data["text"])
    messages.success(request, "Decision recorded.")
    return redirect(_meeting_url(found.meeting) + "#decisions-heading")


@require_http_methods(["GET", "POST"])
def meeting_record_view(request: HttpRequest, tenant_slug: str, table_slug: str, pk: int):
    found = get_meeting_for(request, table_slug, pk, need=TableNeed.CHANGE)
    context = {"tenant": found.table.tenant, "table": found.table, "meeting": found.meeting}
    try:
        meeting_recordable_check(found.meeting)
    except ValidationError as error:
        # Refused before anyone fills in the form: say when it can be recorded.
        return render(
            request,
            "tables/meetings/record_not_yet.html",
            {**context, "reason": error_text(error)},
            status=409 if request.method == "POST" else 200,
        )
    seats = list(
        TableSeat.objects.current()
        .filter(table=found.table)
        .select_related("user")
        .order_by("user__full_name", "user__email")
    )
    participations = list(
        TableOrganization.objects.current().filter(table=found.table).select_related("organization")
    )
    items = list(AgendaItem.objects.filter(meeting=found.meeting))
    # Recording again starts from what was recorded (a meeting not yet held has nothing).
    recorded: dict[str, object] = {}
    if found.meeting.status == MeetingStatus.HELD:
        recorded = {
            f"attendance_{a.user_id}": a.status
            for a in Attendance.objects.filter(meeting=found.meeting).exclude(status="")
        }
        for o in OrganizationAttendance.objects.filter(meeting=found.meeting):
            recorded[f"org_{o.organization_id}"] = o.status
            recorded[f"rep_{o.organization_id}"] = o.representative_id
    form = RecordForm(
        request.POST if request.method == "POST" else None,
        seats=seats,
        items=items,
        participations=participations,
        representatives=representatives_by_organization(table=found.table),
        recorded=recorded,
    )
    if request.method == "POST" and form.is_valid():
        try:
            meeting_record(
                meeting=found.meeting,
                actor=request.user,
                attendance={s.user_id: form.cleaned_data[f"attendance_{s.user_id}"] for s in seats},
                organizations=form.organizations(),
                guests=form.guests(),
                minutes={i.pk: form.cleaned_data[f"minutes_{i.pk}"] for i in items},
            )
        except ValidationError as error:
            form.add_error(None, error_text(error))
        else:
            messages.success(request, "The meeting was recorded.")
            return redirect(_meeting_url(found.meeting))
    return render(
        request,
        "tables/meetings/record.html",
        {
            **context,
            "form": form,
            "organization_fields": form.organization_fields(),
            "attendance_fields": [form[f"attendance_{s.user_id}"] for s in seats],
            "guest_fields": form.guest_fields(),
            "minutes_fields": [form[f"minutes_{i.pk}"] for i in items],
        },
        status=400 if form.errors else 200,
    )


@require_POST
def guest_add_view(request: HttpRequest, tenant_slug: str, table_slug: str, pk: int):
    found = get_meeting_for(request, table_slug, pk, need=TableNeed.CHANGE)
    form = GuestForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give the guest's name (at most 150 characters).")
        return redirect(_meeting_url(found.meeting) + "#guests-heading")
    try:
        guest = guest_add(meeting=found.meeting, actor=request.user, **form.cleaned_data)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, f"{guest.name} was added to the guests.")
    return redirect(_meeting_url(found.meeting) + "#guests-heading")


@require_http_methods(["GET", "POST"])
def guest_remove_view(
    request: HttpRequest, tenant_slug: str, table_slug: str, pk: int, guest_pk: int
):
    found = get_guest_for(request, table_slug, pk, guest_pk, need=TableNeed.CHANGE)
    return confirm_then(
        request,
        perform=lambda: guest_remove(guest=found.guest, actor=request.user),
        done=f"{found.guest.name} was removed from the guests.",
        back=_meeting_url(found.meeting),
        question=f"Remove {found.guest.name} from the guests of {found.meeting.title}?",
        consequence="The meeting's attendance will no longer list them.",
        button="Remove the guest",
    )


@require_POST
def meeting_rsvp_view(request: HttpRequest, tenant_slug: str, table_slug: str, pk: int):
    found = get_meeting_for(request, table_slug, pk, need=TableNeed.VIEW)
    form = RsvpForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError("Choose whether you will attend.")
        meeting_rsvp(meeting=found.meeting, user=request.user, rsvp=form.cleaned_data["rsvp"])
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, "Thank you: your answer was saved.")
    return redirect(_meeting_url(found.meeting))


def _ics(request: HttpRequest, meetings: list[Meeting], *, name: str, filename: str):
    """The feed, or 304 when the calendar app already has this version of it."""
    etag, last_modified = feed_validators(meetings, name=name)
    unchanged = conditional_answer(request, etag=etag, last_modified=last_modified)
    if unchanged is not None:
        return unchanged
    response = HttpResponse(
        meetings_ics(meetings, name=name), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    # no-store, private: set for every response by NoStoreMiddleware
    return validators_set(response, etag=etag, last_modified=last_modified)


@require_GET
def table_feed(request: HttpRequest, tenant_slug: str, table_slug: str) -> HttpResponse:
    """The table's meetings of the last year and ahead. Calendar apps cannot sign in: they add
    ?token= (the person's calendar token), which the tenant middleware accepts for this view
    only."""
    access = get_table_for(request, table_slug, need=TableNeed.VIEW)
    table = access.table
    meetings = feed_meetings(table_ids=[table.pk])
    return _ics(request, meetings, name=table.name, filename=f"{table.slug}.ics")


def calendar_token_user(token: str):
    """The active person whose calendar token this is, or None."""
    if not token:
        return None
    found = CalendarToken.objects.select_related("user").filter(token=token).first()
    return found.user if found is not None and found.user.is_active else None


# The tenant middleware lets the feed be read with ?token= instead of a session.
table_feed.token_user = calendar_token_user


@require_GET
def personal_feed(request: HttpRequest, token: str) -> HttpResponse:
    """Every meeting of every table the token's owner sits at (in person or through their
    organization), across their plans, at a secret address."""
    with scopes_disabled():
        owner = CalendarToken.objects.select_related("user").filter(token=token).first()
        if owner is None or not owner.user.is_active:
            raise Http404("No such calendar.")
        user = owner.user
        table_ids: list[int] = []
        for membership in memberships_for_user(user=user):
            with scope(tenant=membership.tenant):
                table_ids += list(
                    ActionTable.objects.filter(tables_granted(user)).values_list("pk", flat=True)
                )
        meetings = feed_meetings(table_ids=table_ids)
        return _ics(request, meetings, name="My CSWB meetings", filename="my-meetings.ics")


@login_required
@require_http_methods(["GET", "POST"])
def calendar_settings(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        calendar_token_reset(user=request.user)
        messages.success(request, "A new address was made; the old one no longer works.")
        return redirect("calendar-settings")
    token = calendar_token_for(user=request.user)
    return render(
        request,
        "tables/meetings/calendar_settings.html",
        {
            "feed_url": request.build_absolute_uri(reverse("calendar-feed", args=[token.token])),
        },
    )
