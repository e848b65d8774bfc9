"""The forms of the organizations import: the upload, and the choice of its columns."""

from __future__ import annotations

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from partners.models import Sector
from partners.services.importing import FIELDS, MAX_BYTES


class OrganizationUploadForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=format_lazy(
            _(
                "UTF-8 or Windows-1252, at most {mb} MB (tens of thousands of rows). The first "
                "line names the columns."
            ),
            mb=MAX_BYTES // (1024 * 1024),
        ),
    )


def columns_form(header: list[str], data=None, initial=None) -> forms.Form:
    """Which column of the file holds each field, and the sector of rows without one."""
    choices = [("", _("— not in the file —"))] + [
        (str(i), h or _("Column %(n)d") % {"n": i + 1}) for i, h in enumerate(header)
    ]
    fields = {
        key: forms.ChoiceField(label=label, choices=choices, required=(key == "name"))
        for key, label in FIELDS.items()
    }
    fields["default_sector"] = forms.ChoiceField(
        label=_("Sector for rows without one"),
        required=False,
        choices=[("", _("— none: a sector is required —")), *Sector.choices],
    )
    return type("ColumnsForm", (forms.Form,), fields)(data=data, initial=initial)
