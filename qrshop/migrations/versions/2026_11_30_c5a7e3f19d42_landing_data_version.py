"""landing_data_version: a counter raised by triggers on every change to a landing page's data.

The scan fast path caches each tag's page per process and checks this counter inside the
scan's write transaction (shopper.models.LandingDataVersion). SQLite: one AFTER trigger per
table and event. PostgreSQL: a deferred constraint trigger per table that raises the counter
once per transaction, at commit, so concurrent catalogue writers never deadlock on it.

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
EVENTS = ("insert", "update", "delete")
BUMP = ("INSERT INTO landing_data_version (id, version) VALUES (1, 1) "
        "ON CONFLICT (id) DO UPDATE SET version = landing_data_version.version + 1")
PG_FUNCTION = "qrshop_bump_landing_data_version"


def upgrade():
    op.create_table(
        'landing_data_version',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('version', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_landing_data_version')),
    )
    op.execute(sa.text("INSERT INTO landing_data_version (id, version) VALUES (1, 1)"))
    if op.get_bind().dialect.name == "postgresql":
        op.execute(sa.text(f"""
            CREATE FUNCTION {PG_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                -- Once per transaction: the setting lives until its end.
                IF current_setting('qrshop.landing_data_bumped', true)
                        = txid_current()::text THEN
                    RETURN NULL;
                END IF;
                PERFORM set_config('qrshop.landing_data_bumped', txid_current()::text, true);
                {BUMP};
                RETURN NULL;
            END $$"""))
        for table in TABLES:
            op.execute(sa.text(
                f"CREATE CONSTRAINT TRIGGER landing_data_version_{table} "
                f"AFTER INSERT OR UPDATE OR DELETE ON {table} "
                f"DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION {PG_FUNCTION}()"))
    else:
        for table in TABLES:
            for event in EVENTS:
                op.execute(sa.text(
                    f"CREATE TRIGGER landing_data_version_{table}_{event} "
                    f"AFTER {event.upper()} ON {table} BEGIN {BUMP}; END"))


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            op.execute(sa.text(f"DROP TRIGGER landing_data_version_{table} ON {table}"))
        op.execute(sa.text(f"DROP FUNCTION {PG_FUNCTION}()"))
    else:
        for table in TABLES:
            for event in EVENTS:
                op.execute(sa.text(f"DROP TRIGGER landing_data_version_{table}_{event}"))
    op.drop_table('landing_data_version')
