"""The scan: find what a tag shows, tell people from bots, identify the shopper (the scan
log's INSERT is in recording.py).

This is the hottest path in qrshop (every shelf scan), so it runs a fixed, small number of
statements: one joined SELECT for the page, and one INSERT for the scan whose repeat flag is
decided by the database in the same statement. They are DriverStatements (run on the DBAPI
cursor), on whichever connection the scan handler's adapter gives it (scan.py).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass, fields, replace
from datetime import datetime
from functools import lru_cache
from typing import Optional

from crawlerdetect import CrawlerDetect
from itsdangerous import BadSignature, Signer
from sqlalchemy import (
    Boolean,
    Text,
    and_,
    bindparam,
    cast,
    column,
    exists,
    insert,
    select,
    table,
    update,
)
from werkzeug.http import dump_cookie, http_date

from qrshop.accounts.models import Retailer, Store, Vendor
from qrshop.catalog.models import Listing, ListingStock, Product
from qrshop.catalog.services import format_price
from qrshop.content.models import ContentRevision, LiveTranslation, Media
from qrshop.db import DriverConnection, DriverStatement, utcnow
from qrshop.extensions import db, insert_ignoring_duplicates, session_driver
from qrshop.shopper import landing_parts
from qrshop.shopper.models import Shopper
from qrshop.shopper.shelf import EMPTY, Shelf, read_shelf
from qrshop.tags.models import Tag

_crawler_detect = CrawlerDetect()

# Headers browsers send on speculative loads (Chromium, Safari, Firefox, link previews), by
# their WSGI environ keys: Sec-Purpose, Purpose, X-Moz, X-Purpose.
PREFETCH_HEADERS = (("HTTP_SEC_PURPOSE", "prefetch"), ("HTTP_PURPOSE", "prefetch"),
                    ("HTTP_X_MOZ", "prefetch"), ("HTTP_X_PURPOSE", "preview"))


@lru_cache(maxsize=16384)
def is_crawler(user_agent: str) -> bool:
    """True for crawlers, spiders and link previewers (crawlerdetect's maintained list)."""
    return _crawler_detect.isCrawler(user_agent)


def bot_reason(method: str, user_agent: str, environ: dict) -> Optional[str]:
    """Why this request is not a person scanning a tag, or None if it is one."""
    if method == "HEAD":
        return "head"
    for key, value in PREFETCH_HEADERS:
        if value in environ.get(key, "").lower():
            return "prefetch"
    if not user_agent.strip():
        return "no-agent"
    if is_crawler(user_agent[:512]):
        return "crawler"
    return None


def device_class(user_agent: str) -> str:
    """phone, tablet or desktop, from a user agent: the substrings browsers use to say so
    (Mobi in every mobile browser's agent; iPad, Tablet, or Android without Mobi for
    tablets). Only this class is stored, never the agent."""
    if "iPad" in user_agent or "Tablet" in user_agent:
        return "tablet"
    if "Mobi" in user_agent or "iPhone" in user_agent:
        return "phone"
    if "Android" in user_agent:
        return "tablet"
    return "desktop"


@dataclass(frozen=True)
class LandingPage:
    """Everything a landing page shows, read in one query."""

    tag_id: int
    code: str
    placement: str
    is_retired: bool
    store_id: int
    store_code: str
    store_name: str
    listing_id: int
    price_cents: int
    currency: str
    product_name: str
    brand: str
    gtin: str
    vendor_name: str
    retailer_id: int
    retailer_slug: str
    retailer_name: str
    primary_colour: str
    accent_colour: str
    font: str
    footer_text: str
    logo_sha256: Optional[str]
    logo_extension: Optional[str]
    logo_width: Optional[int]
    logo_height: Optional[int]
    listing_template: Optional[str]
    default_template: str
    live_revision_id: Optional[int]
    # The approved revision's slots as JSON text (a str keeps the page hashable for caching).
    content_json: Optional[str]
    # For scan.created webhooks (qrshop.webhooks.scans): the listing's SKU, the product's vendor.
    sku: str
    vendor_id: int
    # The retailer's default language: its content is content_json, shown to every language
    # without approved content of its own (docs/i18n.md).
    default_language: str
    # Whether the store takes "ask an associate" requests (qrshop.assist; hours aside).
    assist: bool = False
    # Whether the store holds items for shoppers (qrshop.assist.holds).
    holds: bool = False
    # (locale, the approved revision's slots as JSON) for the other languages, read apart.
    translations: tuple[tuple[str, str], ...] = ()
    # Stock here, where it is, nearby stores, variants (shopper.shelf), read with the page.
    shelf: Shelf = EMPTY
    # The listing's rating summary and approved comments (feedback.reviews.ReviewSummary,
    # through shopper.landing_parts), read with the page; None where not read (previews).
    reviews: Optional[object] = None

    @property
    def template_name(self) -> str:
        """The landing template this listing uses: its own choice, else the retailer's."""
        return self.listing_template or self.default_template

    @property
    def price(self) -> str:
        """The price as shoppers read it."""
        return format_price(self.price_cents, self.currency)

    @property
    def logo_filename(self) -> Optional[str]:
        """The stored file name of the retailer logo, if it has one."""
        return f"{self.logo_sha256}.{self.logo_extension}" if self.logo_sha256 else None

    def content_for(self, locale: str) -> Optional[str]:
        """The approved content (JSON) in a language, else in the default language."""
        for translated, content_json in self.translations:
            if translated == locale:
                return content_json
        return self.content_json

    def without_logo(self) -> LandingPage:
        """The same page showing the retailer's name instead of its logo."""
        return replace(self, logo_sha256=None, logo_extension=None, logo_width=None,
                       logo_height=None)


# qrshop.assist's settings table, named here rather than imported (shopper imports no
# feature above it): the landing page only asks whether the store takes requests.
_STORE_ASSIST = table("store_assist", column("store_id"), column("enabled", Boolean()),
                      column("holds_enabled", Boolean()))


def _landing_statement():
    """Built once: the scan path only binds the code (building a statement costs more than
    running it)."""
    tags, stores, listings = Tag.__table__, Store.__table__, Listing.__table__
    products, vendors, retailers = Product.__table__, Vendor.__table__, Retailer.__table__
    media, revisions = Media.__table__, ContentRevision.__table__
    translations = LiveTranslation.__table__
    stock = ListingStock.__table__
    return (
        select(
            tags.c.id, tags.c.code, tags.c.placement, tags.c.retired_at.is_not(None),
            stores.c.id, stores.c.code, stores.c.name,
            listings.c.id, listings.c.price_cents, listings.c.currency,
            products.c.name, products.c.brand, products.c.gtin,
            vendors.c.name,
            retailers.c.id, retailers.c.slug, retailers.c.name, retailers.c.primary_colour,
            retailers.c.accent_colour, retailers.c.font, retailers.c.footer_text,
            media.c.sha256, media.c.extension, media.c.width, media.c.height,
            listings.c.template, retailers.c.default_template, revisions.c.id,
            cast(revisions.c.slots, Text), listings.c.sku, vendors.c.id,
            retailers.c.default_language,
            # Whether the store takes requests from the shelf (qrshop.assist), by its table:
            # an index probe on its primary key.
            exists().where(_STORE_ASSIST.c.store_id == stores.c.id,
                           _STORE_ASSIST.c.enabled.is_(True)),
            # Whether it takes holds: the same primary-key probe.
            exists().where(_STORE_ASSIST.c.store_id == stores.c.id,
                           _STORE_ASSIST.c.holds_enabled.is_(True)),
            # Whether the listing has content in other languages (read apart if so): an
            # index probe, so a page without translations is still one query.
            exists().where(translations.c.listing_id == listings.c.id),
            # The shelf (shopper.shelf): stock and place here, the variant group, where the
            # store is (for the nearest stores that have it when this one is out).
            stock.c.in_stock, stock.c.location, products.c.variant_group,
            stores.c.latitude, stores.c.longitude,
        )
        .join(stores, stores.c.id == tags.c.store_id)
        .join(listings, listings.c.id == tags.c.listing_id)
        .join(products, products.c.id == listings.c.product_id)
        .join(vendors, vendors.c.id == products.c.vendor_id)
        .join(retailers, retailers.c.id == listings.c.retailer_id)
        # Only a raster image is a logo (Media.is_raster_image): a PDF or MP4 stored as one
        # before the theme refused them reads as no logo, so the page shows the wordmark.
        .outerjoin(media, and_(media.c.id == retailers.c.logo_media_id,
                               media.c.kind == "image",
                               media.c.width > 0, media.c.height > 0))
        .outerjoin(revisions, revisions.c.id == listings.c.live_revision_id)
        .outerjoin(stock, and_(stock.c.listing_id == listings.c.id,
                               stock.c.store_id == tags.c.store_id))
        .where(tags.c.code == bindparam("code"))
    )


_LANDING = DriverStatement(_landing_statement())
_PAGE_COLUMNS = len(fields(LandingPage)) - 3  # all but translations, shelf, reviews
_TRANSLATIONS = DriverStatement(
    select(LiveTranslation.__table__.c.locale,
           cast(ContentRevision.__table__.c.slots, Text))
    .join(ContentRevision.__table__,
          ContentRevision.__table__.c.id == LiveTranslation.__table__.c.revision_id)
    .where(LiveTranslation.__table__.c.listing_id == bindparam("listing_id"))
    .order_by(LiveTranslation.__table__.c.locale))


def find_landing_page(code: str, driver: Optional[DriverConnection] = None
                      ) -> Optional[LandingPage]:
    """Return what the tag with this canonical code shows, or None for an unknown code."""
    driver = driver or session_driver()
    row = _LANDING.execute(driver, {"code": code}).fetchone()
    if row is None:
        return None
    # A listing with content in other languages: one more indexed read per tag read (at
    # most once a second per tag and process).
    translations = tuple(tuple(pair) for pair in _TRANSLATIONS.execute(
        driver, {"listing_id": row[7]}).fetchall()) if row[_PAGE_COLUMNS] else ()
    in_stock, location, variant_group, latitude, longitude = row[_PAGE_COLUMNS + 1:]
    page_shelf = EMPTY if row[3] else read_shelf(  # a retired tag's page shows no shelf
        driver, listing_id=row[7], store_id=row[4], retailer_id=row[14], in_stock=in_stock,
        location=location, variant_group=variant_group, here=(latitude, longitude))
    # Ratings and approved comments (feedback, above shopper): one more indexed read per
    # tag read, so the cached page changes when a comment is approved.
    reviews = landing_parts.part("reviews")(row[7], driver)
    # SQLite returns the retired flag as 0/1.
    return LandingPage(*row[:3], bool(row[3]), *row[4:_PAGE_COLUMNS - 2],
                       assist=bool(row[_PAGE_COLUMNS - 2]), holds=bool(row[_PAGE_COLUMNS - 1]),
                       translations=translations, shelf=page_shelf, reviews=reviews)


def _other_items_statement(limit: int = 24):
    """Built once: a store's active tags but one, for the "no longer here" page."""
    tags, listings, products = Tag.__table__, Listing.__table__, Product.__table__
    return DriverStatement(
        select(tags.c.code, products.c.name, listings.c.price_cents, listings.c.currency)
        .join(listings, listings.c.id == tags.c.listing_id)
        .join(products, products.c.id == listings.c.product_id)
        .where(tags.c.store_id == bindparam("store_id"), tags.c.retired_at.is_(None),
               tags.c.id != bindparam("exclude_tag_id"))
        .order_by(products.c.name)
        .limit(limit)
    )


_OTHER_ITEMS = _other_items_statement()


def other_items_in_store(store_id: int, exclude_tag_id: int,
                         driver: Optional[DriverConnection] = None) -> list:
    """Active tags of a store (name, code, price), for the "no longer here" page."""
    rows = _OTHER_ITEMS.execute(driver or session_driver(),
                                {"store_id": store_id, "exclude_tag_id": exclude_tag_id})
    return [
        {"code": code, "name": name, "price": format_price(cents, currency)}
        for code, name, cents, currency in rows.fetchall()
    ]


class _Signer(Signer):
    """itsdangerous' Signer with each derived key computed once, and hashlib's SHA-1 (which
    hmac runs in OpenSSL, not in Python like itsdangerous' wrapper): the same signatures."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, digest_method=hashlib.sha1, **kwargs)
        self._derived: dict = {}

    def derive_key(self, secret_key=None) -> bytes:
        """The derived key, from the memo."""
        key = self._derived.get(secret_key)
        if key is None:
            key = self._derived[secret_key] = super().derive_key(secret_key)
        return key


class ShopperCookie:
    """The signed first-party cookie that carries a shopper's random id, one per retailer.

    It also makes the CSRF token of the landing page's forms: an HMAC of the shopper id, so
    the page needs no server-side session (a forged cross-site form cannot know it, since the
    cookie is HttpOnly and the key is the app's secret).
    """

    def __init__(self, secret_key: str):
        self._signer = _Signer(secret_key, salt="qrshop.shopper")
        # (second, retailer, max_age, secure) -> the Set-Cookie header without the value.
        self._header: tuple[tuple, str] = ((), "")
        self._form_key = hmac.new(secret_key.encode(), b"qrshop.shopper-form",
                                  hashlib.sha256).digest()

    @staticmethod
    def name(retailer_id: int) -> str:
        """Cookie name for a retailer's shoppers."""
        return f"qs{retailer_id}"

    def dumps(self, shopper_id: str) -> str:
        """Sign a shopper id for the cookie."""
        return self._signer.sign(shopper_id).decode()

    def loads(self, value: Optional[str]) -> Optional[str]:
        """Return the shopper id from a cookie value, or None if absent or tampered with."""
        if not value:
            return None
        try:
            return self._signer.unsign(value).decode()
        except BadSignature:
            return None

    def set_cookie_header(self, retailer_id: int, shopper_id: str, *, max_age: int,
                          secure: bool) -> str:
        """The Set-Cookie value that gives a browser this shopper's cookie."""
        return self._header_for(retailer_id, max_age, secure).replace(
            "=", f"={self.dumps(shopper_id)}", 1)

    def _header_for(self, retailer_id: int, max_age: int, secure: bool) -> str:
        """The Set-Cookie value with an empty cookie, made once a second; a signed id (letters,
        digits, '-', '_', '.') needs no quoting, so it goes in as it is."""
        now = int(time.time())
        key, header = self._header
        if key != (now, retailer_id, max_age, secure):
            header = dump_cookie(self.name(retailer_id), "", max_age=max_age,
                                 expires=http_date(now + max_age), httponly=True,
                                 samesite="Lax", secure=secure)
            self._header = ((now, retailer_id, max_age, secure), header)
        return header

    def form_token(self, shopper_id: str) -> str:
        """The CSRF token of this shopper's landing-page forms."""
        return hmac.digest(self._form_key, shopper_id.encode(), "sha256").hex()

    def form_token_matches(self, shopper_id: Optional[str], sent: str) -> bool:
        """Whether a form's token is this shopper's (constant-time comparison)."""
        return bool(shopper_id and sent) and hmac.compare_digest(
            sent.encode(), self.form_token(shopper_id).encode())


def new_shopper_id() -> str:
    """A new shopper's random id (the scan that sets its cookie writes no shoppers row)."""
    return secrets.token_urlsafe(16)


def new_shopper(retailer_id: int) -> str:
    """Create a shopper row for a retailer and return its id."""
    shopper_id = new_shopper_id()
    db.session.execute(insert(Shopper).values(id=shopper_id, retailer_id=retailer_id,
                                              created_at=utcnow()))
    return shopper_id


def verify_email(shopper_ids: list[str], email: str, at: datetime) -> None:
    """Record on these shoppers that they proved they read this email (at that time)."""
    if shopper_ids:
        db.session.execute(
            update(Shopper).where(Shopper.id.in_(shopper_ids))
            .values(email=email, email_verified_at=at)
            .execution_options(synchronize_session=False))


def adopt_shopper(shopper_id: str, retailer_id: int) -> bool:
    """Write the row of a shopper known so far only by its cookie (a no-op if it exists).

    Return False if the id is another retailer's shopper: a cookie copied from one
    retailer's name to another's.
    """
    insert_ignoring_duplicates(
        Shopper, {"id": shopper_id, "retailer_id": retailer_id, "created_at": utcnow()}, ["id"])
    owner = db.session.scalar(select(Shopper.retailer_id).where(Shopper.id == shopper_id))
    return owner == retailer_id
