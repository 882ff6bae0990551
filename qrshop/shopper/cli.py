"""`qrshop scans prune`: drop the scan log's old months; the rollups stay."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from qrshop.db import utcnow
from qrshop.errors import InvalidInput
from qrshop.extensions import db
from qrshop.parsing import whole_number
from qrshop.shopper import retention


@click.group("scans")
def scans_cli():
    """The scan log."""


def _months(raw: str) -> int:
    """--older-than as a whole number of months, else a usage error (exit code 2)."""
    try:
        months = whole_number(raw, minimum=1, maximum=retention.MAX_MONTHS,
                              what="--older-than (months)")
    except InvalidInput as problem:
        raise click.UsageError(f"{problem.message} For example --older-than 24 keeps this "
                               "month and the 24 before it.") from None
    if months is None:
        raise click.UsageError("--older-than needs a number of months, like 24.")
    return months


@scans_cli.command("prune")
@click.option("--older-than", "older_than", required=True, metavar="MONTHS",
              help="Remove the scans of the months before the last MONTHS (1 or more).")
@click.option("--dry-run", is_flag=True, help="Only say what would be removed.")
@with_appcontext
def prune_command(older_than: str, dry_run: bool):
    """Remove scans older than MONTHS whole months (UTC), keeping the daily and hourly
    rollups so dashboards of old periods still work. PostgreSQL drops whole month
    partitions; SQLite deletes in batches."""
    months = _months(older_than)
    cutoff = retention.prune_cutoff(months, utcnow())
    verb = "Would remove" if dry_run else "Removed"
    report = retention.prune_partitions(cutoff, dry_run)
    if report is not None:
        if not dry_run:
            db.session.commit()
        for part in report.partitions:
            click.echo(f"{part.action} partition {part.name}")
        click.echo(f"{verb} {len(report.partitions)} month partitions and {report.rows} "
                   f"scans of the default partition before {cutoff}; rollups kept.")
        return
    if dry_run:
        total = retention.count_scans_before(cutoff)
    else:
        total = 0
        while batch := retention.delete_scan_batch(cutoff):
            db.session.commit()
            total += batch
    click.echo(f"{verb} {total} scans before {cutoff}; rollups kept.")
