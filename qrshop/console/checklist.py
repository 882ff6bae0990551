"""The first-run checklist on a new retailer's console home: what is done, what to do next.

One SELECT of EXISTS probes (each stops at its first row), so the home page costs the same
for a new retailer and for a chain with millions of scans. Each feature publishes its own
probes; this module only puts them in one SELECT.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import url_for
from sqlalchemy import select

from qrshop.accounts import queries as accounts
from qrshop.catalog import queries as catalog
from qrshop.extensions import db
from qrshop.shopper import queries as shopper
from qrshop.tags import queries as tags


@dataclass(frozen=True)
class Step:
    """One line of the checklist."""

    key: str
    label: str
    done: bool
    href: str | None  # where to do it; None when someone else does it (the admin)
    hint: str


def first_run_checklist(retailer) -> list[Step]:
    """The seven onboarding steps of a retailer, each ticked from the database."""
    stores = accounts.store_ids_of(retailer.id)
    probes = {
        **accounts.onboarding_probes(retailer.id),
        "items": catalog.listings_exist(retailer.id),
        "content": catalog.listings_exist(retailer.id, with_live_content=True),
        "tags": tags.printed_tags_exist(stores),
        "scans": shopper.human_scans_exist(stores),
    }
    done = dict(zip(probes, db.session.execute(
        select(*(probe.label(key) for key, probe in probes.items()))).one(), strict=True))
    return [
        Step("theme", "Set your brand theme", done["theme"], url_for("console.theme"),
             "Colours, font and logo of the pages shoppers see."),
        Step("stores", "Add your stores", done["stores"], None,
             "Ask your qrshop administrator to add them."),
        Step("vendors", "Link your vendors", done["vendors"], None,
             "Ask your qrshop administrator to link the vendors who supply you."),
        Step("items", "Add the items you carry", done["items"], url_for("listings.index"),
             "Import or add listings with SKU and price."),
        Step("content", "Approve vendor content", done["content"], url_for("content.review_queue"),
             "Approving a revision makes it live on the item's page."),
        Step("tags", "Print your first tags", done["tags"], url_for("tags.console_print"),
             "Choose a store and items, print on label stock."),
        Step("scans", "See your first scan", done["scans"], url_for("analytics.console_dashboard"),
             "Scan a printed tag with a phone camera."),
    ]
