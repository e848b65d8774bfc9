"""Meetings as iCalendar (RFC 5545) with the icalendar library: stable UIDs, a SEQUENCE that
rises with every change, and cancelled meetings kept as STATUS:CANCELLED so calendars drop them.
The feeds and the meeting notices' attachments (RFC 5546: METHOD:REQUEST or CANCEL) build each
event the same way, so a calendar that has both sees one meeting."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress

from cswb.ui import url_maker
from tables.models import Meeting, MeetingStatus

STATUS = {
    MeetingStatus.SCHEDULED: "CONFIRMED",
    MeetingStatus.HELD: "CONFIRMED",
    MeetingStatus.CANCELLED: "CANCELLED",
}


def _calendar(name: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", "-//CSWB Portal//Meetings//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    return calendar


def meeting_event(meeting: Meeting, *, now: datetime, url: str | None = None) -> Event:
    """The meeting as an event; `url`, its page's full address, when the caller made it."""
    event = Event()
    event.add("uid", meeting.uid)
    event.add("dtstamp", now)
    event.add("dtstart", meeting.starts_at)
    event.add("dtend", meeting.ends_at)
    event.add("last-modified", meeting.updated_at)
    event.add("sequence", meeting.sequence)
    event.add("status", STATUS[meeting.status])
    event.add("summary", f"{meeting.table.name}: {meeting.title}")
    if meeting.place:
        event.add("location", meeting.place)
    if url is None:
        url = settings.PORTAL_BASE_URL + reverse(
            "tables:meeting", args=[meeting.tenant.slug, meeting.table.slug, meeting.pk]
        )
    event.add("url", url)
    description = [url]
    if meeting.video_url:
        description.insert(0, f"Video: {meeting.video_url}")
    event.add("description", "\n".join(description))
    return event


def meetings_ics(meetings: Iterable[Meeting], *, name: str) -> bytes:
    calendar = _calendar(name)
    now = timezone.now()
    # The meetings' addresses, with one reverse() per plan rather than per meeting.
    addresses: dict[str, Callable[..., str]] = {}
    for meeting in meetings:
        slug = meeting.tenant.slug
        if slug not in addresses:
            addresses[slug] = url_maker("tables:meeting", "table_slug", "pk", tenant_slug=slug)
        url = addresses[slug](table_slug=meeting.table.slug, pk=meeting.pk)
        calendar.add_component(meeting_event(meeting, now=now, url=settings.PORTAL_BASE_URL + url))
    return calendar.to_ical()


def meeting_invitation_ics(meeting: Meeting, *, method: str, attendee: str) -> bytes:
    """One meeting as an invitation (METHOD:REQUEST) or its cancellation (METHOD:CANCEL), with
    the feed's UID and SEQUENCE, so a mail client updates the copy it already has."""
    if method not in ("REQUEST", "CANCEL"):
        raise ValueError(f"Unknown iTIP method {method!r}.")
    calendar = _calendar(meeting.table.name)
    calendar.add("method", method)
    event = meeting_event(meeting, now=timezone.now())
    organizer = vCalAddress(f"mailto:{settings.DEFAULT_FROM_EMAIL.rsplit('<', 1)[-1].rstrip('>')}")
    organizer.params["cn"] = meeting.table.name
    event.add("organizer", organizer)
    guest = vCalAddress(f"mailto:{attendee}")
    guest.params["role"] = "REQ-PARTICIPANT"
    guest.params["rsvp"] = "FALSE"
    event.add("attendee", guest)
    calendar.add_component(event)
    return calendar.to_ical()
