from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.forms.renderers import BaseRenderer, get_default_renderer
from django.utils.html import conditional_escape, escape
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


# The markup of Django's form templates, written in Python: a form drawn field by field
# (`{{ field.as_field_group }}`, `{{ field.label_tag }}{{ field }}`) runs a template for each
# field, its label, its error list and its widget, which was about 2 ms of a page with a form
# of seven fields. Each writer below gives what its template gives for the same context (the
# renderer strips both alike); tests/cswb/test_form_markup.py compares them.


def _text(value: object) -> str:
    """`{{ value }}` and `{{ value|stringformat:'s' }}`: its text, escaped unless safe."""
    return conditional_escape(value)


def _attrs(attrs: dict[str, object] | None) -> str:
    """django/forms/attrs.html and django/forms/widgets/attrs.html."""
    return "".join(
        f" {_text(name)}" if value is True else f' {_text(name)}="{_text(value)}"'
        for name, value in (attrs or {}).items()
        if value is not False
    )


def _field_group(context: dict) -> str | None:
    """django/forms/field.html, for a field without a fieldset (with one: the template)."""
    field = context["field"]
    if field.use_fieldset:
        return None
    label = field.label_tag() if field.label else ""
    helptext = ""
    if field.help_text:
        id_ = f' id="{_text(field.auto_id)}_helptext"' if field.auto_id else ""
        helptext = f'<div class="helptext"{id_}>{field.help_text}</div>'
    return f"\n  {label}\n\n{helptext}\n{field.errors}\n{field}"


def _label(context: dict) -> str:
    """django/forms/label.html."""
    label = _text(context["label"])
    if not context["use_tag"]:
        return label
    tag = _text(context["tag"])
    return f"<{tag}{_attrs(context['attrs'])}>{label}</{tag}>"


def _error_list(context: dict) -> str:
    """django/forms/errors/list/default.html (ul.html)."""
    errors = context["errors"]
    if not errors:
        return ""
    id_ = f' id="{_text(errors.field_id)}_error"' if errors.field_id else ""
    items = "".join(f"<li>{_text(error)}</li>" for error in errors)
    return f'<ul class="{_text(context["error_class"])}"{id_}>{items}</ul>'


def _input(context: dict) -> str:
    """django/forms/widgets/input.html, which text, date, checkbox… include."""
    widget = context["widget"]
    value = "" if widget["value"] is None else f' value="{_text(widget["value"])}"'
    return (
        f'<input type="{_text(widget["type"])}" name="{_text(widget["name"])}"{value}'
        f"{_attrs(widget['attrs'])}>"
    )


def _textarea(context: dict) -> str:
    """django/forms/widgets/textarea.html."""
    widget = context["widget"]
    value = _text(widget["value"]) if widget["value"] else ""
    return f'<textarea name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>\n{value}</textarea>'


def _select(context: dict) -> str:
    """templates/django/forms/widgets/select.html (the project's: options inline)."""
    widget = context["widget"]
    parts = [f'<select name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_text(group_name)}">')
        parts.extend(
            f'\n  <option value="{_text(option["value"])}"{_attrs(option["attrs"])}>'
            f"{_text(option['label'])}</option>"
            for option in options
        )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


_WRITERS: dict[str, Callable[[dict], str | None]] = {
    "django/forms/field.html": _field_group,
    "django/forms/label.html": _label,
    "django/forms/errors/list/default.html": _error_list,
    "django/forms/errors/list/ul.html": _error_list,
    **{
        f"django/forms/widgets/{name}.html": _input
        for name in ("input", "text", "search", "email", "url", "number", "date", "checkbox")
    },
    "django/forms/widgets/textarea.html": _textarea,
    "django/forms/widgets/select.html": _select,
}


class PythonFormRenderer(BaseRenderer):
    """The project's form renderer (FORM_RENDERER) with the commonest templates written in
    Python (`_WRITERS`): a form's `default_renderer` where a page draws it on every visit
    (the action list's form, the table list's filters). Any other template is rendered as
    ever; the markup is the same either way."""

    def get_template(self, template_name: str):
        return get_default_renderer().get_template(template_name)

    def render(self, template_name: str, context: dict, request=None) -> str:
        writer = _WRITERS.get(template_name)
        html = writer(context) if writer is not None else None
        if html is None:
            return super().render(template_name, context, request)
        return html.strip()
