"""The form markup written in Python (`cswb.forms.PythonFormRenderer`) is the templates'
markup, byte for byte: for the forms that use it, empty, filled and refused, and for fields
it leaves to the templates (fieldsets, hidden inputs, fields without an id)."""

from __future__ import annotations

from datetime import date

import pytest
from django import forms
from django.forms.renderers import get_default_renderer

from cswb.forms import PythonFormRenderer
from tables.forms.actions import (
    ActionEditForm,
    ActionFilterForm,
    ActionForm,
    ActionUpdateForm,
    DecisionActionForm,
)
from tables.forms.tables import TableFilterForm
from tables.models import FocusArea
from tables.selectors.actions import OwnerOption

OWNERS = {
    "organizations": [OwnerOption(1, 'Youth & <Family> "Services"'), OwnerOption(2, "Halton")],
    "people": [
        ("Halton & <co>", [OwnerOption(5, "Ann O'Neil"), OwnerOption(7, "<b>Cy</b>")]),
        ("Seats at this table (no organization)", [OwnerOption(6, "Bo")]),
    ],
}
AREAS = {"focus_areas": [FocusArea(slug="youth", name="Youth & <families>")]}


class EveryKindForm(forms.Form):
    default_renderer = PythonFormRenderer

    choice = forms.ChoiceField(choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect)
    many = forms.MultipleChoiceField(
        choices=[("a", "A")], widget=forms.CheckboxSelectMultiple, required=False
    )
    secret = forms.CharField(widget=forms.HiddenInput, required=False)
    number = forms.IntegerField(label="How many?", required=False, help_text="<i>Whole</i>")
    email = forms.EmailField(label="", required=False)
    when = forms.DateField(initial=date(2030, 1, 2), widget=forms.DateInput, required=False)
    note = forms.CharField(widget=forms.Textarea, initial="a <b> & c", required=False)


CASES = [
    (ActionForm, OWNERS, None, {}),
    (
        ActionForm,
        OWNERS,
        {
            "title": "",
            "description": "Call 905-555-0142 <now>",
            "owner_organization": "9",
            "owner": "5",
            "due_date": "not a date",
            "priority": "urgent",
        },
        {},
    ),
    (
        ActionForm,
        OWNERS,
        {
            "title": '<b>Plan</b> "x"',
            "description": "x & y",
            "owner_organization": "1",
            "owner": "7",
            "due_date": "2030-01-02",
            "priority": "high",
            "not_personal": "on",
        },
        {},
    ),
    (ActionEditForm, OWNERS, None, {"initial": {"title": "<b>", "owner": "6"}}),
    (DecisionActionForm, OWNERS, {"owner": "nobody", "due_date": "2030-13-40"}, {}),
    (ActionUpdateForm, {"current": "planned", "allowed": frozenset({"done"})}, None, {}),
    (ActionFilterForm, {}, None, {}),
    (ActionFilterForm, {}, {"status": "done"}, {}),
    (ActionFilterForm, {}, {"status": "<nope>"}, {}),
    (TableFilterForm, AREAS, None, {}),
    (TableFilterForm, AREAS, {"q": 'a"b<', "focus_area": "youth", "zone": "x", "mine": "on"}, {}),
    (EveryKindForm, {}, None, {}),
    (EveryKindForm, {}, {"choice": "c", "number": "x", "email": "no"}, {}),
    (EveryKindForm, {}, None, {"auto_id": False}),
]


def _markup(form: forms.Form) -> list[str]:
    form.is_bound and form.is_valid()
    parts = [str(form.non_field_errors()), str(form)]
    for field in form:
        parts += [field.as_field_group(), field.label_tag(), str(field), str(field.errors)]
    return parts


@pytest.mark.parametrize(("form_class", "arguments", "data", "options"), CASES)
def test_python_markup_is_the_templates(form_class, arguments, data, options) -> None:
    written = form_class(data, **arguments, **options, renderer=PythonFormRenderer())
    templated = form_class(data, **arguments, **options, renderer=get_default_renderer())
    assert _markup(written) == _markup(templated)


def test_the_forms_drawn_on_every_visit_use_it() -> None:
    for form in (ActionForm(**OWNERS), ActionFilterForm(), TableFilterForm(**AREAS)):
        assert isinstance(form.renderer, PythonFormRenderer)
