"""The query plans behind the two heaviest figures, on `seed_scale` data: the leadership
progress page's per-table action counts and a person's open actions (my work, the tenant
home). Prints EXPLAIN (ANALYZE, BUFFERS) of each query as the selectors build it.

    DATABASE_URL=... python bench/explain.py [tenant]
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cswb.settings.test")

import django

django.setup()

from django.db import connection  # noqa: E402
from django_scopes import scope  # noqa: E402

from cswb.models import Tenant, TenantMembership, User  # noqa: E402
from tables.management.commands.seed_scale import bench_email  # noqa: E402
from tables.models import ActionTable  # noqa: E402
from tables.selectors.actions import my_open_actions  # noqa: E402
from tables.selectors.progress import progress_queries, progress_statement  # noqa: E402


def explain(title: str, queryset=None, *, statement=None) -> None:
    sql, params = statement or queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) {sql}", params)
        plan = [row[0] for row in cursor.fetchall()]
    print(f"-- {title}\n" + "\n".join(plan) + "\n")


def main() -> None:
    slug = sys.argv[1] if len(sys.argv) > 1 else "scale"
    tenant = Tenant.objects.get(slug=slug)
    with scope(tenant=tenant):
        explain(
            "progress: every table's figures (the page's statement)",
            statement=progress_statement(ActionTable.objects.all()),
        )
        for title, queryset in progress_queries(ActionTable.objects.all()):
            explain(f"progress: {title}", queryset)
        user = User.objects.get(email=bench_email("coordinator", slug))
        membership = TenantMembership.objects.get(user=user)
        explain(
            "my open actions (my work, tenant home)",
            my_open_actions(user=user, membership=membership)[:30],
        )


if __name__ == "__main__":
    main()
