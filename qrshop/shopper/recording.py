"""The scan log's writes: one INSERT per scan (its repeat flag decided by the database in the
same statement), and one for a code that matches no tag. DriverStatements, built once, run on
the connection the scan handler gives them (scan.py), under its write lock.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Optional

from sqlalchemy import (
    Boolean,
    bindparam,
    column,
    exists,
    insert,
    literal,
    literal_column,
    table,
)

from qrshop.db import DriverConnection, DriverStatement, UTCDateTime, utcnow
from qrshop.db_send import SentStatement, can_send
from qrshop.partitions import first_of_month, partition_name
from qrshop.shopper.models import Scan
from qrshop.shopper.services import LandingPage, new_shopper_id


def _insert_scan_statement(check_repeat: bool, returning: bool = False,
                           into: Optional[str] = None):
    """Built once. With check_repeat, the database decides is_repeat in the same INSERT;
    returning, the INSERT returns it (for a scan.created webhook); into, the INSERT goes
    straight into that table (a month's partition on PostgreSQL) rather than the scan log's.
    """
    scans = Scan.__table__
    if check_repeat:
        # tag_id + 0: probe the shopper's few scans (ix_scans_shopper_id_tag_id_scanned_at),
        # never the tag's: PostgreSQL's generic plan chose the tag index, which on a busy
        # tag walks every other shopper's scans of the last half hour (1.1 ms at 2,700).
        is_repeat = exists().where(
            scans.c.shopper_id == bindparam("p_shopper_id"),
            scans.c.tag_id + literal_column("0") == bindparam("p_tag_id"),
            scans.c.scanned_at >= bindparam("p_repeat_since", type_=UTCDateTime()),
            scans.c.is_bot == literal(False),
        )
    else:
        is_repeat = literal(False)
    target = scans if into is None else table(into, *(column(c.name, c.type) for c in scans.c))
    statement = insert(target).values(
        tag_id=bindparam("p_tag_id"), listing_id=bindparam("p_listing_id"),
        store_id=bindparam("p_store_id"), retailer_id=bindparam("p_retailer_id"),
        shopper_id=bindparam("p_shopper_id"),
        scanned_at=bindparam("p_scanned_at", type_=UTCDateTime()),
        is_bot=bindparam("p_is_bot", type_=Boolean()), bot_reason=bindparam("p_bot_reason"),
        is_repeat=is_repeat, device=bindparam("p_device"),
        experiment_variant_id=bindparam("p_variant_id"),
    )
    return statement.returning(scans.c.is_repeat) if returning else statement


# {(check_repeat, returning): statement}; returning only when a webhook wants the scan.
_INSERT_SCAN = {(flag, back): DriverStatement(_insert_scan_statement(flag, back))
                for flag in (False, True) for back in (False, True)}
# {(check_repeat, month or None): statement} for PostgreSQL's autocommit connection, sent
# rather than run (qrshop.db_send); see _send_scan.
_SEND_SCAN: dict[tuple[bool, Optional[date]], SentStatement] = {}


def _send_scan(driver: DriverConnection, check_repeat: bool, params: dict) -> None:
    """Send the scan's INSERT into its month's partition, else into the scan log.

    Straight into the partition, PostgreSQL skips routing the row through the partitioned
    table (a sixth of the INSERT's time on the server). The partition is the one of the
    scan's own time, so the row always belongs there; where it does not exist (the worker
    has not created it, or the log is not partitioned) the server refuses to prepare the
    statement once per connection, and the scan goes through the scan log's own INSERT.
    """
    month = first_of_month(params["p_scanned_at"])
    for key in ((check_repeat, month), (check_repeat, None)):
        statement = _SEND_SCAN.get(key)
        if statement is None:
            into = partition_name("scans", month) if key[1] else None
            statement = _SEND_SCAN[key] = SentStatement(
                _insert_scan_statement(check_repeat, into=into),
                f"qrshop_{into or 'scans'}_{int(check_repeat)}")
        if statement.send(driver, params):
            return
    raise LookupError("the server refused the scan's INSERT")


ScanRecorded = Callable[[Optional[str], bool, datetime], None]  # (shopper_id, is_repeat, at)


def record_scan(
    page: LandingPage, *, cookie_shopper_id: Optional[str], bot: Optional[str],
    repeat_window: timedelta, driver: DriverConnection, device: Optional[str] = None,
    on_recorded: Optional[ScanRecorded] = None, minted: Optional[str] = None,
    variant_id: Optional[int] = None,
) -> Optional[str]:
    """Append one scan of a known tag; return the id of a new shopper to set in the cookie,
    if one was minted. A person's repeat is decided inside the INSERT.

    Bots are never tied to a shopper. A person without a (validly signed) cookie gets a new
    id; its shoppers row is written only when the shopper first engages (adopt_shopper), so
    a scan is one INSERT. on_recorded (scan.created webhooks) gets the INSERT's repeat flag.
    minted: an id the scan handler minted already (an experiment assigned it a variant);
    variant_id: the experiment variant the page showed (docs/experiments.md).
    """
    if bot is not None or cookie_shopper_id is not None:
        minted = None
    elif minted is None:
        minted = new_shopper_id()
    shopper_id = None if bot is not None else cookie_shopper_id or minted
    now = utcnow()
    params = {
        "p_tag_id": page.tag_id, "p_listing_id": page.listing_id, "p_store_id": page.store_id,
        "p_retailer_id": page.retailer_id, "p_shopper_id": shopper_id, "p_scanned_at": now,
        "p_is_bot": bot is not None, "p_bot_reason": bot, "p_device": device,
        "p_variant_id": variant_id,
    }
    # Only a shopper who came with a cookie can have scanned before: a minted id is new, so
    # its scan skips the repeat probe (on PostgreSQL a probe of every month partition).
    check_repeat = shopper_id is not None and minted is None
    if check_repeat:
        params["p_repeat_since"] = now - repeat_window
    if on_recorded is None and can_send(driver):
        # Sent, not awaited: the scan handler's commit() waits for it (db_send).
        _send_scan(driver, check_repeat, params)
        return minted
    if on_recorded is not None:
        driver.begin()  # the scan and what on_recorded writes commit together
    cursor = _INSERT_SCAN[check_repeat, on_recorded is not None].execute(driver, params)
    if on_recorded is not None:
        on_recorded(shopper_id, bool(cursor.fetchone()[0]), now)
    return minted


_INSERT_ORPHAN_SCAN = DriverStatement(insert(Scan.__table__).values(
    orphan_code=bindparam("p_code"), scanned_at=bindparam("p_scanned_at", type_=UTCDateTime()),
    is_bot=bindparam("p_is_bot", type_=Boolean()), bot_reason=bindparam("p_bot_reason"),
    is_repeat=literal(False),
))


def record_orphan_scan(code: str, *, bot: Optional[str], driver: DriverConnection) -> None:
    """Record a request for a code that matches no tag."""
    _INSERT_ORPHAN_SCAN.execute(driver, {"p_code": code[:32], "p_scanned_at": utcnow(),
                                         "p_is_bot": bot is not None, "p_bot_reason": bot})

