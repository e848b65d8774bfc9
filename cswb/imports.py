"""The one import pipeline every kind of file goes through (organizations, indicators, …).

An app registers a handler for its kind (`import_handler_register`, in its AppConfig.ready());
the pipeline stores the upload, runs the handler's check pass (every row: create, update,
unchanged or reject, with its line and reason), and — only if every row passes and a person
confirms — its apply pass, in one transaction. Both passes stream the file and report
progress through the cache, so a page can poll it while the run's transaction is open.

Besides `check` and `apply`, a handler may have (all optional):
- `upload_url_name`: the URL name of its upload page, linked from the import's page;
- `next_step_url(record)`: where a received import still waits for its uploader (e.g. to
  choose its columns) before it is checked; the import's page sends them there;
- `preview_template` and `preview_context(record)`: a template of the kind's own, shown on the
  import's page inside the confirmation form (e.g. a choice the confirmation carries) and
  after the import;
- `confirm_options(record, data)`: the options that confirmation form carries, read from its
  POST and kept in the record's options for the apply pass."""

from __future__ import annotations

import csv
import hashlib
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, Protocol

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import DataError, IntegrityError, transaction
from django.utils import timezone

from cswb.models import ImportRecord, ImportRow, ImportRowAction, ImportState, Tenant, User
from cswb.text import storable_text

# Created and updated rows listed in a preview; every rejected row is always kept.
LIST_LIMIT = 1000
PROGRESS_EVERY = 500


@dataclass(frozen=True)
class RowResult:
    line: int
    action: str  # an ImportRowAction value
    summary: str = ""
    reason: str = ""


@dataclass(frozen=True)
class RowTally:
    """Rows of one action counted and not listed: a handler that decides rows in bulk yields
    the rows the preview lists (RowResult, the first LIST_LIMIT of each action and every
    rejected row), then the rest of each action as a tally."""

    action: str
    rows: int


@dataclass
class ApplyCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    extra: dict = field(default_factory=dict)


Progress = Callable[[int], None]


class ImportHandler(Protocol):
    def check(self, record: ImportRecord, progress: Progress) -> Iterator[RowResult | RowTally]: ...

    def apply(self, record: ImportRecord, progress: Progress) -> ApplyCounts: ...


_HANDLERS: dict[str, ImportHandler] = {}


def import_handler_register(kind: str, handler: ImportHandler) -> None:
    _HANDLERS[kind] = handler


def import_handler(kind: str) -> ImportHandler:
    return _HANDLERS[kind]


def import_files(record: ImportRecord) -> dict[str, Path]:
    """The stored files of an import: "data", and any companions (e.g. "meta_en")."""
    root = Path(settings.IMPORT_DIR)
    files = {"data": root / record.stored_path} if record.stored_path else {}
    for role, rel in (record.options.get("files") or {}).items():
        files[role] = root / rel
    return files


def _store(upload: IO[bytes]) -> tuple[str, str, int]:
    """Copy an upload to the import folder in chunks: (relative path, SHA-256, size)."""
    root = Path(settings.IMPORT_DIR)
    root.mkdir(parents=True, exist_ok=True)
    rel = f"{uuid.uuid4().hex}.upload"
    digest, size = hashlib.sha256(), 0
    with (root / rel).open("wb") as out:
        while chunk := upload.read(1024 * 1024):
            size += len(chunk)
            if size > settings.IMPORT_MAX_BYTES:
                out.close()
                (root / rel).unlink(missing_ok=True)
                limit = settings.IMPORT_MAX_BYTES // (1024 * 1024)
                raise ValidationError(f"The file is larger than {limit} MB.")
            digest.update(chunk)
            out.write(chunk)
    return rel, digest.hexdigest(), size


