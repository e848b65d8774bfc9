from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from cswb.models import User
from engagement.models import ProgressMethod, RecommendationStatus, Survey
from tables.models import Action, ActionStatus

DATE = forms.DateInput(attrs={"type": "date"})


class _OwnerMixin:
    """An owner chosen among the plan's members (given by the view)."""

    def _set_people(self, people: list[User], label: str) -> None:
        self.people = {str(u.pk): u for u in people}
        self.fields["owner"].choices = [("", _("Nobody yet"))] + [
            (str(u.pk), u.display_name) for u in people
        ]
        self.fields["owner"].label = label

    def owner(self) -> User | None:
        return self.people.get(self.cleaned_data.get("owner") or "")


class RecommendationForm(_OwnerMixin, forms.Form):
    number = forms.IntegerField(label=_("Number"), min_value=1, max_value=999)
    title = forms.CharField(label=_("Recommendation"), max_length=200)
    theme = forms.CharField(
        label=_("Theme"),
        max_length=120,
        required=False,
        help_text=_("For example: communication and transparency; equity and lived experience."),
    )
    source_report = forms.CharField(
        label=_("Where it came from"),
        max_length=200,
        required=False,
        help_text=_("The engagement or report, e.g. “2023 partner engagement”."),
    )
    source_date = forms.DateField(label=_("Dated"), required=False, widget=DATE)
    survey = forms.ChoiceField(label=_("The partner survey it came from"), required=False)
    partners_said = forms.CharField(
        label=_("What partners said"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "The finding behind it, e.g. “93% say their organization benefits; they "
            "asked to hear more about outcomes.”"
        ),
    )
    owner = forms.ChoiceField(required=False)
    progress_method = forms.ChoiceField(
        label=_("Progress is"),
        choices=ProgressMethod.choices,
        initial=ProgressMethod.PLAIN,
        help_text=_(
            "How the accompanying actions add up. Weighted: each action counts as "
            "much as its weight (1 to 10)."
        ),
    )
    status = forms.ChoiceField(
        label=_("Status, until actions are linked"),
        choices=RecommendationStatus.choices,
        initial=RecommendationStatus.NOT_STARTED,
    )
    percent = forms.IntegerField(
        label=_("Percent done, until actions are linked"), min_value=0, max_value=100, initial=0
    )

    def __init__(
        self, *args: object, people: list[User], surveys: list[Survey], **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)
        self._set_people(people, _("Owner"))
        self.surveys = {str(s.pk): s for s in surveys}
        self.fields["survey"].choices = [("", _("None: a report or meeting"))] + [
            (str(s.pk), s.title) for s in surveys
        ]

    def values(self) -> dict[str, object]:
        data = dict(self.cleaned_data)
        data["owner"] = self.owner()
        data["survey"] = self.surveys.get(data.get("survey") or "")
        return data


class LinkActionForm(forms.Form):
    action = forms.ChoiceField(label=_("Table action"))
    weight = forms.IntegerField(
        label=_("Weight (1 to 10)"),
        min_value=1,
        max_value=10,
        initial=1,
        help_text=_("Used when progress is the weighted average."),
    )

    def __init__(self, *args: object, actions: list[Action], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.actions = {str(a.pk): a for a in actions}
        self.fields["action"].choices = [("", "—")] + [
            (str(a.pk), f"{a.table.name}: {a.title}") for a in actions
        ]

    def chosen(self) -> Action:
        return self.actions[self.cleaned_data["action"]]


class PlanActionForm(_OwnerMixin, forms.Form):
    title = forms.CharField(label=_("What the plan will do"), max_length=200)
    owner = forms.ChoiceField(required=False)
    due_date = forms.DateField(label=_("Due"), required=False, widget=DATE)
    weight = forms.IntegerField(label=_("Weight (1 to 10)"), min_value=1, max_value=10, initial=1)

    def __init__(self, *args: object, people: list[User], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self._set_people(people, _("Who does it"))


class PlanActionEditForm(_OwnerMixin, forms.Form):
    title = forms.CharField(label=_("What the plan will do"), max_length=200)
    status = forms.ChoiceField(label=_("Status"), choices=ActionStatus.choices)
    owner = forms.ChoiceField(required=False)
    due_date = forms.DateField(label=_("Due"), required=False, widget=DATE)

    def __init__(self, *args: object, people: list[User], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self._set_people(people, _("Who does it"))
