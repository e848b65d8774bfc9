"""Forms of measures and their observations."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cswb.guardrails import PersonalInformationGuardMixin
from partners.models import Organization
from tables.models import Measure, TableOrganization
from tables.services.outcomes import MEASURE_EDITABLE


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
            "unit_kind",
            "allows_negative",
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
        at_table = Q(
            pk__in=TableOrganization.objects.current().filter(table=table).values("organization_id")
        )
        current = getattr(self.instance, "reporting_organization_id", None)
        # An organization that has since left the table stays a choice of its own measure.
        self.fields["reporting_organization"].queryset = Organization.objects.filter(
            at_table | Q(pk=current) if current else at_table
        ).order_by("name")

    def _post_clean(self) -> None:
        # The services validate the whole measure (model rules and the kind of number); an
        # edit form must not write the instance it was given before they do.
        pass

    def clean(self) -> dict[str, object]:
        cleaned = super().clean()
        start, end = cleaned.get("baseline_date"), cleaned.get("target_date")
        if start and end and end <= start:
            self.add_error("target_date", _("The target date must come after the baseline."))
        return cleaned


class MeasureEditForm(MeasureForm):
    """What may change once a measure exists (MEASURE_EDITABLE): what it counts and its
    baseline stay, they are its history."""

    class Meta(MeasureForm.Meta):
        fields = list(MEASURE_EDITABLE)
        widgets = {"target_date": forms.DateInput(attrs={"type": "date"})}

    def clean(self) -> dict[str, object]:
        cleaned = forms.ModelForm.clean(self)
        end = cleaned.get("target_date")
        if end and end <= self.instance.baseline_date:
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
