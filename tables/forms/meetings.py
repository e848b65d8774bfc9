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


GUEST_ROWS = 3


class RecordForm(PersonalInformationGuardMixin, forms.Form):
    """Attendance per seat and per participating organization (with who represented it), up
    to three guests, and minutes per agenda item, built from the meeting."""

    def __init__(
        self,
        *args: object,
        seats: list,
        items: list,
        participations: list | None = None,
        representatives: dict[int, list] | None = None,
        recorded: dict[str, object] | None = None,
        **kwargs: object,
    ) -> None:
        # What was recorded before, so recording again starts from it rather than from
        # "present" for everyone: {"org_<pk>": status, "rep_<pk>": user pk,
        # "attendance_<user pk>": status}.
        recorded = recorded or {}
        self.guarded_fields = tuple(f"minutes_{item.pk}" for item in items)
        super().__init__(*args, **kwargs)
        participations = participations or []
        representatives = representatives or {}
        for participation in participations:
            org = participation.organization
            self.fields[f"org_{org.pk}"] = forms.ChoiceField(
                label=org.name,
                choices=AttendanceStatus.choices,
                initial=recorded.get(f"org_{org.pk}") or AttendanceStatus.PRESENT,
                widget=forms.RadioSelect,
            )
            people = representatives.get(org.pk, [])
            self.fields[f"rep_{org.pk}"] = forms.TypedChoiceField(
                label=_("Represented by"),
                choices=[("", _("Not recorded"))] + [(str(u.pk), u.display_name) for u in people],
                coerce=int,
                empty_value=None,
                required=False,
                initial=str(recorded[f"rep_{org.pk}"])
                if recorded.get(f"rep_{org.pk}")
                else (str(people[0].pk) if len(people) == 1 else ""),
            )
        for seat in seats:
            self.fields[f"attendance_{seat.user_id}"] = forms.ChoiceField(
                label=seat.user.display_name,
                choices=AttendanceStatus.choices,
                initial=recorded.get(f"attendance_{seat.user_id}") or AttendanceStatus.PRESENT,
                widget=forms.RadioSelect,
            )
        for n in range(1, GUEST_ROWS + 1):
            self.fields[f"guest_name_{n}"] = forms.CharField(
                label=_("Guest %(n)s: name") % {"n": n}, max_length=150, required=False
            )
            self.fields[f"guest_organization_{n}"] = forms.CharField(
                label=_("Guest %(n)s: organization") % {"n": n}, max_length=200, required=False
            )
        for item in items:
            self.fields[f"minutes_{item.pk}"] = forms.CharField(
                label=_("Minutes: %(title)s") % {"title": item.title},
                required=False,
                initial=item.minutes,
                widget=forms.Textarea(attrs={"rows": 3}),
            )
        self.seats, self.items, self.participations = seats, items, participations

    def clean(self) -> dict[str, object]:
        cleaned = super().clean()
        for participation in self.participations:
            pk = participation.organization_id
            if cleaned.get(f"rep_{pk}") and cleaned.get(f"org_{pk}") != AttendanceStatus.PRESENT:
                self.add_error(
                    f"rep_{pk}", _("Only an organization that was present has a representative.")
                )
        for n in range(1, GUEST_ROWS + 1):
            if cleaned.get(f"guest_organization_{n}") and not cleaned.get(f"guest_name_{n}"):
                self.add_error(f"guest_name_{n}", _("Give the guest's name."))
        return cleaned

    def organization_fields(self) -> list[tuple]:
        return [
            (self[f"org_{p.organization_id}"], self[f"rep_{p.organization_id}"])
            for p in self.participations
        ]

    def guest_fields(self) -> list[tuple]:
        return [
            (self[f"guest_name_{n}"], self[f"guest_organization_{n}"])
            for n in range(1, GUEST_ROWS + 1)
        ]

    def organizations(self) -> dict[int, tuple[str, int | None]]:
        return {
            p.organization_id: (
                self.cleaned_data[f"org_{p.organization_id}"],
                self.cleaned_data[f"rep_{p.organization_id}"],
            )
            for p in self.participations
        }

    def guests(self) -> list[tuple[str, str]]:
        return [
            (self.cleaned_data[f"guest_name_{n}"], self.cleaned_data[f"guest_organization_{n}"])
            for n in range(1, GUEST_ROWS + 1)
            if self.cleaned_data[f"guest_name_{n}"].strip()
        ]


class GuestForm(forms.Form):
    name = forms.CharField(label=_("Guest's name"), max_length=150)
    organization = forms.CharField(
        label=_("Organization"),
        max_length=200,
        required=False,
        help_text=_("Where they came from; they need no account."),
    )


class RsvpForm(forms.Form):
    rsvp = forms.ChoiceField(choices=Rsvp.choices)
