from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from engagement.models import DeliveryStatus, DigestSchedule, Frequency


class FrequencyForm(forms.Form):
    frequency = forms.ChoiceField(
        label=_("How often"),
        choices=[
            (Frequency.WEEKLY, _("Weekly: every week there is something to report")),
            (Frequency.MONTHLY, _("Monthly: the first digest of each month, covering the month")),
            (Frequency.OFF, _("Off: no digests")),
        ],
        widget=forms.RadioSelect,
    )


class MeetingNoticesForm(forms.Form):
    meeting_notices = forms.ChoiceField(
        label=_("Meeting notices"),
        choices=[
            ("on", _("On: email me when a meeting of my tables is scheduled, moved or cancelled, "
                     "with a calendar file, and the day before it")),
            ("off", _("Off: no meeting emails; I follow the meetings on the portal or in my "
                      "calendar feed")),
        ],
        widget=forms.RadioSelect,
    )  # fmt: skip


class ScheduleForm(forms.ModelForm):
    class Meta:
        model = DigestSchedule
        fields = ["weekday", "hour", "is_enabled"]
        labels = {
            "weekday": _("Day of the week"),
            "hour": _("Hour"),
            "is_enabled": _("Send digests"),
        }
        widgets = {"hour": forms.Select(choices=[(h, f"{h:02d}:00") for h in range(24)])}


class PreviewForm(forms.Form):
    email = forms.EmailField(
        label=_("Recipient's email address"),
        help_text=_("A member of the plan or an organization's digest contact."),
    )


class DeliveryFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("All")), *DeliveryStatus.choices],
        required=False,
    )
