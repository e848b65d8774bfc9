"""Progress pages: one table's, and every table's for leadership."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from cswb.access import get_tenant_for
from cswb.conditional import csv_answer
from cswb.csvsafe import csv_write
from cswb.selectors import activity_last_at
from tables.access import TableNeed, get_table_for, tables_allowed, tables_granted
from tables.forms.progress import SORTS, ProgressFilterForm
from tables.models import ActionTable
from tables.selectors.progress import (
    attendance_rate,
    completion_by_month,
    flags_for,
    measures_on_track,
    measures_with_trends,
    progress_rows,
)
from tables.selectors.tables import table_page


def _rows(request: HttpRequest, form: ProgressFilterForm) -> list[dict[str, object]]:
    tables = ActionTable.objects.all()
    if not request.membership.can_read_everything:
        tables = tables.filter(tables_granted(request.user))  # their own tables
    data = form.cleaned_data if form.is_valid() else {}
    if data.get("zone"):
        tables = tables.filter(zone=data["zone"])
    if data.get("status"):
        tables = tables.filter(status=data["status"])
    field, descending = SORTS.get(data.get("sort") or "name", SORTS["name"])
    annotated = progress_rows(tables).order_by(f"-{field}" if descending else field, "name")
    rows = []
    for table in annotated:
        flags = flags_for(table)
        if data.get("flag") == "stale" and not flags.stale:
            continue
        if data.get("flag") == "overdue" and not flags.many_overdue:
            continue
        rows.append({"table": table, "flags": flags, "attendance": attendance_rate(table)})
    measures = measures_on_track([r["table"] for r in rows])
    for row in rows:
        row["measures"], row["on_track"] = measures[row["table"].pk]
    return rows


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
        else set(
            ActionTable.objects.filter(
                tables_allowed(
                    user=request.user, membership=request.membership, need=TableNeed.VIEW
                )
            ).values_list("pk", flat=True)
        )
    )
    for row in rows:
        row["can_view"] = viewable is None or row["table"].pk in viewable
    return render(
        request,
        "tables/progress/tenant.html",
        {
            "tenant": tenant,
            "form": form,
            "rows": rows,
            "now": timezone.now(),
            "everything": request.membership.can_read_everything,
            "query": request.GET.urlencode(),
        },
    )


@require_GET
def tenant_progress_csv(request: HttpRequest, tenant_slug: str) -> HttpResponse:
    tenant = get_tenant_for(request)
    rows = _rows(request, ProgressFilterForm(request.GET or None))
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
                t.last_meeting.date().isoformat() if t.last_meeting else "",
                t.next_meeting.date().isoformat() if t.next_meeting else "",
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
    row = progress_rows(ActionTable.objects.filter(pk=table.pk)).get()
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
