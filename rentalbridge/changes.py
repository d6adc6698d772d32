"""How the domain apps announce changed records to whoever cares (the sync engine), without importing it.

Single saves are seen through Django's own post_save/post_delete signals; bulk writes (CSV imports) bypass
those, so they announce the whole batch once with `announce_changed`, after the transaction commits.
"""

from collections.abc import Iterable

from django.db import models, transaction
from django.dispatch import Signal

# sender: the model class; pks: list of primary keys; actor: the user (or a label such as "import_csv");
# reason: what wrote them, in words ("import job #12 (assets.csv)").
records_changed = Signal()


def announce_changed(
    model: type[models.Model], pks: Iterable[int], actor: object = None, reason: str = ""
) -> None:
    """Send `records_changed` once for a batch, after the surrounding transaction commits."""
    batch = list(pks)
    if batch:
        transaction.on_commit(
            lambda: records_changed.send(sender=model, pks=batch, actor=actor, reason=reason)
        )
