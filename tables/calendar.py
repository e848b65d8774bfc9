"""Meetings as iCalendar (RFC 5545) with the icalendar library: stable UIDs, a SEQUENCE that
rises with every change, and cancelled meetings kept as STATUS:CANCELLED so calendars drop them."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event

from tables.models import Meeting, MeetingStatus

STATUS = {
    MeetingStatus.SCHEDULED: "CONFIRMED",
    MeetingStatus.HELD: "CONFIRMED",
    MeetingStatus.CANCELLED: "CANCELLED",
}


def meetings_ics(meetings: Iterable[Meeting], *, name: str) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//CSWB Portal//Meetings//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    now = timezone.now()
    for meeting in meetings:
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
        url = settings.PORTAL_BASE_URL + reverse(
            "tables:meeting", args=[meeting.tenant.slug, meeting.table.slug, meeting.pk]
        )
        event.add("url", url)
        description = [url]
        if meeting.video_url:
            description.insert(0, f"Video: {meeting.video_url}")
        event.add("description", "\n".join(description))
        calendar.add_component(event)
    return calendar.to_ical()
