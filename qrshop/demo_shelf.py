"""The demo's shelf: where its stores are and how many of each item they have, so the
landing pages show "in stock", "low", and "out here, at Charlotte SouthPark 226 mi"."""

from __future__ import annotations

from sqlalchemy import select

from qrshop.accounts.models import Retailer, Store
from qrshop.catalog.listings import set_stock
from qrshop.catalog.models import Listing, ListingStock
from qrshop.extensions import db

LOCATIONS = {"ATL01": (33.7726, -84.3655), "CLT01": (35.1527, -80.8264)}
# SKU -> (in ATL01, in CLT01); any other SKU: 8 in ATL01, 4 in CLT01.
STOCK = {"FT-TF-1004": (0, 6), "FT-LU-2002": (2, 0), "FT-TF-1003": (3, 5),
         "FT-LU-2007": (0, 0)}


def seed_demo_shelf(retailer: Retailer, stores: dict[str, Store]) -> None:
    """Store locations and stock rows, only where none are set (the demo is idempotent)."""
    for code, (latitude, longitude) in LOCATIONS.items():
        store = stores[code]
        if store.latitude is None:
            store.latitude, store.longitude = latitude, longitude
    for listing in db.session.scalars(select(Listing).where(Listing.retailer_id == retailer.id)):
        counts = STOCK.get(listing.sku, (8, 4))
        for code, in_stock in zip(("ATL01", "CLT01"), counts, strict=True):
            store = stores[code]
            if db.session.get(ListingStock, (listing.id, store.id)) is None:
                set_stock(listing, store, in_stock=in_stock, location="")