def import_record_create(
    *,
    tenant: Tenant | None,
    kind: str,
    upload: IO[bytes],
    file_name: str,
    created_by: User | None,
    file_format: str = "",
    companions: dict[str, IO[bytes]] | None = None,
    options: dict | None = None,
    check_in_background: bool = True,
) -> ImportRecord:
    """Store an uploaded file (and its companion files) and record the import; its check pass
    is queued once the transaction commits (or left to the caller)."""
    if kind not in _HANDLERS:
        raise ValidationError(f"Nothing imports {kind}.")
    rel, checksum, size = _store(upload)
    files = {}
    for role, companion in (companions or {}).items():
        files[role] = _store(companion)[0]
    with transaction.atomic():
        record = ImportRecord.objects.create(
            tenant=tenant,
            kind=kind,
            file_format=file_format,
            created_by=created_by,
            file_name=file_name[:255],
            checksum=checksum,
            size=size,
            stored_path=rel,
            options={**(options or {}), "files": files},
        )
        if check_in_background:
            import_check_queue(record=record)
    return record


def import_check_queue(*, record: ImportRecord) -> None:
    """Check a received import in the background, once the transaction commits (for an import
    created with `check_in_background=False` that waited for its uploader's choices)."""
    from cswb.celery import task_enqueue_on_commit

    task_enqueue_on_commit("cswb.tasks.import_check", record_id=record.pk)


def import_progress(record: ImportRecord) -> int:
    """Rows done so far: the running pass's count from the cache, else the record's."""
    done = cache.get(f"import-progress:{record.pk}")
    return int(done) if done is not None and record.is_running else record.rows_done


def _progress_for(record: ImportRecord) -> Progress:
    def report(done: int) -> None:
        if done % PROGRESS_EVERY == 0:
            cache.set(f"import-progress:{record.pk}", done, timeout=3600)

    return report


def import_check_run(*, record: ImportRecord) -> ImportRecord:
    """The check pass: every row's fate, stored for the preview; nothing else is written."""
    handler = _HANDLERS[record.kind]
    ImportRecord.objects.filter(pk=record.pk).update(state=ImportState.CHECKING)
    ImportRow.objects.filter(record=record).delete()
    counts = {a: 0 for a in ImportRowAction.values}
    listed: list[ImportRow] = []
    total = 0
    try:
        for result in handler.check(record, _progress_for(record)):
            if isinstance(result, RowTally):
                total += result.rows
                counts[result.action] += result.rows
                continue
            total += 1
            counts[result.action] += 1
            if result.action == ImportRowAction.REJECT or counts[result.action] <= LIST_LIMIT:
                listed.append(
                    ImportRow(
                        tenant=record.tenant,
                        record=record,
                        line=result.line,
                        action=result.action,
                        summary=storable_text(result.summary[:300]),
                        reason=storable_text(result.reason[:500]),
                    )
                )
            if len(listed) >= 2000:
                ImportRow.objects.bulk_create(listed)
                listed = []
    except (ValueError, OSError, UnicodeDecodeError, csv.Error) as e:
        record.state, record.error = ImportState.FAILED, _reason(e)
        record.save(update_fields=["state", "error"])
        import_files_discard(record=record)
        return record
    ImportRow.objects.bulk_create(listed)
    record.rows_total = record.rows_done = total
    record.created_count = counts[ImportRowAction.CREATE]
    record.updated_count = counts[ImportRowAction.UPDATE]
    record.unchanged_count = counts[ImportRowAction.UNCHANGED]
    record.rejected_count = counts[ImportRowAction.REJECT]
    record.state = ImportState.REJECTED if record.rejected_count else ImportState.CHECKED
    if total == 0:
        record.state, record.error = ImportState.REJECTED, "The file holds no rows."
    record.checked_at = timezone.now()
    record.save()
    if record.state == ImportState.REJECTED:
        import_files_discard(record=record)  # nothing will be applied from it
    return record


def _reason(e: Exception) -> str:
    if isinstance(e, UnicodeDecodeError):
        return "The file is not UTF-8 text."
    if isinstance(e, IntegrityError | DataError):
        # Something changed between the check and the apply pass (or a value the check let
        # through does not fit): nothing was applied; the database's words are no help here.
        return "The file could not be imported as checked; nothing was saved. Upload it again."
    if isinstance(e, ValidationError):
        return " ".join(e.messages)[:500]
    return str(e)[:500] or e.__class__.__name__


