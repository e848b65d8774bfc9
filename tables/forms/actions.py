from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from cswb.forms import ManyOptionsSelect, PythonFormRenderer
from cswb.guardrails import PersonalInformationGuardMixin
from tables.models import ActionStatus, Priority


class ActionForm(PersonalInformationGuardMixin, forms.Form):
    guarded_fields = ("title", "description")
    default_renderer = PythonFormRenderer  # drawn on every visit to a table's actions

    title = forms.CharField(label=_("What will be done"), max_length=200)
    description = forms.CharField(
        label=_("Details"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("System-level work only: never names or details of people at risk."),
    )
    owner_organization = forms.ChoiceField(
        label=_("Owner organization"), required=False, widget=ManyOptionsSelect
    )
    owner = forms.ChoiceField(
        label=_("Owner person"),
        required=False,
        widget=ManyOptionsSelect,
        help_text=_(
            "Someone who works at the owner organization now (with no organization, someone "
            "with a seat at this table), or nobody in particular. It appears in their My work."
        ),
    )
    due_date = forms.DateField(
        label=_("Due"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    priority = forms.ChoiceField(
        label=_("Priority"), choices=Priority.choices, initial=Priority.NORMAL
    )

    def __init__(
        self,
        *args: object,
        organizations: list,
        people: list[tuple[str, list]],
        **kwargs: object,
    ):
        super().__init__(*args, **kwargs)
        self.fields["owner_organization"].choices = [
            ("", _("No organization")),
            *[(str(o.pk), o.name) for o in organizations],
        ]
        self.organizations = {str(o.pk): o for o in organizations}
        self.fields["owner"].choices = [
            ("", _("Nobody in particular")),
            *[(group, [(str(u.pk), u.display_name) for u in users]) for group, users in people],
        ]
        self.people = {str(u.pk): u for _group, users in people for u in users}

    def clean_owner_organization(self):
        return self.organizations.get(self.cleaned_data["owner_organization"])

    def clean_owner(self):
        return self.people.get(self.cleaned_data["owner"])


class ActionEditForm(ActionForm):
    guarded_fields = ("title", "description", "due_change_reason")

    due_change_reason = forms.CharField(
        label=_("Why the due date changes"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Needed when the due date changes (it may then be in the past, e.g. to record a "
            "late commitment). It is kept in the action's timeline."
        ),
    )

    field_order = [
        "title",
        "description",
        "owner_organization",
        "owner",
        "due_date",
        "due_change_reason",
        "priority",
    ]


class DecisionActionForm(ActionForm):
    """The action a decision becomes: its words are the title, so only who and when."""

    guarded_fields = ()

    def __init__(self, *args: object, **kwargs: object):
        super().__init__(*args, **kwargs)
        del self.fields["title"], self.fields["description"], self.fields["not_personal"]


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
    default_renderer = PythonFormRenderer
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
