from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from indicators.models import ProgressCode
from indicators.services.progress import OVERRIDE_REASON_MAX


class ProgressOverrideForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status to show"),
        choices=ProgressCode.choices,
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Why the status worked out is not the right one"),
        max_length=OVERRIDE_REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Everyone in the plan reads it beside the status, on the dashboard and the "
            "indicator's page."
        ),
    )