def import_confirm(
    *, record: ImportRecord, actor: User, options: dict | None = None, in_background: bool = True
) -> None:
    """A person confirms a checked import: it is applied (in the background), with the choices
    the confirmation carried (`options`, kept in the record's options)."""
    if record.state != ImportState.CHECKED:
        raise ValidationError("Only a checked file in which every row passes can be imported.")
    merged = {**record.options, **(options or {})}
    updated = ImportRecord.objects.filter(pk=record.pk, state=ImportState.CHECKED).update(
        state=ImportState.APPLYING, applied_by=actor, rows_done=0, options=merged
    )
    if not updated:
        raise ValidationError("This import has already been confirmed.")
    record.state, record.applied_by, record.options = ImportState.APPLYING, actor, merged
    if in_background:
        from cswb.celery import task_enqueue_on_commit

        task_enqueue_on_commit("cswb.tasks.import_apply", record_id=record.pk)


def import_apply_run(*, record: ImportRecord) -> ImportRecord:
    """The apply pass, all or nothing: one transaction; any failure leaves nothing behind."""
    handler = _HANDLERS[record.kind]
    try:
        with transaction.atomic():
            counts = handler.apply(record, _progress_for(record))
            record.state = ImportState.APPLIED
            record.created_count, record.updated_count = counts.created, counts.updated
            record.unchanged_count = counts.unchanged
            record.rows_done = record.rows_total
            record.applied_at = timezone.now()
            record.save()
            if record.tenant_id:
                from cswb.services import activity_record

                activity_record(
                    tenant=record.tenant,
                    actor=record.applied_by,
                    verb=f"{record.kind}.imported",
                    summary=f"Imported {record.file_name}: {counts.created} new, "
                    f"{counts.updated} updated",
                    target=record,
                )
    except (
        ValidationError, ValueError, OSError, UnicodeDecodeError, csv.Error, IntegrityError,
        DataError,
    ) as e:  # fmt: skip
        record.refresh_from_db()
        record.state, record.error = ImportState.FAILED, _reason(e)
        record.save(update_fields=["state", "error"])
    import_files_discard(record=record)
    return record


def imports_expire(*, now: datetime | None = None) -> int:
    """Checked imports nobody confirmed within IMPORT_CONFIRM_DAYS expire: their stored files
    and staged rows go, their rows' report stays, and confirming them is refused from then on
    (the file can be uploaded again). A confirmation that comes first wins: a record is
    expired only while it is still checked. Returns how many expired."""
    from django_scopes import scope, scopes_disabled

    cutoff = (now or timezone.now()) - timedelta(days=settings.IMPORT_CONFIRM_DAYS)
    with scopes_disabled():
        stale = list(
            ImportRecord.objects.filter(state=ImportState.CHECKED, checked_at__lt=cutoff)
            .select_related("tenant")
            .order_by("pk")
        )
    expired = 0
    for record in stale:
        with transaction.atomic(), scope(tenant=record.tenant):
            moved = ImportRecord.objects.filter(pk=record.pk, state=ImportState.CHECKED).update(
                state=ImportState.EXPIRED,
                error=(
                    f"Not confirmed within {settings.IMPORT_CONFIRM_DAYS} days: nothing was "
                    "imported. Upload the file again to import it."
                ),
            )
            if moved:
                import_files_discard(record=record)
                expired += 1
    return expired


def import_files_discard(*, record: ImportRecord) -> None:
    """The import is over (applied, or nothing will be): its stored files go, and whatever
    its handler kept for it (`discard`, if it has one)."""
    for path in import_files(record).values():
        path.unlink(missing_ok=True)
    handler = _HANDLERS.get(record.kind)
    if hasattr(handler, "discard"):
        handler.discard(record)
