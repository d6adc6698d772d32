"""A database error in the middle of the write phase: nothing half-imported, and the job says why.

The fault is real: the chosen write statement of a multi-batch import is swapped for one PostgreSQL (or
SQLite) refuses, through Django's documented execute wrapper, after earlier batches already went in.
"""

import pytest
from django.db import connection

from customers.models import Customer
from rentalbridge.imports import jobs
from rentalbridge.imports.models import JobStatus

pytestmark = pytest.mark.django_db
TABLE = Customer._meta.db_table
KEPT = 30
NEW = 30
BATCH = 10


class FailNthWrite:
    """Replaces the n-th statement matching `kind` on the customers table with a division by zero."""

    def __init__(self, kind: str, n: int) -> None:
        self.kind, self.n, self.seen = kind, n, 0

    def __call__(self, execute, sql, params, many, context):
        if self._matches(sql, params):
            self.seen += 1
            if self.seen == self.n:
                return execute("SELECT 1 / 0", None, False, context)
        return execute(sql, params, many, context)

    def _matches(self, sql: str, params) -> bool:
        if self.kind == "update":
            return sql.startswith(f'UPDATE "{TABLE}"')
        # New rows: PostgreSQL draws their ids from the sequence before each COPY; SQLite INSERTs them.
        return sql.startswith(f'INSERT INTO "{TABLE}"') or ("nextval" in sql and TABLE in (params or ()))


@pytest.fixture
def stored(db) -> dict[str, str]:
    Customer.objects.bulk_create(Customer(external_reference=f"C{n}", name=f"Old {n}") for n in range(KEPT))
    return dict(Customer.objects.values_list("external_reference", "name"))


@pytest.mark.parametrize(("kind", "n"), [("insert", 2), ("update", 2)])
def test_a_database_error_mid_write_leaves_nothing_half_imported_and_the_job_says_why(
    stored, settings, kind, n, back_office_user
):
    settings.IMPORTS_BATCH_SIZE = BATCH
    rows = [f"C{i},New {i}" for i in range(KEPT + NEW)]  # 30 updates and 30 inserts: 3 batches each
    data = ("external_reference,name\r\n" + "\r\n".join(rows) + "\r\n").encode()
    job = jobs.start(jobs.create_job("customers", data, "customers.csv", back_office_user))
    assert (job.status, job.rows_new, job.rows_updated) == (JobStatus.PREVIEW, NEW, KEPT)

    fault = FailNthWrite(kind, n)
    with connection.execute_wrapper(fault):
        job = jobs.start(job, confirmed=True)

    assert fault.seen >= n, "the fault was never injected"
    job.refresh_from_db()
    assert job.status == JobStatus.REJECTED
    assert job.message.startswith("The database refused the import, nothing was written:")
    assert "division by zero" in job.message
    assert job.finished_at is not None
    assert dict(Customer.objects.values_list("external_reference", "name")) == stored


def test_without_the_fault_the_same_import_writes_every_batch(stored, settings, back_office_user):
    """The control: the file above is good, so the refusal came from the fault alone."""
    settings.IMPORTS_BATCH_SIZE = BATCH
    data = ("external_reference,name\r\n" + "".join(f"C{i},New {i}\r\n" for i in range(KEPT + NEW))).encode()
    job = jobs.start(jobs.create_job("customers", data, "customers.csv", back_office_user))
    job = jobs.start(job, confirmed=True)
    assert (job.status, job.rows_new, job.rows_updated) == (JobStatus.DONE, NEW, KEPT)
    assert Customer.objects.filter(name__startswith="New").count() == KEPT + NEW
