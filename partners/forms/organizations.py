from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from partners.models import OrgRole, Sector


class OrganizationFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100,
                        widget=forms.TextInput(attrs={"type": "search"}))  # fmt: skip
    sector = forms.ChoiceField(label=_("Sector"), required=False,
                               choices=[("", _("All sectors")), *Sector.choices])  # fmt: skip


class OrganizationForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    sector = forms.ChoiceField(label=_("Sector"), choices=Sector.choices)
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")
    description = forms.CharField(label=_("Description"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}))  # fmt: skip


class OrganizationEditForm(OrganizationForm):
    is_active = forms.BooleanField(
        label=_("Active"),
        required=False,
        help_text=_(
            "An inactive organization keeps its tables and history but is no longer offered "
            "for new tables."
        ),
    )


class StaffForm(forms.Form):
    email = forms.EmailField(label=_("Email of a plan member"))
    role = forms.ChoiceField(label=_("Role"), choices=OrgRole.choices, initial=OrgRole.STAFF)
    title = forms.CharField(label=_("Title"), required=False, max_length=150)


class ContactForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=150)
    email = forms.EmailField(label=_("Email"))
