from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from engagement.models import IdentityAnswer, IdentityQuestion, RepresentationGoal
from partners.models import Sector

CONSENT = _(
    "I choose to share these answers. I understand that only I can see them; that the plan "
    "sees only counts of groups, never a count under 5; and that I can change or delete my "
    "answers at any time."
)


class SelfIdentificationForm(forms.Form):
    """One radio group per asked question (each can be left blank), the owner's own words,
    and a separate consent."""

    in_own_words = forms.CharField(
        label=_("Anything you want to add, in your own words (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only you will see this. It is never counted or shown to anyone else."),
    )
    consent = forms.BooleanField(label=CONSENT, required=False)

    def __init__(self, *args: object, asked: list[str], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.asked = asked
        choices = [*IdentityAnswer.choices, ("", _("Leave unanswered"))]
        questions = {
            q: forms.ChoiceField(
                label=IdentityQuestion(q).label,
                choices=choices,
                required=False,
                widget=forms.RadioSelect,
            )
            for q in asked
        }
        # The questions first, then the person's own words and the consent.
        self.fields = {**questions, **self.fields}

    def clean_consent(self) -> bool:
        if not self.cleaned_data.get("consent"):
            raise forms.ValidationError(_("Tick the consent box to save your answers."))
        return True

    def answers(self) -> dict[str, str]:
        return {q: self.cleaned_data.get(q) or "" for q in self.asked}


class QuestionSettingsForm(forms.Form):
    asked = forms.MultipleChoiceField(
        label=_("Questions the plan asks"),
        choices=IdentityQuestion.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    reported = forms.MultipleChoiceField(
        label=_("Groups the plan reports on (declared in advance; counts only, under 5 withheld)"),
        choices=IdentityQuestion.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )


class GoalForm(forms.Form):
    kind = forms.ChoiceField(label=_("Goal"), choices=RepresentationGoal.Kind.choices)
    sector = forms.ChoiceField(
        label=_("Sector (for a sector goal)"),
        choices=[("", "—"), *[(v, lbl) for v, lbl in Sector.choices if v != Sector.OTHER]],
        required=False,
    )
    group = forms.ChoiceField(
        label=_("Group (for a self-identification goal)"),
        choices=[("", "—")],
        required=False,
    )
    target = forms.IntegerField(label=_("At least"), min_value=1, max_value=50, initial=1)
    note = forms.CharField(
        label=_("Why, in a few words (optional)"),
        max_length=200,
        required=False,
    )

    def __init__(self, *args: object, reported: list[str], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["group"].choices = [("", "—")] + [
            (q, IdentityQuestion(q).label) for q in reported
        ]
