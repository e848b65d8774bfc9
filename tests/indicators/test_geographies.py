"""Geography codes carry the dates they are valid: Halton's public health unit is HR_UID 2236
until the 2023 boundary change and 3536 from then on, one place. A file naming 2236 attaches
its values to that place (an update of the same value, never a second line), and the indicator
page says which codes a place has had."""

from __future__ import annotations

import datetime
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django_scopes import scope, scopes_disabled

from cswb.models import ImportRecord
from indicators.models import Geography, Observation, TenantGeography
from indicators.services.geographies import geography_code_changes_apply

from ..conftest import World

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parents[2] / "indicators/fixtures/indicators"
ODPRN = FIXTURES / "ontario_odprn_opioid_deaths_by_phu.json"
HALTON = "Halton Region Public Health"


@pytest.fixture(autouse=True)
def _import_dir(settings, tmp_path) -> None:
    settings.IMPORT_DIR = tmp_path / "imports"


def _import(*args: str) -> None:
    call_command("import_indicators", *args, "--yes", stdout=StringIO(), stderr=StringIO())


def _halton_codes() -> list[tuple[str, datetime.date, datetime.date | None, str | None]]:
    with scopes_disabled():
        rows = Geography.objects.filter(scheme="hr_uid", code__in=["2236", "3536"])
        return sorted(
            (g.code, g.valid_from, g.valid_to, g.superseded_by.code if g.superseded_by else None)
            for g in rows.select_related("superseded_by")
        )


KNOWN = [
    ("2236", datetime.date(1900, 1, 1), datetime.date(2022, 12, 31), "3536"),
    ("3536", datetime.date(2023, 1, 1), None, None),
]


def test_halton_is_known_under_both_codes_as_one_place(world: World) -> None:
    # The data migration wrote them; applying the known changes again writes nothing.
    geography_code_changes_apply()
    assert _halton_codes() == KNOWN
    assert geography_code_changes_apply() == 0
    with scopes_disabled():
        assert {g.name for g in Geography.objects.filter(scheme="hr_uid")} == {HALTON}
        assert not Geography.objects.filter(scheme="hr_uid", tenant__isnull=False).exists()


def test_an_existing_unit_is_completed_never_duplicated(world: World) -> None:
    with scopes_disabled():
        Geography.objects.filter(scheme="hr_uid").update(superseded_by=None)
        Geography.objects.filter(scheme="hr_uid").delete()
        # As an import before the change would have left it: 3536 valid since ever.
        Geography.objects.create(scheme="hr_uid", code="3536", name=HALTON, kind="health_unit")
    assert geography_code_changes_apply() == 2
    assert _halton_codes() == KNOWN
    with scopes_disabled():
        Geography.objects.filter(scheme="hr_uid").update(superseded_by=None)
        Geography.objects.filter(scheme="hr_uid").delete()
    assert geography_code_changes_apply() == 2
    assert _halton_codes() == KNOWN


def test_an_earlier_code_must_end_and_cannot_be_its_own_successor(world: World) -> None:
    with scopes_disabled():
        halton = Geography.objects.get(scheme="hr_uid", code="3536")
        with pytest.raises(IntegrityError), transaction.atomic():
            Geography.objects.create(
                scheme="hr_uid", code="2299", name="Nowhere", superseded_by=halton
            )
        with pytest.raises(IntegrityError), transaction.atomic():
            Geography.objects.filter(pk=halton.pk).update(
                superseded_by=halton, valid_to=datetime.date(2030, 1, 1)
            )


def test_a_file_using_2236_adds_to_the_same_halton_line(world: World, tmp_path) -> None:
    _import(str(ODPRN))  # 2018 to 2024 under HR_UID 3536 (2023 codes)
    with scopes_disabled():
        halton = Geography.objects.get(scheme="hr_uid", code="3536")
        before = Observation.objects.filter(geography=halton).count()
    # A file in the 2018 boundaries' codes, with one revised count (31 → 33 in 2019) and one
    # year the published file does not have.
    old_codes = tmp_path / "halton_2018_boundaries.csv"
    old_codes.write_text(
        "indicator,geography,period,value,status,note\n"
        "ON.OPIOID.DEATHS,hr_uid:2236,2017,29,,\n"
        "ON.OPIOID.DEATHS,hr_uid:2236,2019,33,,\n"
        "ON.OPIOID.DEATHS,hr_uid:2236,2020,41,,\n"
    )
    _import(str(old_codes))
    with scopes_disabled():
        record = ImportRecord.objects.get(file_name=old_codes.name)
        assert (record.state, record.created_count, record.updated_count) == ("applied", 1, 1)
        assert record.unchanged_count == 1
        values = dict(
            Observation.objects.filter(geography=halton, indicator__code="ON.OPIOID.DEATHS")
            .values_list("period__label", "value")
        )  # fmt: skip
        assert Observation.objects.filter(geography=halton).count() == before + 1
        assert (values["2017"], values["2019"], values["2020"]) == (29, 33, 41)
        assert values["2024"] == Decimal(21)
        # Nothing is kept under the earlier code's row.
        assert not Observation.objects.filter(geography__code="2236").exists()
        # The place is named once: a file naming it without a code finds the same place.
        assert Geography.objects.filter(name=HALTON, superseded_by__isnull=True).count() == 1


def test_the_indicator_page_lists_the_codes_of_the_places_shown(world: World, client_for) -> None:
    _import(str(ODPRN))
    with scope(tenant=world.halton):
        TenantGeography.objects.create(
            tenant=world.halton,
            geography=Geography.objects.get(scheme="hr_uid", code="3536"),
            role="ours",
        )
        TenantGeography.objects.create(
            tenant=world.halton,
            geography=Geography.objects.get(scheme="sgc", code="35"),
            role="comparison",
        )
    html = client_for("member").get("/halton/indicators/on-opioid-deaths/").content.decode()
    assert '<h3 id="places-heading">Places and their codes</h3>' in html
    assert (
        f"<li>{HALTON}: HR_UID 3536 from January 1, 2023; earlier HR_UID 2236 until "
        "December 31, 2022. Values published under an earlier code are on this place's "
        "line.</li>"
    ) in html
    assert "<li>Ontario: SGC 35</li>" in html
