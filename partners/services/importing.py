"""Importing organizations from a CSV file, through the one import pipeline (`cswb.imports`,
kind "organizations"). The upload is stored and read once as a stream for what choosing its
columns needs (its encoding and header); the administrator chooses the columns; the check
pass plans every row's fate in the background (created, already in the plan and skipped, or
rejected with its reasons, by line); and once the administrator confirms — saying whether the
contacts in the file receive digests — the apply pass creates every organization, in bulk,
or none. Quoted cells may span several lines (as in 211 exports)."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import transaction
from django.template.defaultfilters import pluralize
from django.urls import reverse

from cswb.bulk import rows_insert
from cswb.imports import (
    LIST_LIMIT,
    ApplyCounts,
    Progress,
    RowResult,
    import_check_queue,
    import_files,
    import_files_discard,
    import_record_create,
)
from cswb.models import ImportKind, ImportRecord, ImportState, Tenant, User
from cswb.services import activity_record
from cswb.text import has_unstorable_text, storable_text, unique_slug
from partners.models import Contact, Organization, Sector

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
# A regional 211 directory of tens of thousands of services fits many times over; the limit
# keeps one upload from filling the import folder.
MAX_BYTES = 50 * 1024 * 1024
# A file with thousands of columns or a megabyte on one line is no list of organizations:
# refused as it is stored, before anyone chooses columns from it.
MAX_COLUMNS = 50
MAX_LINE_CHARS = 20_000
ENCODINGS = ("utf-8-sig", "cp1252")
# Rows planned and written (organizations, their groups and contacts) per round of inserts.
CHUNK = 5000


class CsvProblem(ValueError):
    """The file itself cannot be read as CSV; nothing about it can be imported."""


def _lines(f: IO[str]) -> Iterator[str]:
    for number, line in enumerate(f, start=1):
        if len(line) > MAX_LINE_CHARS:
            raise CsvProblem(
                f"Line {number} is longer than {MAX_LINE_CHARS:,} characters; "
                "this does not look like a list of organizations."
            )
        yield line


def csv_inspect(path: Path) -> tuple[str, list[str]]:
    """The encoding (UTF-8, else Windows-1252) and header of a stored file, read as a stream
    to its end: every line fits, the header has at most MAX_COLUMNS, and a row follows it."""
    for encoding in ENCODINGS:
        try:
            with path.open(encoding=encoding, newline="") as f:
                return encoding, _header(f)
        except UnicodeDecodeError:
            continue
    raise CsvProblem("The file is not text in UTF-8 or Windows-1252.")


def _header(f: IO[str]) -> list[str]:
    lines = _lines(f)
    reader = csv.reader(lines)
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
    try:
        if not any(any(cell.strip() for cell in record) for record in reader):
            raise CsvProblem("The file has a header but no rows.")
    except csv.Error:
        pass  # the check pass names the line
    for _line in lines:  # the rest: every line decodes and fits
        pass
    # Kept with the record (JSON) for the column choice: no NUL byte may go there.
    return [storable_text(" ".join(h.split())[:200]) for h in header]


def csv_records(path: Path, encoding: str) -> Iterator[tuple[int, list[str]]]:
    """Each record after the header that is not blank, with the line it starts on; streamed."""
    with path.open(encoding=encoding, newline="") as f:
        reader = csv.reader(_lines(f))
        next(reader, None)
        start = reader.line_num + 1
        try:
            for record in reader:
                if any(cell.strip() for cell in record):
                    yield start, record
                start = reader.line_num + 1
        except csv.Error as error:
            raise CsvProblem(f"Line {start} is not valid CSV: {error}.") from None


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
        return SECTOR_LABELS.get(self.sector, "")

    @property
    def fate(self) -> str:
        if self.errors:
            return "error"
        return "duplicate" if self.duplicate_of else "create"

    @property
    def summary(self) -> str:
        """The row as a person reads it: the sector's name, the website as written."""
        return " · ".join(
            v for v in (self.name, self.sector_label, self.website, self.contact_email) if v
        )


SECTOR_LOOKUP = {v.lower(): v for v in Sector.values} | {
    str(label).lower(): value for value, label in Sector.choices
}
SECTOR_LABELS = {value: str(label) for value, label in Sector.choices}
# The longest website and email the columns hold.
MAX_WEBSITE = Organization._meta.get_field("website").max_length
MAX_EMAIL = Contact._meta.get_field("email").max_length
_URL_OK = URLValidator(schemes=["http", "https"])
# The common shape of a website ("https://agency.example/path"): a strict subset of what
# URLValidator accepts, matched at a tenth of its cost; anything else goes to URLValidator.
_PLAIN_URL = re.compile(
    r"https?://(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}(?::[0-9]{1,5})?"
    r"(?:[/?#][^\s]*)?\Z",
    re.IGNORECASE,
)


