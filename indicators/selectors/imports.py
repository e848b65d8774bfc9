"""Reads for the imports page: the files imported into the shared catalogue, which every plan
reads (the demo's real files among them) but no plan imported itself."""

from __future__ import annotations

from dataclasses import dataclass

from django_scopes import scopes_disabled

from cswb.models import ImportKind, ImportRecord, ImportState

CATALOGUE_SHOWN = 20


@dataclass(frozen=True)
class CatalogueImports:
    records: list[ImportRecord]  # the latest applied, newest first
    total: int


def catalogue_imports_listed(*, limit: int = CATALOGUE_SHOWN) -> CatalogueImports:
    """The latest files applied to the shared catalogue (no plan: the site's staff imported
    them from the command line, or `seed_demo` did) and how many there are. Two queries."""
    with scopes_disabled():  # shared records belong to no plan's scope
        applied = ImportRecord.objects.filter(
            tenant__isnull=True, kind=ImportKind.INDICATORS, state=ImportState.APPLIED
        )
        return CatalogueImports(
            records=list(applied.order_by("-applied_at", "-created_at", "-id")[:limit]),
            total=applied.count(),
        )
