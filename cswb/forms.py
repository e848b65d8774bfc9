from __future__ import annotations

from django import forms
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
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


def _attrs_html(attrs: dict[str, object]) -> str:
    """django/forms/widgets/attrs.html, in Python."""
    return "".join(
        f" {name}" if value is True else f' {name}="{escape(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


class ManyOptionsSelect(forms.Select):
    """A select for long lists (the people who may own a table's action): the same markup as
    Django's select template, written here rather than through a template per option, which
    was most of the time of the page that offers it."""

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [f'<select name="{escape(widget["name"])}"{_attrs_html(widget["attrs"])}>']
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                parts.append(f'\n  <optgroup label="{escape(group_name)}">')
            parts.extend(
                f'\n  <option value="{escape(option["value"])}"{_attrs_html(option["attrs"])}>'
                f"{escape(option['label'])}</option>"
                for option in options
            )
            if group_name:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return mark_safe("".join(parts))  # noqa: S308 -- every value is escaped above
