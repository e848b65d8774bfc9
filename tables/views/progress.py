"""Progress pages: one table's, and every table's for leadership."""

from __future__ import annotations

import html
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext
from django.views.decorators.http import require_GET

from cswb.access import get_tenant_for
from cswb.conditional import csv_answer
from cswb.csvsafe import csv_write
from cswb.selectors import activity_last_at
from cswb.ui import date_texts, html_row, url_maker
from tables.access import TableNeed, get_table_for, tables_granted, tables_viewable_among
from tables.forms.progress import SORTS, ProgressFilterForm
from tables.models import ActionTable
from tables.selectors.progress import (
    attendance_rate,
    completion_by_month,
    flag_maker,
    flags_for,
    measures_with_trends,
    progress_rows,
)
from tables.selectors.tables import table_page


def _sort_key(value: object, descending: bool) -> tuple[bool, object]:
    """Sort key of one figure: those without a value (no meeting yet) last either way."""
    if value is None:
        return (True, 0)
    if descending:
        return (False, -value)  # the figures sorted downwards are counts
    return (False, value)


def _rows(
    request: HttpRequest, form: ProgressFilterForm, *, csv: bool = False
) -> list[dict[str, object]]:
    # What the page and the CSV show of each table besides its figures, and nothing more.
    tables = ActionTable.objects.only("tenant", "name", "slug", "zone", "status", "visibility")
    if not request.membership.can_read_everything:
        tables = tables.filter(tables_granted(request.user))  # their own tables
    data = form.cleaned_data if form.is_valid() else {}
    if data.get("zone"):
        tables = tables.filter(zone=data["zone"])
    if data.get("status"):
        tables = tables.filter(status=data["status"])
    field, descending = SORTS.get(data.get("sort") or "name", SORTS["name"])
    # By name; the page does not show the organizations and advisors at each table.
    figures = progress_rows(tables, participation=csv)
    if field != "name":  # then by the chosen figure (a stable sort keeps names in order)
        figures.sort(key=lambda row: _sort_key(getattr(row, field), descending))
    rows = []
    flags_of = flag_maker()
    for table in figures:
        flags = flags_of(table)
        if data.get("flag") == "stale" and not flags.stale:
            continue
        if data.get("flag") == "overdue" and not flags.many_overdue:
            continue
        rows.append(
            {
                "table": table,
                "flags": flags,
                "attendance": attendance_rate(table),
                "measures": table.measure_count,
                "on_track": table.on_track_count,
            }
        )
    return rows


# The rows of the leadership page's table, made in Python (every value escaped, see
# _rows_html) rather than by template tags per cell: the page lists every table (200 and
# more), and rendering those cells through the template engine was most of the page's time.
# The markup is the template's (templates/tables/progress/tenant.html prints the rows as they
# are made here): the counts link to the table's lists for those who may open them.
_BADGE = '<span class="badge badge--{kind}">{label}</span>'


def _address_around(make: Callable[..., str]) -> tuple[str, str]:
    """An address made by `url_maker` for one table slug, escaped, as (before, after) the
    slug: the slug is escaped once per row and set between them (`html.escape` replaces
    character by character, so the pieces' escapes make the whole's)."""
    before, after = make(table_slug="\x00").split("\x00")
    return html.escape(before), html.escape(after)


def _rows_html(
    rows: list[dict[str, object]], *, tenant_slug: str, viewable: set[int] | None
) -> SafeString:
    """Every row's HTML as one piece of markup, with what rows repeat made once per page: one
    reverse() per kind of link, each day's date formatted and escaped once, each label
    translated and escaped once. Each table's name and slug are escaped once and go into its
    labels and links as they are (an escaped text put into an escaped text is the escape of
    the whole); counts are numbers."""
    progress_at, actions_at, outcomes_at = (
        _address_around(url_maker(name, "table_slug", tenant_slug=tenant_slug))
        for name in ("tables:progress", "tables:actions", "tables:outcomes")
    )
    day = date_texts("M j, Y")
    escape = html.escape
    days = {None: "—"}  # each moment's day, escaped
    open_label = escape(gettext("%(n)s open actions at %(name)s"))
    overdue_label = escape(gettext("%(n)s overdue actions at %(name)s"))
    done_label = escape(gettext("%(n)s done actions at %(name)s"))
    measures_label = escape(gettext("%(n)s of %(total)s measures on track at %(name)s"))
    members_only = html_row(" " + _BADGE, kind="private", label=gettext("Members only"))
    stale = html_row(_BADGE + " ", kind="overdue", label=gettext("No meeting in 90 days"))
    many = html_row(_BADGE, kind="overdue", label=gettext("Many overdue"))
    flag_cells = {  # (stale, many overdue) → the cell
        (False, False): "—",
        (True, False): stale,
        (False, True): many,
        (True, True): stale + many,
    }
    parts = []
    for row in rows:
        t, flags = row["table"], row["flags"]
        row["can_view"] = can_view = viewable is None or t.pk in viewable
        name, slug = escape(t.name), escape(t.slug)
        opened, overdue, done = t.open_count, t.overdue_count, t.done_count
        if can_view:
            actions = actions_at[0] + slug + actions_at[1]
            counts = (
                f'<td><a href="{actions}" aria-label="'
                f'{open_label % {"n": opened, "name": name}}">{opened}</a></td>\n'
                f'    <td><a href="{actions}?status=overdue" aria-label="'
                f'{overdue_label % {"n": overdue, "name": name}}">{overdue}</a></td>\n'
                f'    <td><a href="{actions}?status=done" aria-label="'
                f'{done_label % {"n": done, "name": name}}">{done}</a></td>'
            )
        else:
            counts = f"<td>{opened}</td><td>{overdue}</td><td>{done}</td>"
        last, next_ = t.last_meeting, t.next_meeting
        if last not in days:
            days[last] = escape(day(last))
        if next_ not in days:
            days[next_] = escape(day(next_))
        attendance, measures, on_track = row["attendance"], row["measures"], row["on_track"]
        label = measures_label % {"n": on_track, "total": measures, "name": name}
        parts.append(
            "  <tr>\n"
            f'    <th scope="row"><a href="{progress_at[0]}{slug}{progress_at[1]}">{name}</a>'
            f"{members_only if t.is_members_only else ''}</th>\n"
            f"    {counts}\n"
            f"    <td>{days[last]}</td><td>{days[next_]}</td>\n"
            f"    <td>{'—' if attendance is None else f'{attendance}%'}</td>\n"
            f'    <td><a href="{outcomes_at[0]}{slug}{outcomes_at[1]}?standing=on_track" '
            f'aria-label="{label}">{on_track} / {measures}</a></td>\n'
            f"    <td>{flag_cells[flags.stale, flags.many_overdue]}</td>\n"
            "  </tr>\n"
        )
    return mark_safe("".join(parts))  # noqa: S308 -- every value above is escaped or a number


