"""Scans and sales lines partitioned by month on PostgreSQL; sales_line_keys dedupes resends

On PostgreSQL the existing scans and sales_lines tables are converted to tables partitioned
by RANGE on their timestamp (scanned_at, sold_at): the old table is renamed, the partitioned
one created with the same columns, defaults (the same id sequence), foreign keys and indexes,
a partition made for every month holding rows plus the next three and a default one, the
rows copied, the sequence handed over, the old table dropped. A primary key of a partitioned
table must hold the partition key, so it becomes (id, scanned_at) / (id, sold_at).

A unique constraint must hold it too, and (retailer_id, line_id, sold_at) would let a resent
line with a corrected sold_at in twice. So "a line_id is stored once per retailer" moves to a
small unpartitioned table, sales_line_keys (retailer_id, line_id) primary key, on both
databases: a line is stored when its key is new. SQLite keeps plain tables otherwise.

Revision ID: b7e2c4a9d315
Revises: c4d8e2a6f017
Create Date: 2026-12-04 23:50:00

"""
from datetime import UTC, date, datetime

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'b7e2c4a9d315'
down_revision = 'c4d8e2a6f017'
branch_labels = None
depends_on = None

TABLES = {'scans': 'scanned_at', 'sales_lines': 'sold_at'}
MONTHS_AHEAD = 3


def _months(first: date, last: date):
    month = date(first.year, first.month, 1)
    while month <= last:
        yield month
        index = month.year * 12 + month.month
        month = date(index // 12, index % 12 + 1, 1)


def _next(month: date) -> date:
    index = month.year * 12 + month.month
    return date(index // 12, index % 12 + 1, 1)


def _rebuild(table: str, column: str, partitioned: bool) -> None:
    """Copy `table` into a new table of the same columns, partitioned by month on `column`
    or plain; the same sequence, foreign keys and indexes. PostgreSQL only."""
    bind = op.get_bind()
    old = f'{table}_before_rebuild'
    op.execute(f'ALTER TABLE "{table}" RENAME TO "{old}"')
    # Its primary key's index would hold the new one's name (older SQLAlchemy named it
    # <table>_pkey, a batch rebuild pk_<table>): rename it whatever it is.
    primary_key = bind.scalar(sa.text(
        "SELECT conname FROM pg_constraint WHERE conrelid = CAST(:old AS regclass) "
        "AND contype = 'p'"), {"old": old})
    op.execute(f'ALTER TABLE "{old}" RENAME CONSTRAINT "{primary_key}" TO "{old}_pkey"')
    indexes = bind.execute(sa.text(
        "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = :old "
        "AND i.schemaname = current_schema() AND i.indexname NOT IN "
        "(SELECT conname FROM pg_constraint WHERE conrelid = CAST(:old AS regclass))"),
        {"old": old}).all()
    foreign_keys = bind.execute(sa.text(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = CAST(:old AS regclass) AND contype = 'f' ORDER BY conname"),
        {"old": old}).all()
    for name, _ in indexes:
        op.execute(f'DROP INDEX "{name}"')
    tail = f' PARTITION BY RANGE ({column})' if partitioned else ''
    op.execute(f'CREATE TABLE "{table}" (LIKE "{old}" INCLUDING DEFAULTS '
               f'INCLUDING CONSTRAINTS){tail}')
    key = f'id, {column}' if partitioned else 'id'
    op.execute(f'ALTER TABLE "{table}" ADD CONSTRAINT "pk_{table}" PRIMARY KEY ({key})')
    for name, definition in foreign_keys:
        op.execute(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')
    if partitioned:
        low, high = bind.execute(sa.text(f'SELECT min({column}), max({column}) FROM "{old}"')
                                 ).one()
        today = datetime.now(UTC).date()
        first = min(low.astimezone(UTC).date(), today) if low else today
        last = max(high.astimezone(UTC).date(), today) if high else today
        last = date(last.year + (last.month + MONTHS_AHEAD - 1) // 12,
                    (last.month + MONTHS_AHEAD - 1) % 12 + 1, 1)
        for month in _months(first, last):
            op.execute(f'CREATE TABLE "{table}_{month:%Y_%m}" PARTITION OF "{table}" '
                       f"FOR VALUES FROM ('{month} 00:00:00+00') "
                       f"TO ('{_next(month)} 00:00:00+00')")
        op.execute(f'CREATE TABLE "{table}_default" PARTITION OF "{table}" DEFAULT')
    op.execute(f'INSERT INTO "{table}" SELECT * FROM "{old}"')
    for _, definition in indexes:
        schema = bind.dialect.default_schema_name
        definition = definition.replace(' ON ONLY ', ' ON ')
        op.execute(definition.replace(f' ON {schema}.{old} ', f' ON "{table}" ')
                   .replace(f' ON {old} ', f' ON "{table}" '))
    op.execute(f'ALTER SEQUENCE "{table}_id_seq" OWNED BY "{table}".id')
    op.execute(f'DROP TABLE "{old}" CASCADE')
    op.execute(f"SELECT setval('\"{table}_id_seq\"', coalesce((SELECT max(id) FROM "
               f'"{table}"), 0) + 1, false)')


def upgrade():
    op.create_table(
        'sales_line_keys',
        sa.Column('retailer_id', sa.Integer(), nullable=False),
        sa.Column('line_id', sa.String(length=64), nullable=False),
        sa.Column('sold_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['retailer_id'], ['retailers.id']),
        sa.PrimaryKeyConstraint('retailer_id', 'line_id'),
    )
    op.execute('INSERT INTO sales_line_keys (retailer_id, line_id, sold_at) '
               'SELECT retailer_id, line_id, sold_at FROM sales_lines')
    with op.batch_alter_table('sales_lines', schema=None) as batch_op:
        batch_op.drop_constraint('uq_sales_lines_line', type_='unique')
    if op.get_bind().dialect.name == 'postgresql':
        for table, column in TABLES.items():
            _rebuild(table, column, partitioned=True)


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        for table, column in TABLES.items():
            _rebuild(table, column, partitioned=False)
    with op.batch_alter_table('sales_lines', schema=None) as batch_op:
        batch_op.create_unique_constraint('uq_sales_lines_line', ['retailer_id', 'line_id'])
    op.drop_table('sales_line_keys')
