"""landing_data_version: a counter raised by triggers on every change to a landing page's data.

The scan fast path caches each tag's page per process and checks this counter inside the
scan's write transaction (shopper.models.LandingDataVersion). SQLite: AFTER triggers.
PostgreSQL: deferred constraint triggers that raise the counter once per transaction, at
commit, so concurrent catalogue writers never deadlock on it. A coupon claim raises it only
when the offer runs out.

Revision ID: c5a7e3f19d42
Revises: b81f4d2c9e67
Create Date: 2026-11-30 19:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c5a7e3f19d42'
down_revision = 'b81f4d2c9e67'
branch_labels = None
depends_on = None

# The tables as of this revision (shopper.models.LANDING_DATA_TABLES).
TABLES = ("tags", "stores", "listings", "products", "vendors", "retailers", "media",
          "content_revisions", "offers")
# What a page shows of offers: the columns the engagement statements read, bar claimed_count.
# A claim raises claimed_count; that matters to a page only when the offer runs out (or stops
# being out), so it raises the version only then, not on every claim.
OFFER_COLUMNS = ("id", "retailer_id", "listing_id", "store_id", "title", "starts_at",
                 "ends_at", "total_limit", "per_shopper_limit")
EXHAUSTION_CHANGED = (
    "(OLD.total_limit IS NOT NULL AND OLD.claimed_count >= OLD.total_limit) <> "
    "(NEW.total_limit IS NOT NULL AND NEW.claimed_count >= NEW.total_limit)")
# A recreated row (after a DELETE or a restore) starts from the time in microseconds, above
# any value the counter had: a version never comes back.
NOW_US = {"sqlite": "CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER)",
          "postgresql": "(extract(epoch FROM clock_timestamp()) * 1000000)::bigint"}
PG_FUNCTION = "qrshop_bump_landing_data_version"


def _bump(dialect: str) -> str:
    return (f"INSERT INTO landing_data_version (id, version) VALUES (1, {NOW_US[dialect]}) "
            "ON CONFLICT (id) DO UPDATE SET version = landing_data_version.version + 1")


def _triggers() -> list[tuple[str, str, str, str]]:
    """(name, table, event, WHEN condition or '') of every trigger."""
    found = []
    for table in TABLES:
        updates = ("update", f"UPDATE OF {', '.join(OFFER_COLUMNS)}", "") if table == "offers" \
            else ("update", "UPDATE", "")
        for suffix, event, when in (("insert", "INSERT", ""), updates,
                                    ("delete", "DELETE", "")):
            found.append((f"landing_data_version_{table}_{suffix}", table, event, when))
    found.append(("landing_data_version_offers_runs_out", "offers", "UPDATE OF claimed_count",
                  EXHAUSTION_CHANGED))
    return found


def upgrade():
    dialect = op.get_bind().dialect.name
    op.create_table(
        'landing_data_version',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('version', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_landing_data_version')),
    )
    op.execute(sa.text(_bump(dialect)))
    if dialect == "postgresql":
        op.execute(sa.text(f"""
            CREATE FUNCTION {PG_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                -- Once per transaction: the setting lives until its end.
                IF current_setting('qrshop.landing_data_bumped', true)
                        = txid_current()::text THEN
                    RETURN NULL;
                END IF;
                PERFORM set_config('qrshop.landing_data_bumped', txid_current()::text, true);
                {_bump(dialect)};
                RETURN NULL;
            END $$"""))
        for name, table, event, when in _triggers():
            op.execute(sa.text(
                f"CREATE CONSTRAINT TRIGGER {name} AFTER {event} ON {table} "
                f"DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
                + (f"WHEN ({when}) " if when else "")
                + f"EXECUTE FUNCTION {PG_FUNCTION}()"))
    else:
        for name, table, event, when in _triggers():
            op.execute(sa.text(
                f"CREATE TRIGGER {name} AFTER {event} ON {table} "
                + (f"WHEN {when} " if when else "")
                + f"BEGIN {_bump(dialect)}; END"))


def downgrade():
    postgresql = op.get_bind().dialect.name == "postgresql"
    for name, table, _event, _when in _triggers():
        op.execute(sa.text(f"DROP TRIGGER {name} ON {table}" if postgresql
                           else f"DROP TRIGGER {name}"))
    if postgresql:
        op.execute(sa.text(f"DROP FUNCTION {PG_FUNCTION}()"))
    op.drop_table('landing_data_version')
