"""Demo indicators: the real files in indicators/fixtures/ imported into the shared catalogue
(each file once: a file already imported with the same checksum is skipped), and the demo
plan's marks — Halton's public health unit is "ours", Ontario the comparison; Lakeshore's own
place is Waterloo Region, for the Crime Severity Index comparison. seed_demo calls it; it is
safe to run again."""

from __future__ import annotations

import hashlib
from io import StringIO
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django_scopes import scope, scopes_disabled

from cswb.models import ImportRecord, Tenant, TenantMembership, TenantRole
from indicators.models import Geography, Indicator, TenantGeography
from indicators.services.chain import indicator_tables_set
from indicators.services.geographies import geography_code_changes_apply
from tables.models import ActionTable

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
FILES = [
    "indicators/cif_indicator_3-13-1.csv",
    "indicators/ontario_odprn_opioid_deaths_by_phu.json",
    "indicators/cif_indicator_16-2-1.csv",
    "indicators/cif_indicator_1-1-1.csv",
    "indicators/cif_indicator_3-8-1.csv",
    "indicators/cif_indicator_11-2-1.csv",
    "homelessness/toronto_shelter_system_flow_2018-01_to_2025-05.csv",
    "indicators/waterloo_csi_comparison_1998-2025.csv",
]
# (tenant slug, [(scheme, code, role)])
MARKS = {
    "halton": [("hr_uid", "3536", "ours"), ("sgc", "35", "comparison")],
    # The second demo plan reads as a Waterloo-sized region: the Crime Severity Index file
    # compares Waterloo Region with Ontario and Canada.
    "lakeshore": [("sgc", "3530", "ours"), ("sgc", "35", "comparison")],
}
# The demo tables that work to turn each indicator: (tenant slug, indicator code, table slugs).
LINKS = [
    ("halton", "3.13.1", ["opioid-misuse", "problematic-substance-use"]),
    ("halton", "ON.OPIOID.DEATHS", ["opioid-misuse", "problematic-substance-use"]),
    ("halton", "3.8.1", ["youth-mental-health"]),
    ("halton", "16.2.1", ["community-safety-and-crime-prevention", "gun-and-gang-violence"]),
    ("halton", "1.1.1", ["poverty-reduction", "food-insecurity"]),
    ("halton", "11.2.1", ["homelessness-and-encampments", "poverty-reduction"]),
    ("halton", "TO.SHELTER.ACTIVE", ["homelessness-and-encampments"]),
]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


class Command(BaseCommand):
    help = "Import the demo's real indicator files once and mark the demo plans' geographies."

    def handle(self, *args: object, **options: object) -> None:
        geography_code_changes_apply()  # a migration wrote them; a flushed database lacks them
        for rel in FILES:
            path = FIXTURES / rel
            with scopes_disabled():
                done = ImportRecord.objects.filter(
                    tenant__isnull=True, kind="indicators", state="applied",
                    checksum=_sha256(path),
                ).exists()  # fmt: skip
            if not done:
                call_command("import_indicators", str(path), "--yes", stdout=StringIO())
                self.stdout.write(f"  imported {path.name}")
        for slug, marks in MARKS.items():
            tenant = Tenant.objects.filter(slug=slug).first()
            if tenant is None:
                continue
            with scope(tenant=tenant):
                for scheme, code, role in marks:
                    geography = Geography.objects.filter(
                        scheme=scheme, code=code, superseded_by__isnull=True
                    ).first()
                    if geography is None:
                        continue
                    TenantGeography.objects.get_or_create(
                        tenant=tenant, geography=geography, defaults={"role": role}
                    )
        self._link_tables()

    def _link_tables(self) -> None:
        """Link the demo tables to the indicators they work on, as an administrator would."""
        for slug, code, table_slugs in LINKS:
            tenant = Tenant.objects.filter(slug=slug).first()
            if tenant is None:
                continue
            with scope(tenant=tenant):
                indicator = Indicator.objects.filter(code=code).first()
                tables = list(ActionTable.objects.filter(slug__in=table_slugs))
                admin = (
                    TenantMembership.objects.filter(role=TenantRole.ADMIN, is_active=True)
                    .select_related("user")
                    .order_by("pk")
                    .first()
                )
                if indicator is None or not tables or admin is None:
                    continue
                indicator_tables_set(
                    tenant=tenant,
                    indicator=indicator,
                    chosen=tables,
                    within=[t.pk for t in tables],
                    actor=admin.user,
                )
