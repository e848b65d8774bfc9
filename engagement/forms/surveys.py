from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from engagement.models import Question, QuestionKind, Survey, SurveySection
from engagement.services.surveys import condition_values

MAX_OPTIONS = 12


class SurveyForm(forms.ModelForm):
    class Meta:
        model = Survey
        fields = ["title", "title_fr", "intro", "intro_fr", "is_anonymous", "opens_on", "closes_on"]
        labels = {
            "title": _("Title (English)"),
            "title_fr": _("Title (French)"),
            "intro": _("Introduction (English)"),
            "intro_fr": _("Introduction (French)"),
            "is_anonymous": _("Anonymous"),
            "opens_on": _("Opens on"),
            "closes_on": _("Closes on"),
        }
        widgets = {
            "intro": forms.Textarea(attrs={"rows": 3}),
            "intro_fr": forms.Textarea(attrs={"rows": 3, "lang": "fr"}),
            "title_fr": forms.TextInput(attrs={"lang": "fr"}),
            "opens_on": forms.DateInput(attrs={"type": "date"}),
            "closes_on": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.instance.is_draft:
            self.fields["is_anonymous"].disabled = True
            self.fields["is_anonymous"].help_text = _("Fixed once the survey has opened.")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        opens, closes = data.get("opens_on"), data.get("closes_on")
        if opens and closes and closes < opens:
            self.add_error("closes_on", _("The survey cannot close before it opens."))
        return data


class SectionForm(forms.ModelForm):
    class Meta:
        model = SurveySection
        fields = ["title", "title_fr", "description", "description_fr"]
        labels = {
            "title": _("Title (English)"),
            "title_fr": _("Title (French)"),
            "description": _("Description (English)"),
            "description_fr": _("Description (French)"),
        }
        widgets = {
            "title_fr": forms.TextInput(attrs={"lang": "fr"}),
            "description": forms.Textarea(attrs={"rows": 2}),
            "description_fr": forms.Textarea(attrs={"rows": 2, "lang": "fr"}),
        }


class QuestionForm(forms.Form):
    """One question. Choices are written one per line, English | French; the condition is
    an earlier question and one of its answers ("question id:value")."""

    kind = forms.ChoiceField(label=_("Kind of question"), choices=QuestionKind.choices)
    text = forms.CharField(label=_("Question (English)"), max_length=500)
    text_fr = forms.CharField(
        label=_("Question (French)"),
        max_length=500,
        required=False,
        widget=forms.TextInput(attrs={"lang": "fr"}),
    )
    help_text = forms.CharField(label=_("Help (English)"), max_length=300, required=False)
    help_text_fr = forms.CharField(
        label=_("Help (French)"),
        max_length=300,
        required=False,
        widget=forms.TextInput(attrs={"lang": "fr"}),
    )
    is_required = forms.BooleanField(label=_("An answer is required"), required=False)
    options = forms.CharField(
        label=_("Choices"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "One or several choices: one per line, English then French after a bar, "
            "like “Housing | Logement”."
        ),
    )
    allows_other = forms.BooleanField(label=_("Add “Other, please say”"), required=False)
    condition = forms.ChoiceField(
        label=_("Ask only when"),
        required=False,
        help_text=_("Leave empty to ask it always."),
    )

    def __init__(
        self, *args: Any, earlier: list[Question], editing: Question | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.earlier = {str(q.pk): q for q in earlier}
        choices: list[tuple[str, str]] = [("", _("Always"))]
        for question in earlier:
            for value, label in condition_values(question):
                choices.append((f"{question.pk}:{value}", f"“{question.text}” is “{label}”"))
        self.fields["condition"].choices = choices
        if editing is not None:
            self.fields["kind"].disabled = True
            self.fields["kind"].help_text = _("Fixed: delete the question to change its kind.")

    def clean_options(self) -> list[tuple[str, str]]:
        lines = [line.strip() for line in self.cleaned_data["options"].splitlines()]
        options = []
        for line in lines:
            if not line:
                continue
            en, _bar, fr = line.partition("|")
            if len(en.strip()) > 200 or len(fr.strip()) > 200:
                raise forms.ValidationError(_("Keep each choice to 200 characters."))
            options.append((en.strip(), fr.strip()))
        if len(options) > MAX_OPTIONS:
            raise forms.ValidationError(_("At most 12 choices."))
        return options

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        kind = data.get("kind")
        if (
            kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE)
            and len(data.get("options") or []) < 2
        ):
            self.add_error("options", _("Give at least two choices, one per line."))
        condition = data.get("condition") or ""
        data["show_if"], data["show_if_value"] = None, ""
        if condition:
            pk, _colon, value = condition.partition(":")
            data["show_if"], data["show_if_value"] = self.earlier[pk], value
        return data


def question_initial(question: Question) -> dict[str, Any]:
    return {
        "kind": question.kind,
        "text": question.text,
        "text_fr": question.text_fr,
        "help_text": question.help_text,
        "help_text_fr": question.help_text_fr,
        "is_required": question.is_required,
        "allows_other": question.allows_other,
        "options": "\n".join(
            f"{o.label} | {o.label_fr}" if o.label_fr else o.label for o in question.options.all()
        ),
        "condition": f"{question.show_if_id}:{question.show_if_value}"
        if question.show_if_id
        else "",
    }


class InviteForm(forms.Form):
    members = forms.BooleanField(
        label=_("Every active member of the plan"), required=False, initial=True
    )
    contacts = forms.BooleanField(
        label=_("Every organization's contacts (no account needed)"), required=False, initial=True
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("members") and not data.get("contacts"):
            raise forms.ValidationError(_("Choose who to invite."))
        return data


def answers_from_post(questions: list[Question], data: Any) -> dict[str, dict[str, Any]]:
    """The raw answers of a page's questions, as the services read them."""
    answers: dict[str, dict[str, Any]] = {}
    for question in questions:
        name = f"q{question.pk}"
        raw: dict[str, Any] = {}
        if question.kind == QuestionKind.MULTIPLE:
            raw["values"] = data.getlist(name)
        elif question.kind in (QuestionKind.LIKERT, QuestionKind.YES_NO, QuestionKind.SINGLE):
            value = data.get(name, "")
            raw["values"] = [value] if value else []
        elif question.kind == QuestionKind.NUMBER:
            raw["number"] = data.get(name, "")
        else:
            raw["text"] = data.get(name, "")
        if question.allows_other:
            raw["other"] = data.get(f"{name}_other", "")
        answers[str(question.pk)] = raw
    return answers