@require_GET
def tenant_progress(request: HttpRequest, tenant_slug: str) -> HttpResponse:
    tenant = get_tenant_for(request)
    form = ProgressFilterForm(request.GET or None)
    rows = _rows(request, form)
    # The counts link to the filtered lists of the tables the person may open; leadership
    # reading a members-only table sees its figures without the lists behind them.
    viewable = (
        None
        if request.membership.is_admin
        else tables_viewable_among(
            ((row["table"].pk, row["table"].visibility) for row in rows),
            user=request.user,
            membership=request.membership,
        )
    )
    rows_html = _rows_html(rows, tenant_slug=tenant.slug, viewable=viewable)
    return render(
        request,
        "tables/progress/tenant.html",
        {
            "tenant": tenant,
            "form": form,
            "rows": rows,
            "rows_html": rows_html,
            "now": timezone.now(),
            "everything": request.membership.can_read_everything,
            "query": request.GET.urlencode(),
        },
    )


def _local_day(moment) -> str:
    """The day of a meeting as the plan reads it (its time zone), not UTC's: an evening
    meeting in Ontario starts on the next day in UTC."""
    return timezone.localtime(moment).date().isoformat() if moment else ""


@require_GET
def tenant_progress_csv(request: HttpRequest, tenant_slug: str) -> HttpResponse:
    tenant = get_tenant_for(request)
    rows = _rows(request, ProgressFilterForm(request.GET or None), csv=True)
    lines = [
        (
            "table",
            "status",
            "zone",
            "open_actions",
            "done_actions",
            "overdue_actions",
            "blocked_actions",
            "last_meeting",
            "next_meeting",
            "attendance_rate_percent",
            "organizations",
            "lived_experience_advisors",
            "measures",
            "measures_on_track",
            "no_meeting_in_90_days",
            "many_overdue",
        )
    ]
    for row in rows:
        t = row["table"]
        lines.append(
            (
                t.name,
                t.status,
                t.zone,
                t.open_count,
                t.done_count,
                t.overdue_count,
                t.blocked_count,
                _local_day(t.last_meeting),
                _local_day(t.next_meeting),
                "" if row["attendance"] is None else row["attendance"],
                t.organization_count,
                t.advisor_count,
                row["measures"],
                row["on_track"],
                "yes" if row["flags"].stale else "no",
                "yes" if row["flags"].many_overdue else "no",
            )
        )
    # The figures change with the plan's data and, for overdue actions, with the date.
    midnight = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    return csv_answer(
        request,
        csv_write(lines),
        filename=f"{tenant.slug}-progress.csv",
        last_modified=max(filter(None, [activity_last_at(), midnight])),
    )


@require_GET
def table_progress(request: HttpRequest, tenant_slug: str, table_slug: str) -> HttpResponse:
    access = get_table_for(request, table_slug, need=TableNeed.SUMMARY)
    table = access.table
    (row,) = progress_rows(ActionTable.objects.filter(pk=table.pk))
    data = table_page(table=table, with_timeline=False)
    return render(
        request,
        "tables/progress/table.html",
        {
            "tenant": table.tenant,
            "table": table,
            "access": access,
            "row": row,
            "flags": flags_for(row),
            "attendance": attendance_rate(row),
            "completion": completion_by_month(table),
            "measures": measures_with_trends([table])[table.pk],
            "representation": data["representation"],
        },
    )
