"""The portal holds system-level work, never case files. Free text that looks like it holds a
person's contact or health details is flagged before it is saved, and the writer must either
remove it or confirm that it is not about a person."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

PATTERNS = [
    (
        "a phone number",
        re.compile(r"(?<!\d)(?:\+?1[\s.-]?)?\(?\d{3}\)?[\s.-]?\d{3}[\s.-]?\d{4}(?!\d)"),
    ),
    ("an email address", re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")),
    # Ontario health card: 10 digits, often 4-3-3, with an optional two-letter version code.
    (
        "an Ontario health card number",
        re.compile(r"(?<!\d)\d{4}[\s-]?\d{3}[\s-]?\d{3}(?:[\s-]?[A-Za-z]{2})?(?![\dA-Za-z])"),
    ),
    (
        "a date of birth",
        re.compile(r"(?i)\b(?:dob|d\.o\.b\.?|date of birth|born(?: on)?)\b\W{0,3}[\w ,/-]{0,12}\d"),
    ),
]


def personal_information_found(text: str) -> list[str]:
    """What the text seems to contain, in words ("a phone number", …); empty when nothing."""
    return [label for label, pattern in PATTERNS if pattern.search(text or "")]


class PersonalInformationGuardMixin:
    """For forms with free text: lists `guarded_fields`; when one of them looks like it holds
    personal information, the form is invalid until the person removes it or ticks the
    confirmation that appears."""

    guarded_fields: tuple[str, ...] = ()

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["not_personal"] = forms.BooleanField(
            required=False,
            label=_("This is system-level work and names or identifies no person at risk."),
        )
        self.personal_information = []

    def clean(self) -> dict[str, object]:
        cleaned = super().clean()
        found: list[str] = []
        for name in self.guarded_fields:
            for label in personal_information_found(str(cleaned.get(name) or "")):
                if label not in found:
                    found.append(label)
        self.personal_information = found
        if found and not cleaned.get("not_personal"):
            raise forms.ValidationError(
                _(
                    "This text looks like it contains %(what)s. The portal holds system-level "
                    "work, not case information: remove personal details, or tick the box to "
                    "confirm it identifies no one."
                ),
                code="personal_information",
                params={"what": " and ".join(found)},
            )
        return cleaned
