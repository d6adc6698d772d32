"""`manage.py import_csv ENTITY FILE [--dry-run] [--valid-only] [--rejected PATH]` for ERP cron jobs.

FILE is read in chunks and refused once it passes IMPORTS_MAX_FILE_BYTES (a pipe or /dev/stdin works too).

Exit codes: 0 everything imported (or, with --dry-run, everything would be); 1 nothing written (the file
was refused or rows failed); 2 with --valid-only, the valid rows were written and the rejected rows were
saved to the --rejected file (default: FILE.rejected.csv).
"""

import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from rentalbridge.imports.decoding import FileRefused
from rentalbridge.imports.engine import run_import
from rentalbridge.imports.registry import ENTITIES, resource_for
from rentalbridge.imports.uploads import CHUNK_BYTES, read_limited

PARTIAL = 2


class Command(BaseCommand):
    help = "Import a CSV file of one entity with the same checks as the admin; all or nothing by default."

    def add_arguments(self, parser):
        parser.add_argument("entity", choices=ENTITIES)
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="check only, write nothing")
        parser.add_argument(
            "--valid-only", action="store_true", help="write the valid rows and save the rejected ones"
        )
        parser.add_argument("--rejected", type=Path, help="where to save rejected rows (with --valid-only)")

    def handle(self, *args, entity: str, file: Path, dry_run: bool, valid_only: bool, rejected, **options):
        try:
            with file.open("rb") as stream:
                chunks = iter(lambda: stream.read(CHUNK_BYTES), b"")
                data = read_limited(chunks, settings.IMPORTS_MAX_FILE_BYTES)
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}") from None
        except FileRefused as exc:
            raise CommandError(f"File refused: {exc}") from None
        report = run_import(
            resource_for(entity), data, dry_run=dry_run, valid_only=valid_only, actor="import_csv"
        )
        for error in report.errors:
            self.stderr.write(str(error))
        if report.refused:
            raise CommandError(report.summary())
        self.stdout.write(report.summary())
        if report.rejected_csv and valid_only:
            target = rejected or file.with_name(f"{file.name}.rejected.csv")
            target.write_bytes(report.rejected_csv)
            self.stderr.write(f"{report.rejected} rejected rows saved to {target}")
            if not dry_run:
                sys.exit(PARTIAL)
