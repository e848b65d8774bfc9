from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from cswb.models import MfaPolicy, TenantRole


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=TenantRole.choices)


class MfaPolicyForm(forms.Form):
    mfa_policy = forms.ChoiceField(
        label=_("Who must use it"),
        choices=MfaPolicy.choices,
        widget=forms.RadioSelect,
        help_text=_(
            "People who must use it and have not set it up are sent to set it up before "
            "anything else, the next time they open a page."
        ),
    )