def web_address_ok(url: str) -> bool:
    if len(url) > MAX_WEBSITE:
        return False
    if _PLAIN_URL.match(url):
        return True
    try:
        _URL_OK(url)
    except ValidationError:
        return False
    return True


class Planner:
    """Every row's fate, one row at a time: created, flagged as a duplicate of an existing
    organization (and skipped), or rejected with its reasons. Reads the current tenant's
    organizations once; remembers the names seen so far in the file."""

    def __init__(self, *, mapping: dict[str, str], default_sector: str) -> None:
        self.columns = {key: int(index) for key, index in mapping.items() if index != ""}
        self.default_sector = default_sector
        self.existing = {
            name.lower(): name for name in Organization.objects.values_list("name", flat=True)
        }
        self.seen: dict[str, int] = {}

    def plan(self, line: int, record: list[str]) -> RowPlan:
        width = len(record)
        cells = {
            key: " ".join(record[index].split()) if index < width else ""
            for key, index in self.columns.items()
        }

        def cell(key: str) -> str:
            return cells.get(key, "")

        plan = RowPlan(line=line, name=cell("name"))
        if len(record) > MAX_COLUMNS:
            plan.errors.append(f"The row has {len(record):,} cells; at most {MAX_COLUMNS}.")
        if has_unstorable_text("".join(record)):
            plan.errors.append("A cell holds a NUL character, which cannot be stored.")
        if not plan.name:
            plan.errors.append("The name is empty.")
        elif len(plan.name) > 200:
            plan.errors.append("The name is longer than 200 characters.")
        elif plan.name.lower() in self.seen:
            plan.errors.append(f"The same name is on line {self.seen[plan.name.lower()]}.")
        else:
            self.seen[plan.name.lower()] = line
            plan.duplicate_of = self.existing.get(plan.name.lower(), "")

        raw_sector = cell("sector")
        plan.sector = (
            SECTOR_LOOKUP.get(raw_sector.lower(), "") if raw_sector else self.default_sector
        )
        if not plan.sector:
            plan.errors.append(
                f"Unknown sector “{raw_sector}”." if raw_sector else "No sector, and no default."
            )

        plan.website = cell("website")
        if plan.website:
            if "://" not in plan.website:
                plan.website = "https://" + plan.website
            if not web_address_ok(plan.website):
                plan.errors.append(f"“{cell('website')}” is not a web address.")
                plan.website = cell("website")  # shown as it was written

        plan.contact_email = cell("contact_email").lower()
        if plan.contact_email:
            try:
                validate_email(plan.contact_email)
                if len(plan.contact_email) > MAX_EMAIL:
                    raise ValidationError("too long")
            except ValidationError:
                plan.errors.append(f"“{plan.contact_email}” is not an email address.")
        return plan


def _plans(record: ImportRecord) -> Iterator[RowPlan]:
    planner = Planner(
        mapping=record.options.get("mapping") or {},
        default_sector=record.options.get("default_sector", ""),
    )
    for line, cells in csv_records(import_files(record)["data"], record.options["encoding"]):
        yield planner.plan(line, cells)


