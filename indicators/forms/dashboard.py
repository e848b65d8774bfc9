from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from indicators.models import Domain, ProgressCode, Series
from indicators.selectors.detail import breakdown_choices
from tables.models import ActionTable


class DashboardFilterForm(forms.Form):
    """The dashboard's filters, read from the address so a filtered view can be bookmarked."""

    domain = forms.ChoiceField(label=_("Domain"), required=False)
    status = forms.ChoiceField(
        label=_("Progress status"),
        required=False,
        choices=[("", _("Any status")), *ProgressCode.choices],
    )
    table = forms.ChoiceField(label=_("Action table"), required=False)
    places = forms.ChoiceField(
        label=_("Places"),
        required=False,
        choices=[("", _("Ours and the comparison")), ("other", _("Only other places"))],
    )

    def __init__(
        self,
        *args: object,
        domains: list[Domain],
        tables: list[ActionTable],
        planned: bool = True,
        **kwargs: object,
    ) -> None:
        super().__init__(*args, **kwargs)
        if not planned:  # a plan that marked no place has no "ours" to set apart
            del self.fields["places"]
        self.fields["domain"].choices = [("", _("All domains"))] + [
            (d.slug, d.name_en) for d in domains
        ]
        self.fields["table"].choices = [("", _("Any table"))] + [(t.slug, t.name) for t in tables]


class BreakdownForm(forms.Form):
    """Which breakdown of an indicator the page shows (age, sex, …), kept in the address;
    grouped by the dimensions each breaks down by."""

    breakdown = forms.ChoiceField(label=_("Breakdown"), required=False)

    def __init__(self, *args: object, series: list[Series], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["breakdown"].choices = breakdown_choices(series)
