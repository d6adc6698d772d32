"""Refreshing the statistics the database plans its queries by, right after a bulk write.

Bulk writes (an import, a first plan's 300,000 operations, the ledger an apply of them fills) are read at
once by the next step, sooner than PostgreSQL's autovacuum comes by; planned by missing or outdated
statistics, those reads went from seconds to minutes:
- a plan's assignments query after a 100,000-row import: 19.6 s instead of 0.3 s;
- the stale-plan check of a new run, while the statistics still described an earlier run's operations:
  more than 9 minutes instead of 9 s (a nested loop over what they counted as one row);
- the plan after an apply filled the ledger: 1.8-2.1 s instead of 1.1 s.
SQLite keeps no statistics unless told to, and guessed its way into reading a page of 2,000 assets'
contract items through every open contract (75 ms a page instead of 20 ms).
"""

from django.db import connection
from django.db.models import Model

# Rows written past which statistics are refreshed (autovacuum's own threshold is 10% of the table).
ANALYZE_AFTER_ROWS = 5000
# Rows per index SQLite's ANALYZE samples (its docs suggest 100 to 1,000): bounded whatever the size.
SQLITE_ANALYSIS_LIMIT = 1000


def refresh_after_bulk_write(model: type[Model], rows: int) -> None:
    """Refresh the statistics of `model`'s table once `rows` were written to it at a stroke.

    PostgreSQL samples the table (a fraction of a second). SQLite has none for any table until told, so
    the whole database is analysed, each index sampled: about 0.1 s at 100,000 assets.
    """
    if rows < ANALYZE_AFTER_ROWS:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
        elif connection.vendor == "sqlite":
            cursor.execute(f"PRAGMA analysis_limit = {SQLITE_ANALYSIS_LIMIT}")
            cursor.execute("ANALYZE")
