"""Run one benchmark against one database in this process and print its rows as JSON on the last line.

The database is fresh every time: a new SQLite file, or a new database in the PostgreSQL cluster that
DATABASE_URL points at (scripts/bench.sh starts a throwaway one).
"""

import dataclasses
import importlib
import json
import os
import sys
import tempfile
from urllib.parse import urlsplit, urlunsplit


def fresh_database_url(kind: str, name: str) -> str:
    if kind == "sqlite":
        return f"sqlite:///{tempfile.mkdtemp(prefix='rentalbridge-bench-')}/bench.sqlite3"
    import psycopg

    base = urlsplit(os.environ["DATABASE_URL"])
    database = f"bench_{name}"
    maintenance = urlunsplit(base._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{database}"')
        connection.execute(f'CREATE DATABASE "{database}"')
    return urlunsplit(base._replace(path=f"/{database}"))


def main(name: str, kind: str) -> None:
    os.environ["DATABASE_URL"] = fresh_database_url(kind, name)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rentalbridge.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    rows = importlib.import_module(f"bench.{name}").run()
    labelled = [dataclasses.replace(row, benchmark=f"{row.benchmark} [{kind}]") for row in rows]
    print(json.dumps([dataclasses.asdict(row) for row in labelled]))


if __name__ == "__main__":
    main(*sys.argv[1:3])
