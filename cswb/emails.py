"""The one way the portal builds an email: subject, plain text and HTML from named templates
(`emails/<name>-subject.txt`, `-body.txt`, `-body.html`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string


def email_build(
    *,
    template: str,
    to: Sequence[str],
    context: Mapping[str, Any],
    headers: Mapping[str, str] | None = None,
    connection: Any = None,
) -> EmailMultiAlternatives:
    context = {"portal_base_url": settings.PORTAL_BASE_URL, **context}
    subject = " ".join(render_to_string(f"emails/{template}-subject.txt", context).split())
    # The text part is rendered with autoescaping off: it is plain text, never markup. Drop the
    # "safe" mark render_to_string gives it, so that a page showing it escapes it.
    text = str.__str__(render_to_string(f"emails/{template}-body.txt", context))
    html = render_to_string(f"emails/{template}-body.html", context)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=list(to),
        headers=dict(headers or {}),
        connection=connection,
    )
    message.attach_alternative(html, "text/html")
    return message


def email_send(**kwargs: Any) -> None:
    email_build(**kwargs).send()
