"""Import indicator files: python manage.py import_indicators PATH… [--tenant SLUG] [--yes].

An Open SDG data file (cif_indicator_<code>.csv) brings its metadata (cif_meta_<code>.md
beside it, and fr/cif_meta_<code>.md) along. Each file is checked first, row by row; it is
applied only if every row passes and the import is confirmed (--yes, or answering y)."""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django_scopes import scope, scopes_disabled

from cswb.imports import import_apply_run, import_check_run, import_confirm, import_record_create
from cswb.models import ImportRow, Tenant
from indicators.services.imports import FORMATS, format_guess, stored_files_for

SHOWN_REJECTS = 50


class Command(BaseCommand):
    help = "Check, then import, indicator data files (Open SDG, the portal's template, …)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("paths", nargs="+", type=Path)
        parser.add_argument("--tenant", help="the plan's slug; without it, the shared catalogue")
        parser.add_argument("--format", choices=FORMATS, help="guessed from the file name")
        parser.add_argument("--yes", action="store_true", help="apply without asking")
        parser.add_argument("--check", action="store_true", help="check only, apply nothing")

    def handle(self, *args, **options) -> None:
        tenant = None
        if options["tenant"]:
            tenant = Tenant.objects.filter(slug=options["tenant"]).first()
            if tenant is None:
                raise CommandError(f"No plan has the address {options['tenant']}.")
        failed = False
        for path in options["paths"]:
            if path.suffix == ".md":
                continue  # metadata travels with its data file
            if not path.is_file():
                raise CommandError(f"{path}: no such file")
            with scope(tenant=tenant):
                failed |= not self._one(path, tenant, options)
        if failed:
            raise CommandError("Some files were not imported.")

    def _one(self, path: Path, tenant, options) -> bool:
        fmt = options["format"] or format_guess(path.name)
        companions = stored_files_for([path]) if fmt == "open_sdg" else {}
        if fmt == "odprn_json":
            codes = path.with_name("ontario_phu_codes_hr_uid_2023.csv")
            companions = {"codes": codes} if codes.exists() else {}
        opened = {role: p.open("rb") for role, p in companions.items()}
        try:
            with path.open("rb") as f:
                record = import_record_create(
                    tenant=tenant,
                    kind="indicators",
                    upload=f,
                    file_name=path.name,
                    created_by=None,
                    file_format=fmt,
                    companions=opened,
                    check_in_background=False,
                )
        except ValidationError as e:
            self.stderr.write(f"{path.name}: {' '.join(e.messages)}")
            return False
        finally:
            for f in opened.values():
                f.close()
        record = import_check_run(record=record)
        self.stdout.write(
            f"{path.name} ({fmt}): {record.rows_total} rows — {record.created_count} new, "
            f"{record.updated_count} updated, {record.unchanged_count} unchanged, "
            f"{record.rejected_count} rejected"
        )
        if record.error:
            self.stderr.write(f"  {record.error}")
        if record.state != "checked":
            with scopes_disabled():
                rejects = ImportRow.objects.filter(record=record, action="reject")[:SHOWN_REJECTS]
                for row in rejects:
                    self.stderr.write(f"  line {row.line}: {row.reason}")
            self.stderr.write("  Nothing was imported.")
            return False
        if options["check"]:
            return True
        if not options["yes"]:
            answer = input("  Import it? [y/N] ").strip().lower()
            if answer not in ("y", "yes"):
                self.stdout.write("  Not imported.")
                return True
        import_confirm(record=record, actor=None, in_background=False)
        record = import_apply_run(record=record)
        if record.state != "applied":
            self.stderr.write(f"  Failed, nothing imported: {record.error}")
            return False
        self.stdout.write(
            f"  Imported: {record.created_count} new, {record.updated_count} updated."
        )
        return True
