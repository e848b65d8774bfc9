from __future__ import annotations

from zoneinfo import ZoneInfo

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cswb.guardrails import PersonalInformationGuardMixin
from tables.models import AttendanceStatus, Rsvp


class MeetingForm(forms.Form):
    """Times are entered and shown in the tenant's time zone."""

    title = forms.CharField(label=_("Title"), max_length=200, initial=_("Regular meeting"))
    starts_at = forms.DateTimeField(
        label=_("Starts"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    ends_at = forms.DateTimeField(
        label=_("Ends"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    video_url = forms.URLField(label=_("Video link"), required=False, assume_scheme="https")

    def __init__(self, *args: object, tzinfo: ZoneInfo, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.tzinfo = tzinfo

    def clean(self) -> dict[str, object]:
        cleaned = super().clean()
        for key in ("starts_at", "ends_at"):
            value = cleaned.get(key)
            if value is not None:
                cleaned[key] = timezone.make_aware(value.replace(tzinfo=None), self.tzinfo)
        if (
            cleaned.get("starts_at")
            and cleaned.get("ends_at")
            and (cleaned["ends_at"] <= cleaned["starts_at"])
        ):
            self.add_error("ends_at", _("The meeting must end after it starts."))
        return cleaned


class AgendaItemForm(forms.Form):
    title = forms.CharField(label=_("Agenda item"), max_length=200)
    presenter = forms.CharField(label=_("Presenter"), max_length=150, required=False)
    duration_minutes = forms.IntegerField(
        label=_("Minutes allowed"), required=False, min_value=1, max_value=480
    )


class DecisionForm(PersonalInformationGuardMixin, forms.Form):
    guarded_fields = ("text",)
    text = forms.CharField(label=_("Decision"), widget=forms.Textarea(attrs={"rows": 2}))


class RecordForm(PersonalInformationGuardMixin, forms.Form):
    """Attendance per seat and minutes per agenda item, built from the meeting."""

    def __init__(self, *args: object, seats: list, items: list, **kwargs: object) -> None:
        self.guarded_fields = tuple(f"minutes_{item.pk}" for item in items)
        super().__init__(*args, **kwargs)
        for seat in seats:
            self.fields[f"attendance_{seat.user_id}"] = forms.ChoiceField(
                label=seat.user.display_name,
                choices=AttendanceStatus.choices,
                initial=AttendanceStatus.PRESENT,
                widget=forms.RadioSelect,
            )
        for item in items:
            self.fields[f"minutes_{item.pk}"] = forms.CharField(
                label=_("Minutes: %(title)s") % {"title": item.title},
                required=False,
                initial=item.minutes,
                widget=forms.Textarea(attrs={"rows": 3}),
            )
        self.seats, self.items = seats, items


class RsvpForm(forms.Form):
    rsvp = forms.ChoiceField(choices=Rsvp.choices)
