"""Small view helpers every app shares: one way to turn a refusal into a message, one way to
ask before a destructive action, and the strings a long list page repeats on every row made
once per page (links, dates)."""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import date, datetime
from functools import lru_cache

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import SafeString, mark_safe


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
    destructive: bool = True,
) -> HttpResponse:
    """GET shows a confirmation page; POST performs the action, reports the outcome as a
    message and returns `respond()` (an htmx partial, say) or redirects to `back`. The button
    is drawn as a destructive one unless `destructive` is false (bringing something back)."""
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
                "destructive": destructive,
            },
        )
    try:
        perform()
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, done)
    return respond() if respond is not None else redirect(back)


def url_maker(viewname: str, *varying: str, **fixed: object) -> Callable[..., str]:
    """The address of `viewname` for many rows that differ only in the `varying` arguments
    (slugs and primary keys), with `reverse()` run once: a list of 200 tables links each one
    several times, and `reverse()` per link was a large part of such a page's time. The
    varying values are slugs or numbers, which an address carries as they are, so
    `url_maker("tables:detail", "table_slug", tenant_slug=t)(table_slug=s)` equals
    `reverse("tables:detail", kwargs={"tenant_slug": t, "table_slug": s})`. Made once per
    process for each address pattern (and URL conf and script prefix)."""
    return _url_maker(
        get_urlconf(), get_script_prefix(), viewname, varying, tuple(sorted(fixed.items()))
    )


@lru_cache(maxsize=1024)
def _url_maker(
    urlconf: str | None,
    prefix: str,
    viewname: str,
    varying: tuple[str, ...],
    fixed: tuple[tuple[str, object], ...],
) -> Callable[..., str]:
    markers = {name: str(9_000_000_001 + n) for n, name in enumerate(varying)}
    address = reverse(viewname, urlconf=urlconf, kwargs={**dict(fixed), **markers})
    address = address.replace("{", "{{").replace("}", "}}")
    for name, marker in markers.items():
        if address.count(marker) != 1:
            raise ValueError(f"Cannot make addresses of {viewname} by {name}.")
        address = address.replace(marker, "{" + name + "}")
    return address.format


def date_texts(fmt: str) -> Callable[[date | datetime | None], str]:
    """A format of the day alone (as the `date` filter takes it, e.g. "M j, Y") applied once
    per distinct day of a page: a datetime is read in the current time zone, as the filter
    reads it; None gives ""."""
    made: dict[date | datetime, str] = {}

    def text(value: date | datetime | None) -> str:
        if value is None:
            return ""
        if value not in made:  # a list repeats the same moments too (a meeting's start)
            day = value
            if isinstance(value, datetime):
                day = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
            made[value] = made[day] if day in made else date_format(day, fmt)
            made[day] = made[value]
        return made[value]

    return text


def html_row(template: str, **values: object) -> SafeString:
    """`format_html` for markup made by the hundred (the rows of a long list): every value is
    escaped exactly as `format_html` and the template engine escape it (`html.escape` of its
    text, quotes included), unless it is already safe markup; without their per-value
    overhead, which was a large part of such a page's time."""
    return mark_safe(  # noqa: S308 -- every value is escaped here
        template.format(
            **{
                key: value
                if type(value) is int or hasattr(value, "__html__")
                else html.escape(str(value))
                for key, value in values.items()
            }
        )
    )


class CountedPaginator(Paginator):
    """A Paginator told how many objects its list has (a figure the page reads anyway, or one
    kept for it, such as a table's action tally) instead of counting the list in a query of
    its own."""

    def __init__(self, object_list, per_page: int, *, count: int, **kwargs: object) -> None:
        super().__init__(object_list, per_page, **kwargs)
        self._count = count

    @property
    def count(self) -> int:
        return self._count
