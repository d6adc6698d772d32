"""`manage.py export_csv ENTITY [FILE]`: every record of an entity as CSV, in the columns import_csv reads."""

from pathlib import Path

from django.core.management.base import BaseCommand

from rentalbridge.imports.export import write_csv
from rentalbridge.imports.registry import ENTITIES, resource_for


class Command(BaseCommand):
    help = "Export all records of one entity as CSV (UTF-8); to FILE, or to standard output."

    def add_arguments(self, parser):
        parser.add_argument("entity", choices=ENTITIES)
        parser.add_argument("file", type=Path, nargs="?")

    def handle(self, *args, entity: str, file: Path | None, **options):
        # Streamed a chunk of rows at a time, so a large table never sits in memory whole.
        if file is None:
            write_csv(resource_for(entity), self.stdout)
            return
        with file.open("w", encoding="utf-8", newline="") as out:
            count = write_csv(resource_for(entity), out)
        self.stderr.write(f"{count} {entity} written to {file}")
