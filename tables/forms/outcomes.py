"""Forms of measures and their observations."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from cswb.guardrails import PersonalInformationGuardMixin
from partners.models import Organization
from tables.models import Measure, TableOrganization


class MeasureForm(forms.ModelForm):
    # Declared: organizations are tenant-scoped, so the choices are set per request.
    reporting_organization = forms.ModelChoiceField(
        label=_("Reported by"),
        queryset=Organization.objects.none(),
        required=False,
        help_text=_("Its staff record the values."),
    )

    class Meta:
        model = Measure
        fields = [
            "name",
            "kind",
            "unit",
            "direction",
            "baseline_value",
            "baseline_date",
            "target_value",
            "target_date",
            "data_source",
            "reporting_organization",
        ]
        widgets = {
            "baseline_date": forms.DateInput(attrs={"type": "date"}),
            "target_date": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args: object, table, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reporting_organization"].queryset = Organization.objects.filter(
            pk__in=TableOrganization.objects.current().filter(table=table).values("organization_id")
        )

    def clean(self) -> dict[str, object]:
        cleaned = super().clean()
        start, end = cleaned.get("baseline_date"), cleaned.get("target_date")
        if start and end and end <= start:
            self.add_error("target_date", _("The target date must come after the baseline."))
        return cleaned


class ObservationForm(PersonalInformationGuardMixin, forms.Form):
    guarded_fields = ("note",)
    value = forms.DecimalField(label=_("Value"), max_digits=12, decimal_places=2)
    period_end = forms.DateField(
        label=_("For the period ending"), widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
