from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from cswb.guardrails import PersonalInformationGuardMixin
from tables.models import ActionStatus, Priority


class ActionForm(PersonalInformationGuardMixin, forms.Form):
    guarded_fields = ("title", "description")

    title = forms.CharField(label=_("What will be done"), max_length=200)
    description = forms.CharField(
        label=_("Details"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("System-level work only: never names or details of people at risk."),
    )
    owner_organization = forms.ChoiceField(label=_("Owned by"), required=False)
    due_date = forms.DateField(
        label=_("Due"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    priority = forms.ChoiceField(
        label=_("Priority"), choices=Priority.choices, initial=Priority.NORMAL
    )

    def __init__(self, *args: object, organizations: list, allow_none: bool, **kwargs: object):
        super().__init__(*args, **kwargs)
        choices = [(str(o.pk), o.name) for o in organizations]
        if allow_none or not choices:
            choices = [("", _("Me, not an organization")), *choices]
        self.fields["owner_organization"].choices = choices
        self.organizations = {str(o.pk): o for o in organizations}


class ActionUpdateForm(PersonalInformationGuardMixin, forms.Form):
    guarded_fields = ("text",)

    status = forms.ChoiceField(label=_("Status"), required=False)
    text = forms.CharField(
        label=_("Update"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What changed, what is next, what is in the way."),
    )

    def __init__(self, *args: object, current: str, allowed: frozenset[str], **kwargs: object):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [
            (current, _("%(s)s (no change)") % {"s": ActionStatus(current).label})
        ] + [(value, label) for value, label in ActionStatus.choices if value in allowed]
        self.fields["status"].initial = current


class ActionFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("", _("Open")),
            ("overdue", _("Overdue")),
            ("all", _("All")),
            *ActionStatus.choices,
        ],
    )
