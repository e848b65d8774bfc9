"""Shared geography reference data: the code changes the portal knows, so that a file using a
place's earlier code attaches its values to the same place. Applied by a data migration and
again, idempotently, by the demo; it takes the model as an argument so the migration can pass
its historical one."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from indicators.models import Geography


@dataclass(frozen=True)
class CodeChange:
    scheme: str
    earlier: str
    later: str
    changed_on: datetime.date  # the first day of the later code
    name: str
    kind: str


CODE_CHANGES = [
    # Statistics Canada's health regions: Halton Region Public Health is HR_UID 2236 in the
    # 2018 boundaries and 3536 in the 2023 boundaries (../shared/data/README.md;
    # indicators/fixtures/indicators/ontario_phu_codes_hr_uid_2023.csv).
    CodeChange(
        scheme="hr_uid",
        earlier="2236",
        later="3536",
        changed_on=datetime.date(2023, 1, 1),
        name="Halton Region Public Health",
        kind="health_unit",
    ),
]


def geography_code_changes_apply(*, model: type[Geography] = Geography) -> int:
    """Make each known change exist in the shared catalogue: the place under its later code,
    valid from the change, and its earlier code, valid until the day before and superseded by
    it. Rows already there are completed, never duplicated. Returns the rows written."""
    rows = model._base_manager.filter(tenant__isnull=True)
    written = 0
    for change in CODE_CHANGES:
        later = (
            rows.filter(scheme=change.scheme, code=change.later, superseded_by__isnull=True)
            .order_by("-valid_from")
            .first()
        )
        if later is None:
            later = rows.create(
                scheme=change.scheme,
                code=change.later,
                name=change.name,
                kind=change.kind,
                valid_from=change.changed_on,
            )
            written += 1
        elif later.valid_from < change.changed_on:
            later.valid_from = change.changed_on
            later.save(update_fields=["valid_from"])
            written += 1
        until = change.changed_on - datetime.timedelta(days=1)
        earlier = rows.filter(scheme=change.scheme, code=change.earlier).order_by("valid_from")
        found = earlier.first()
        if found is None:
            rows.create(
                scheme=change.scheme,
                code=change.earlier,
                name=change.name,
                kind=change.kind,
                valid_to=until,
                superseded_by=later,
            )
            written += 1
        elif (found.superseded_by_id, found.valid_to) != (later.pk, until):
            found.superseded_by, found.valid_to = later, until
            found.save(update_fields=["superseded_by", "valid_to"])
            written += 1
    return written
