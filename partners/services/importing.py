"""Importing organizations from a CSV file: read, map columns, plan every row's fate, and
apply all of it or nothing. Quoted cells may span several lines (as in 211 exports)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import transaction

from cswb.models import Tenant, User
from cswb.text import has_unstorable_text
from partners.models import Organization, Sector
from partners.services.organizations import contact_create, organization_create

FIELDS = {
    "name": "Name",
    "sector": "Sector",
    "website": "Website",
    "contact_email": "Contact email",
}
GUESSES = {
    "name": {"name", "organization", "organisation", "organization name", "agency"},
    "sector": {"sector", "type", "category"},
    "website": {"website", "url", "web", "site"},
    "contact_email": {"contact email", "email", "contact", "e-mail"},
}
MAX_BYTES = 1_000_000
MAX_ROWS = 2_000
# A file with thousands of columns or a megabyte on one line is no list of organizations, and
# reading it would hold a worker for many seconds: refused before it is parsed.
MAX_COLUMNS = 50
MAX_LINE_CHARS = 20_000


class CsvProblem(ValueError):
    """The file itself cannot be read as CSV; nothing about it can be imported."""


def csv_decode(raw: bytes) -> str:
    if len(raw) > MAX_BYTES:
        raise CsvProblem("The file is larger than 1 MB; split it into smaller files.")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise CsvProblem("The file is not text in UTF-8 or Windows-1252.")


def csv_parse(text: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header and each record with the line it starts on."""
    for number, line in enumerate(io.StringIO(text, newline=""), start=1):
        if len(line) > MAX_LINE_CHARS:
            raise CsvProblem(
                f"Line {number} is longer than {MAX_LINE_CHARS:,} characters; "
                "this does not look like a list of organizations."
            )
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise CsvProblem("The file is empty.") from None
    except csv.Error as error:
        raise CsvProblem(f"Line 1 is not valid CSV: {error}.") from None
    if len(header) > MAX_COLUMNS:
        raise CsvProblem(
            f"The file has {len(header):,} columns; at most {MAX_COLUMNS} can be read."
        )
    rows: list[tuple[int, list[str]]] = []
    start = reader.line_num + 1
    try:
        for record in reader:
            if len(record) > MAX_COLUMNS:
                raise CsvProblem(
                    f"Line {start} has {len(record):,} cells; at most {MAX_COLUMNS} can be read."
                )
            if any(cell.strip() for cell in record):
                rows.append((start, record))
            start = reader.line_num + 1
            if len(rows) > MAX_ROWS:
                raise CsvProblem(f"More than {MAX_ROWS} rows; split the file.")
    except csv.Error as error:
        raise CsvProblem(f"Line {start} is not valid CSV: {error}.") from None
    if not rows:
        raise CsvProblem("The file has a header but no rows.")
    return [h.strip() for h in header], rows


def mapping_guess(header: list[str]) -> dict[str, str]:
    guessed = {}
    for key, names in GUESSES.items():
        for index, column in enumerate(header):
            if column.strip().lower() in names:
                guessed[key] = str(index)
                break
    return guessed


@dataclass
class RowPlan:
    line: int
    name: str = ""
    sector: str = ""
    website: str = ""
    contact_email: str = ""
    errors: list[str] = field(default_factory=list)
    duplicate_of: str = ""

    @property
    def sector_label(self) -> str:
        return str(Sector(self.sector).label) if self.sector else ""

    @property
    def fate(self) -> str:
        if self.errors:
            return "error"
        return "duplicate" if self.duplicate_of else "create"


SECTOR_LOOKUP = {v.lower(): v for v in Sector.values} | {
    str(label).lower(): value for value, label in Sector.choices
}


def import_plan(
    *, rows: list[tuple[int, list[str]]], mapping: dict[str, str], default_sector: str
) -> list[RowPlan]:
    """Every row's fate: created, flagged as a duplicate of an existing organization (and
    skipped), or rejected with its reasons. Reads the current tenant's organizations."""
    existing = {name.lower(): name for name in Organization.objects.values_list("name", flat=True)}
    seen: dict[str, int] = {}
    url_ok = URLValidator(schemes=["http", "https"])
    plans = []
    for line, record in rows:

        def cell(key: str, record: list[str] = record) -> str:
            index = mapping.get(key, "")
            if index == "" or int(index) >= len(record):
                return ""
            return " ".join(record[int(index)].split())

        plan = RowPlan(line=line, name=cell("name"))
        if any(has_unstorable_text(value) for value in record):
            plan.errors.append("A cell holds a NUL character, which cannot be stored.")
        if not plan.name:
            plan.errors.append("The name is empty.")
        elif len(plan.name) > 200:
            plan.errors.append("The name is longer than 200 characters.")
        elif plan.name.lower() in seen:
            plan.errors.append(f"The same name is on line {seen[plan.name.lower()]}.")
        else:
            seen[plan.name.lower()] = line
            plan.duplicate_of = existing.get(plan.name.lower(), "")

        raw_sector = cell("sector")
        plan.sector = SECTOR_LOOKUP.get(raw_sector.lower(), "") if raw_sector else default_sector
        if not plan.sector:
            plan.errors.append(
                f"Unknown sector “{raw_sector}”." if raw_sector else "No sector, and no default."
            )

        plan.website = cell("website")
        if plan.website:
            if "://" not in plan.website:
                plan.website = "https://" + plan.website
            try:
                url_ok(plan.website)
            except ValidationError:
                plan.errors.append(f"“{cell('website')}” is not a web address.")
                plan.website = cell("website")  # shown as it was written

        plan.contact_email = cell("contact_email").lower()
        if plan.contact_email:
            try:
                validate_email(plan.contact_email)
            except ValidationError:
                plan.errors.append(f"“{plan.contact_email}” is not an email address.")
        plans.append(plan)
    return plans


def digest_contacts(plans: list[RowPlan]) -> list[RowPlan]:
    """The rows whose contact email becomes a digest contact if the import goes ahead."""
    return [p for p in plans if p.fate == "create" and p.contact_email]


@transaction.atomic
def organizations_import(
    *, tenant: Tenant, plans: list[RowPlan], actor: User, contacts_receive_digests: bool = False
) -> int:
    """Create every planned organization, or none: refuses a plan with any rejected row. The
    contacts in the file receive digests only when the administrator said so on the preview;
    otherwise they are kept as contacts who receive none."""
    rejected = [p for p in plans if p.errors]
    if rejected:
        count = len(rejected)
        raise ValidationError(
            f"{count} row{'s have' if count != 1 else ' has'} errors; nothing was imported."
        )
    created = 0
    for plan in plans:
        if plan.duplicate_of:
            continue
        organization = organization_create(
            tenant=tenant, name=plan.name, sector=plan.sector, website=plan.website, actor=actor
        )
        if plan.contact_email:
            contact_create(
                organization=organization,
                name=plan.contact_email,
                email=plan.contact_email,
                actor=actor,
                receives_digest=contacts_receive_digests,
            )
        created += 1
    return created
