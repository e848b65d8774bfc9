"""Small view helpers every app shares: one way to turn a refusal into a message, and one way
to ask before a destructive action."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render


def error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


def confirm_then(
    request: HttpRequest,
    *,
    perform: Callable[[], object],
    done: str,
    back: str,
    question: str,
    consequence: str,
    button: str = "Remove",
    back_label: str = "Back",
    respond: Callable[[], HttpResponse] | None = None,
) -> HttpResponse:
    """GET shows a confirmation page; POST performs the action, reports the outcome as a
    message and returns `respond()` (an htmx partial, say) or redirects to `back`."""
    if request.method != "POST":
        return render(
            request,
            "confirm.html",
            {
                "question": question,
                "consequence": consequence,
                "button": button,
                "cancel_url": back,
                "back_label": back_label,
            },
        )
    try:
        perform()
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, done)
    return respond() if respond is not None else redirect(back)
