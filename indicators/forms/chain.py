from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cswb.guardrails import PersonalInformationGuardMixin
from indicators.models import StoryNote
from tables.models import Action, ActionTable


class IndicatorTablesForm(forms.Form):
    tables = forms.ModelMultipleChoiceField(
        label=_("Tables working to turn this indicator"),
        queryset=ActionTable.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Only the tables you run are listed; links made by others stay."),
    )

    def __init__(self, *args: object, tables: list[ActionTable], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["tables"].queryset = ActionTable.objects.filter(pk__in=[t.pk for t in tables])


class StoryNoteForm(PersonalInformationGuardMixin, forms.ModelForm):
    guarded_fields = ("text",)
    actions = forms.ModelMultipleChoiceField(
        label=_("Table actions responding"),
        queryset=Action.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = StoryNote
        fields = ["written_on", "text", "actions"]
        labels = {"written_on": _("Date"), "text": _("What is driving the trend")}
        help_texts = {
            "text": _(
                "What the data show and why, and which actions respond. System-level only: "
                "no names or details of people."
            )
        }
        widgets = {
            "written_on": forms.DateInput(attrs={"type": "date"}),
            "text": forms.Textarea(attrs={"rows": 5}),
        }

    def __init__(self, *args: object, actions: list[Action], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["actions"].queryset = Action.objects.filter(
            pk__in=[a.pk for a in actions]
        ).select_related("table")
        self.fields["actions"].label_from_instance = lambda a: f"{a.title} ({a.table.name})"
        if not self.instance.pk:
            self.initial.setdefault("written_on", timezone.localdate())
