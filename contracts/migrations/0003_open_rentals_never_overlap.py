"""PostgreSQL refuses two overlapping rentals of one asset on open contracts, whoever writes them.

The application checks the rule under a lock on the asset rows; this is the guarantee behind it, for writers
that check outside a transaction (the bulk import checks before it writes) or not at all (raw SQL).
An exclusion constraint can only look at its own row, so each item carries a copy of "my contract is open"
(`contract_open`), a column kept by triggers alone: the model does not declare it and never writes it.
SQLite has no exclusion constraints; there every write transaction takes the database lock up front
(IMMEDIATE), so a check and its save are never interleaved with another writer's.
"""

from django.contrib.postgres.operations import BtreeGistExtension
from django.db import migrations

FORWARD = [
    "ALTER TABLE contracts_contractitem ADD COLUMN contract_open boolean NOT NULL DEFAULT false",
    # FOR SHARE waits for a concurrent change of the contract's status to commit, so the copy is never stale.
    """
    CREATE FUNCTION contracts_item_copies_contract_open() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        SELECT status = 'OPEN' INTO NEW.contract_open
        FROM contracts_contract WHERE id = NEW.contract_id FOR SHARE;
        RETURN NEW;
    END $$
    """,
    """
    CREATE TRIGGER contracts_item_copies_contract_open
    BEFORE INSERT OR UPDATE ON contracts_contractitem
    FOR EACH ROW EXECUTE FUNCTION contracts_item_copies_contract_open()
    """,
    """
    CREATE FUNCTION contracts_contract_status_to_items() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE contracts_contractitem SET contract_open = (NEW.status = 'OPEN') WHERE contract_id = NEW.id;
        RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER contracts_contract_status_to_items
    AFTER UPDATE OF status ON contracts_contract
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status)
    EXECUTE FUNCTION contracts_contract_status_to_items()
    """,
    "UPDATE contracts_contractitem SET contract_open = contract_open",  # the trigger fills in the copy
    # Half-open periods, as the application reads them: [on-rent, off-rent), no off-rent = no end.
    """
    ALTER TABLE contracts_contractitem ADD CONSTRAINT item_open_rentals_do_not_overlap
    EXCLUDE USING gist (asset_id WITH =, daterange(on_rent_date, off_rent_date, '[)') WITH &&)
    WHERE (contract_open)
    """,
]

BACKWARD = [
    "ALTER TABLE contracts_contractitem DROP CONSTRAINT item_open_rentals_do_not_overlap",
    "DROP TRIGGER contracts_contract_status_to_items ON contracts_contract",
    "DROP FUNCTION contracts_contract_status_to_items()",
    "DROP TRIGGER contracts_item_copies_contract_open ON contracts_contractitem",
    "DROP FUNCTION contracts_item_copies_contract_open()",
    "ALTER TABLE contracts_contractitem DROP COLUMN contract_open",
]

# Rentals that already overlap would make the constraint fail with a bare error; name them instead.
CLASHES = """
    SELECT a.asset_id, ca.external_reference, a.external_reference,
           cb.external_reference, b.external_reference
    FROM contracts_contractitem a
    JOIN contracts_contract ca ON ca.id = a.contract_id AND ca.status = 'OPEN'
    JOIN contracts_contractitem b ON b.asset_id = a.asset_id AND b.id > a.id
    JOIN contracts_contract cb ON cb.id = b.contract_id AND cb.status = 'OPEN'
    WHERE daterange(a.on_rent_date, a.off_rent_date, '[)') && daterange(b.on_rent_date, b.off_rent_date, '[)')
    LIMIT 20
"""


def forward(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(CLASHES)
        clashes = cursor.fetchall()
    if clashes:
        listed = "; ".join(
            f"asset id {asset}: contract {c1} item {i1} and contract {c2} item {i2}"
            for asset, c1, i1, c2, i2 in clashes
        )
        raise RuntimeError(
            f"Open contracts already hold overlapping rentals; fix them, then migrate: {listed}"
        )
    for statement in FORWARD:
        schema_editor.execute(statement, params=None)


def backward(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in BACKWARD:
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [("contracts", "0002_alter_contract_options_alter_contractitem_options")]

    operations = [
        BtreeGistExtension(),
        migrations.RunPython(forward, backward),
    ]
