"""Export of 100,000 assets and 100,000 contract items (CSV and XLSX) against importing the same rows.

The issue's target: an export costs no more time than the import of those rows, with bounded memory. The
rows are imported by the bulk engine (bench/csv_import's files and measured child), then exported by the
streaming export (rentalbridge.imports.export) the admin and export_csv use. Each measurement runs in its
own process (`python -m bench.csv_export ENTITY FORMAT`), so its peak RSS is its own. The import asks for
no sync afterwards (SYNC_ON_CHANGE=false): only reading and writing rows is compared.
"""

import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

from bench.csv_import import ROWS, _asset_rows, _item_rows, _measure, _seed, _write
from bench.harness import Row, run_child

DATABASES = ("postgresql", "sqlite")
TARGET_RATIO = 1.0
TARGET_MB = 300.0
FORMATS = ("csv", "xlsx")


def run() -> list[Row]:
    os.environ["SYNC_ON_CHANGE"] = "false"
    workdir = Path(tempfile.mkdtemp(prefix="rentalbridge-export-bench-"))
    _seed()
    files = {
        "assets": _write(workdir / "assets.csv", _asset_rows(0, ROWS)),
        "contract-items": _write(workdir / "items.csv", _item_rows(ROWS, "")),
    }
    rows: list[Row] = []
    for entity, path in files.items():
        imported = _measure(entity, "engine", path)
        bench = f"csv export, {ROWS:,} {entity}"
        rows += [
            Row(bench, "import (bulk engine): time", imported["seconds"], "s"),
            Row(bench, "import (bulk engine): peak RSS", imported["maxrss_mb"], "MB"),
        ]
        for file_format in FORMATS:
            exported = _export(entity, file_format, workdir / f"{entity}.{file_format}")
            assert exported["rows"] == ROWS, exported
            label = f"export {file_format.upper()}"
            ratio = exported["seconds"] / imported["seconds"]
            rows += [
                Row(bench, f"{label}: time", exported["seconds"], "s"),
                Row(
                    bench,
                    f"{label}: export/import time",
                    ratio,
                    "x",
                    f"<= {TARGET_RATIO:.1f}",
                    ratio <= TARGET_RATIO,
                ),
                Row(
                    bench,
                    f"{label}: peak RSS",
                    exported["maxrss_mb"],
                    "MB",
                    f"<= {TARGET_MB:.0f} MB",
                    exported["maxrss_mb"] <= TARGET_MB,
                ),
            ]
    return rows


def _export(entity: str, file_format: str, path: Path) -> dict:
    return run_child("bench.csv_export", entity, file_format, str(path))


# --- the measured child --------------------------------------------------------------------------------
def _measured(entity: str, file_format: str, path: Path) -> dict:
    """What the admin's download does: the CSV pieces as they are streamed (bytes), or the XLSX file."""
    import shutil

    from rentalbridge.imports.export import csv_text, xlsx_file
    from rentalbridge.imports.registry import resource_for

    started = time.perf_counter()
    if file_format == "csv":
        with path.open("wb") as out:
            for piece in csv_text(resource_for(entity), bom=True):
                out.write(piece.encode())
    else:
        with xlsx_file(resource_for(entity)) as workbook, path.open("wb") as out:
            shutil.copyfileobj(workbook, out)
    seconds = time.perf_counter() - started
    maxrss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"seconds": seconds, "rows": _rows_in(path, file_format), "maxrss_mb": maxrss_mb}


def _rows_in(path: Path, file_format: str) -> int:
    """Records in the written file (header excluded), read back independently of the writer."""
    if file_format == "csv":
        import csv

        with path.open(encoding="utf-8-sig", newline="") as fh:
            return sum(1 for _ in csv.reader(fh)) - 1
    import zipfile

    with zipfile.ZipFile(path) as workbook:
        (sheet,) = [name for name in workbook.namelist() if name.startswith("xl/worksheets/sheet")]
        return workbook.read(sheet).count(b"<row ") - 1


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rentalbridge.settings")
    import django

    django.setup()
    print(json.dumps(_measured(sys.argv[1], sys.argv[2], Path(sys.argv[3]))))
