"""import_csv / export_csv from cron: same checks, errors on stderr, exit codes a script can act on."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from customers.models import Customer
from tests.fixtures.celery_worker import database_url_for

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "customers.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_clean_file_imports_and_prints_the_summary(tmp_path, capsys):
    call_command("import_csv", "customers", str(write(tmp_path, "external_reference,name\nC1,Alpha\n")))
    assert "1 new" in capsys.readouterr().out
    assert Customer.objects.filter(external_reference="C1").exists()


def test_errors_are_printed_with_row_column_value_rule_and_nothing_is_written(tmp_path, capsys):
    path = write(tmp_path, "external_reference,name,type\nC1,Alpha,\nC2,Beta,PIRATE\n")
    with pytest.raises(CommandError, match="Nothing was written"):
        call_command("import_csv", "customers", str(path))
    assert "row 3, column 'type', value 'PIRATE'" in capsys.readouterr().err
    assert not Customer.objects.exists()


def test_valid_only_writes_the_good_rows_saves_the_rejected_ones_and_exits_2(tmp_path):
    path = write(tmp_path, "external_reference,name,type\nC1,Alpha,\nC2,Beta,PIRATE\n")
    with pytest.raises(SystemExit) as exited:
        call_command("import_csv", "customers", str(path), "--valid-only")
    assert exited.value.code == 2
    assert list(Customer.objects.values_list("external_reference", flat=True)) == ["C1"]
    assert "PIRATE" in (tmp_path / "customers.csv.rejected.csv").read_text(encoding="utf-8-sig")


def test_dry_run_writes_nothing(tmp_path):
    call_command(
        "import_csv", "customers", str(write(tmp_path, "external_reference,name\nC1,A\n")), "--dry-run"
    )
    assert not Customer.objects.exists()


@pytest.mark.parametrize(
    ("content", "code", "message"),
    [(b"external_reference,name\nC1,Alpha\n", 0, "1 new"), (b"PK\x03\x04", 1, "Excel workbook")],
)
def test_exit_codes_of_the_real_command(tmp_path, content, code, message):
    path = tmp_path / "in.csv"
    path.write_bytes(content)
    from django.db import connection

    env = {**os.environ, "DATABASE_URL": database_url_for(connection.settings_dict)}
    done = subprocess.run(
        [sys.executable, "manage.py", "import_csv", "customers", str(path), "--dry-run"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )
    assert done.returncode == code, done.stderr
    assert message in done.stdout + done.stderr


def test_export_csv_writes_the_columns_import_reads(tmp_path):
    Customer.objects.create(name="Alpha", external_reference="C1")
    target = tmp_path / "out.csv"
    call_command("export_csv", "customers", str(target))
    assert target.read_text().splitlines()[0].startswith("external_reference,name,type")
