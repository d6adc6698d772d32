"""`manage.py export_csv ENTITY [FILE]`: every record of an entity as CSV, in the columns import_csv reads."""

from pathlib import Path

from django.core.management.base import BaseCommand

from rentalbridge.imports.registry import ENTITIES, resource_for


class Command(BaseCommand):
    help = "Export all records of one entity as CSV (UTF-8); to FILE, or to standard output."

    def add_arguments(self, parser):
        parser.add_argument("entity", choices=ENTITIES)
        parser.add_argument("file", type=Path, nargs="?")

    def handle(self, *args, entity: str, file: Path | None, **options):
        dataset = resource_for(entity).export()
        text = dataset.csv
        if file is None:
            self.stdout.write(text, ending="")
        else:
            file.write_text(text, encoding="utf-8", newline="")
            self.stderr.write(f"{len(dataset)} {entity} written to {file}")
