"""Test data built through the same services the product uses."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from stdnum import ean

from qrshop.accounts.models import Retailer, Store, Vendor
from qrshop.catalog.models import Listing, Product
from qrshop.catalog.services import create_listing, create_product
from qrshop.extensions import db
from qrshop.tags.models import Tag
from qrshop.tags.services import create_tag

_sequence = itertools.count(1)


def valid_gtin13(stem: int | None = None) -> str:
    """A GTIN-13 with a correct check digit."""
    body = f"{400000000000 + (stem if stem is not None else next(_sequence)):012d}"
    return body + ean.calc_check_digit(body)


def make_retailer(slug: str = "acme", **values) -> Retailer:
    """A retailer with a valid theme."""
    retailer = Retailer(slug=slug, name=values.pop("name", slug.title()), **values)
    db.session.add(retailer)
    db.session.flush()
    return retailer


def make_store(retailer: Retailer, code: str = "NYC01", **values) -> Store:
    """A store of a retailer."""
    store = Store(retailer=retailer, code=code, name=values.pop("name", f"Store {code}"),
                  timezone=values.pop("timezone", "America/New_York"), **values)
    db.session.add(store)
    db.session.flush()
    return store


def make_vendor(slug: str = "widgetco", **values) -> Vendor:
    """A vendor."""
    vendor = Vendor(slug=slug, name=values.pop("name", slug.title()), **values)
    db.session.add(vendor)
    db.session.flush()
    return vendor


def make_tag(retailer: Retailer, store: Store, vendor: Vendor, *, name: str = "Widget",
             price_cents: int = 1999, placement: str = "Aisle 1"):
    """A product, its listing at the retailer and a tag in the store."""
    n = next(_sequence)
    product = create_product(vendor, gtin=valid_gtin13(n), name=name, brand=vendor.name)
    listing = create_listing(retailer, product, sku=f"SKU-{n}", price_cents=price_cents)
    return create_tag(listing, store, placement)


@dataclass(frozen=True)
class Shop:
    """What make_shop() builds: a themed retailer, its stores NYC01 (`store`) and BOS01
    (`other_store`), a vendor, and a tag in NYC01 for the vendor's "Trail Widget" at 49.99."""

    retailer: Retailer
    store: Store
    other_store: Store
    vendor: Vendor
    tag: Tag

    @property
    def listing(self) -> Listing:
        """The tag's listing (the retailer's offer of the product)."""
        return self.tag.listing

    @property
    def product(self) -> Product:
        """The vendor's product behind the tag."""
        return self.tag.listing.product


def make_shop() -> Shop:
    """One retailer, two stores, one vendor and one tag in the first store, committed."""
    retailer = make_retailer(primary_colour="#123456", accent_colour="#ffffff")
    store = make_store(retailer, "NYC01")
    other_store = make_store(retailer, "BOS01", timezone="America/New_York")
    vendor = make_vendor()
    tag = make_tag(retailer, store, vendor, name="Trail Widget", price_cents=4999)
    db.session.commit()
    return Shop(retailer, store, other_store, vendor, tag)


PASSWORD = "a long test password"


def make_user(role: str, email: str | None = None, **links):
    """A user of a role (links: retailer_slug, store_code, vendor_slug), committed."""
    from qrshop.accounts.services import create_user

    user = create_user(email or f"{role}{next(_sequence)}@example.com", role=role,
                       password=PASSWORD, **links)
    db.session.commit()
    return user


def login(client, email: str, password: str = PASSWORD):
    """Log in through the real form, CSRF token included; return the response."""
    import re

    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    return client.post("/login", data={"csrf_token": token, "email": email,
                                       "password": password})


def csrf_token(client, path: str) -> str:
    """The CSRF token from a page's form."""
    import re

    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


def queued_emails(recipient: str) -> list:
    """The outbox emails queued for a recipient, oldest first."""
    from sqlalchemy import select

    from qrshop.alerts.models import OutboxMessage

    return db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.recipient == recipient, OutboxMessage.channel == "email")
        .order_by(OutboxMessage.id)).all()


def link_in(body: str) -> str:
    """The one absolute https link in an email body."""
    import re

    links = re.findall(r"https?://\S+", body)
    assert len(links) == 1, body
    return links[0]


def set_password_form(client, link: str, password: str = "a brand new password",
                      confirm: str | None = None):
    """Open a set-password link and submit the form with its CSRF token."""
    path = link.split("://", 1)[1].partition("/")[2]
    token = csrf_token(client, "/" + path)
    return client.post("/" + path, data={"csrf_token": token, "password": password,
                                         "confirm": password if confirm is None else confirm})


def make_many_listings(retailer: Retailer, vendor: Vendor, count: int,
                       name: str = "Item") -> list[int]:
    """count products of the vendor carried by the retailer ("Item 0001", SKU "BULK-0001"...),
    inserted in bulk (thousands of rows in a second); returns the listing ids."""
    from sqlalchemy import insert, select

    from qrshop.catalog.models import Listing, Product

    first = next(_sequence) * 100_000
    gtins = ["0" + valid_gtin13(first + i) for i in range(count)]
    db.session.execute(insert(Product), [
        {"vendor_id": vendor.id, "gtin": gtin, "name": f"{name} {i + 1:04d}",
         "brand": vendor.name} for i, gtin in enumerate(gtins)])
    products = dict(db.session.execute(
        select(Product.gtin, Product.id).where(Product.gtin.in_(gtins))).all())
    db.session.execute(insert(Listing), [
        {"retailer_id": retailer.id, "product_id": products[gtin], "sku": f"BULK-{first + i}",
         "price_cents": 1000 + i, "currency": "USD"} for i, gtin in enumerate(gtins)])
    db.session.commit()
    return list(db.session.scalars(
        select(Listing.id).where(Listing.product_id.in_(list(products.values())))
        .order_by(Listing.id)))


def link_vendor(retailer: Retailer, vendor: Vendor) -> None:
    """Link a vendor to a retailer, as the platform admin does."""
    from qrshop.accounts.services import link_vendor as link

    link(retailer, vendor)
    db.session.flush()