@transaction.atomic
def organization_import_start(
    *, tenant: Tenant, upload: IO[bytes], file_name: str, actor: User
) -> ImportRecord:
    """Store an uploaded file as an organizations import, waiting for its columns to be chosen.
    A file that cannot be read as CSV is refused (ValidationError) and leaves nothing behind."""
    if getattr(upload, "size", 0) > MAX_BYTES:
        raise ValidationError(f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB.")
    record = import_record_create(
        tenant=tenant, kind=ImportKind.ORGANIZATIONS, upload=upload, file_name=file_name,
        created_by=actor, check_in_background=False,
    )  # fmt: skip
    try:
        encoding, header = csv_inspect(import_files(record)["data"])
    except CsvProblem as problem:
        import_files_discard(record=record)
        raise ValidationError(str(problem)) from None  # and the record is rolled back
    record.options = {**record.options, "encoding": encoding, "header": header}
    record.save(update_fields=["options"])
    return record


@transaction.atomic
def organization_import_columns_set(
    *, record: ImportRecord, mapping: dict[str, str], default_sector: str
) -> None:
    """The columns that hold each field (and the sector of rows without one) are chosen: the
    file is checked in the background."""
    if record.state != ImportState.RECEIVED or "mapping" in record.options:
        raise ValidationError("The columns of this file have already been chosen.")
    record.options = {**record.options, "mapping": mapping, "default_sector": default_sector}
    record.save(update_fields=["options"])
    import_check_queue(record=record)


def _create(
    *, record: ImportRecord, plans: list[RowPlan], taken: set[str], receives_digest: bool
) -> None:
    """One chunk of new organizations, with their groups and contacts, in a few statements
    (`cswb.bulk.rows_insert`): what `organization_create` and `contact_create` do one at a
    time. The activity log has one
    event for the whole import (written by the pipeline), not one per row: tens of thousands
    of "was added" events would bury everything else in it."""
    tenant = record.tenant
    slugs = [
        unique_slug(Organization, p.name, max_length=74, fallback="organization", taken=taken)
        for p in plans
    ]
    group_ids = rows_insert(
        Group, [(f"org:{tenant.pk}:{slug}",) for slug in slugs], columns=["name"]
    )
    organization_ids = rows_insert(
        Organization,
        [
            (p.name, slug, p.sector, p.website, group_id)
            for p, slug, group_id in zip(plans, slugs, group_ids, strict=True)
        ],
        columns=["name", "slug", "sector", "website", "group_id"],
        constants={"tenant": tenant},
    )
    contacts = [
        (organization_id, p.contact_email[:150], p.contact_email)
        for p, organization_id in zip(plans, organization_ids, strict=True)
        if p.contact_email
    ]
    if contacts:
        rows_insert(
            Contact,
            contacts,
            columns=["organization_id", "name", "email"],
            constants={"tenant": tenant, "receives_digest": receives_digest},
        )


def _chunks(plans: Iterable[RowPlan], progress: Progress, counts: ApplyCounts):
    batch: list[RowPlan] = []
    for done, plan in enumerate(plans, start=1):
        progress(done)
        if plan.errors:
            # The file was checked; a row that fails now fails because the plan changed since.
            raise ValueError(f"Line {plan.line}: {' '.join(plan.errors)}")
        if plan.duplicate_of:
            counts.unchanged += 1
            continue
        batch.append(plan)
        if len(batch) == CHUNK:
            yield batch
            batch = []
    if batch:
        yield batch


class OrganizationImportHandler:
    """What the pipeline calls for kind "organizations"."""

    upload_url_name = "manage:organization-import"
    preview_template = "partners/manage/import_preview.html"

    def check(self, record: ImportRecord, progress: Progress) -> Iterator[RowResult]:
        listed = {"create": 0, "unchanged": 0}
        contacts: list[list[str]] = []
        contact_count = 0
        for done, plan in enumerate(_plans(record), start=1):
            progress(done)
            if plan.fate == "error":
                yield RowResult(plan.line, "reject", plan.summary, " ".join(plan.errors))
                continue
            action = "create" if plan.fate == "create" else "unchanged"
            listed[action] += 1
            shown = listed[action] <= LIST_LIMIT  # past that, nobody reads the summaries
            if action == "unchanged":
                said = f"already in the plan as “{plan.duplicate_of}”; skipped"
                yield RowResult(plan.line, action, plan.summary if shown else "", said)
                continue
            yield RowResult(plan.line, action, plan.summary if shown else "")
            if plan.contact_email:
                contact_count += 1
                if len(contacts) < LIST_LIMIT:
                    contacts.append([plan.contact_email, plan.name])
        # Saved with the record's counts when the check pass ends (cswb.imports).
        record.options = {
            **record.options,
            "digest_contacts": {"count": contact_count, "listed": contacts},
        }

    def apply(self, record: ImportRecord, progress: Progress) -> ApplyCounts:
        counts = ApplyCounts()
        taken = set(Organization.objects.values_list("slug", flat=True))
        receives_digest = bool(record.options.get("contacts_receive_digests"))
        contacts = 0
        for plans in _chunks(_plans(record), progress, counts):
            _create(record=record, plans=plans, taken=taken, receives_digest=receives_digest)
            counts.created += len(plans)
            contacts += sum(1 for p in plans if p.contact_email)
        if contacts:
            # Whether the file's contacts receive digests is the administrator's word: logged.
            activity_record(
                tenant=record.tenant,
                actor=record.applied_by,
                verb="organization.contacts_imported",
                summary=f"{contacts} contact{pluralize(contacts)} from {record.file_name} "
                + ("will receive digests" if receives_digest else "added without digests"),
                target=record,
            )
        return counts

    def next_step_url(self, record: ImportRecord) -> str:
        """A received file whose columns are not chosen yet waits on its columns page."""
        if record.state == ImportState.RECEIVED and "mapping" not in record.options:
            return reverse(
                "manage:organization-import-columns",
                kwargs={"tenant_slug": record.tenant.slug, "pk": record.pk},
            )
        return ""

    def preview_context(self, record: ImportRecord) -> dict[str, object]:
        contacts = record.options.get("digest_contacts") or {}
        listed = contacts.get("listed") or []
        count = contacts.get("count", 0)
        return {
            "contact_count": count,
            "contacts": [{"email": e, "organization": n} for e, n in listed],
            "contacts_unlisted": count - len(listed),
            "contacts_receive_digests": bool(record.options.get("contacts_receive_digests")),
        }

    def confirm_options(self, record: ImportRecord, data) -> dict[str, object]:
        return {"contacts_receive_digests": data.get("contacts_receive_digests") == "yes"}
