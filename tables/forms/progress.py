"""The progress page's filters and sorting."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from cswb.forms import PythonFormRenderer
from tables.models import TableStatus, Zone

SORTS = {
    "name": ("name", False),
    "open": ("open_count", True),
    "overdue": ("overdue_count", True),
    "last_meeting": ("last_meeting", False),
}


class ProgressFilterForm(forms.Form):
    default_renderer = PythonFormRenderer  # drawn on every visit to the progress page

    zone = forms.ChoiceField(
        label=_("Zone"), required=False, choices=[("", _("All zones")), *Zone.choices]
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status")), *TableStatus.choices]
    )
    flag = forms.ChoiceField(
        label=_("Needs attention"),
        required=False,
        choices=[
            ("", _("All tables")),
            ("stale", _("No meeting in 90 days")),
            ("overdue", _("Many overdue actions")),
        ],
    )
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            ("name", _("Name")),
            ("overdue", _("Overdue actions")),
            ("open", _("Open actions")),
            ("last_meeting", _("Last meeting")),
        ],
    )
