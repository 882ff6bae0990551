"""The demo store: `qrshop demo` seeds it (idempotently) and serves it, with a worker and a
mail catcher beside the server (demo_helpers)."""

from __future__ import annotations

import io
import json
import os
import secrets
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import timedelta
from pathlib import Path
from typing import NamedTuple, Optional

from flask import Flask, current_app
from PIL import Image, ImageDraw, ImageFont
from sqlalchemy import select
from stdnum import ean

from qrshop.accounts.models import Retailer, RetailerVendor, Store, User, Vendor
from qrshop.accounts.services import create_user
from qrshop.catalog.models import Listing, Product
from qrshop.catalog.services import create_listing, create_product
from qrshop.content.models import Media
from qrshop.db import utcnow
from qrshop.demo_shelf import seed_demo_shelf
from qrshop.extensions import db
from qrshop.mail_catcher import MailCatcher
from qrshop.offers.models import Offer
from qrshop.offers.services import create_offer
from qrshop.storage import store_bytes
from qrshop.tags.models import Tag
from qrshop.tags.services import create_tag

RETAILER = {"slug": "fashiontown", "name": "FashionTown", "primary_colour": "#7a1f3d",
            "accent_colour": "#ffffff", "font": "humanist",
            "footer_text": "FashionTown · Prices valid in store · Ask any associate for help."}
STORES = [
    ("ATL01", "Atlanta Ponce City", "675 Ponce de Leon Ave NE, Atlanta, GA 30308",
     "America/New_York"),
    ("CLT01", "Charlotte SouthPark", "4400 Sharon Rd, Charlotte, NC 28211", "America/New_York"),
]
VENDORS = [("trailforge", "TrailForge"), ("luma-accessories", "Luma Accessories")]
# (vendor slug, GTIN without its check digit, name, SKU, price in cents, placement in ATL01)
PRODUCTS = [
    ("trailforge", "084200100001", "Ridgeline Waterproof Jacket", "FT-TF-1001", 18900,
     "Aisle 4 endcap"),
    ("trailforge", "084200100002", "Summit Down Vest", "FT-TF-1002", 12900, "Aisle 4 rack A"),
    ("trailforge", "084200100003", "Switchback Hiking Boot", "FT-TF-1003", 15900,
     "Footwear wall, shelf 2"),
    ("trailforge", "084200100004", "Canyon 28L Daypack", "FT-TF-1004", 8900, "Aisle 5 hook 3"),
    ("trailforge", "084200100005", "Basecamp Fleece Pullover", "FT-TF-1005", 7900,
     "Front table"),
    ("trailforge", "084200100006", "Trailhead Merino Socks (3 pack)", "FT-TF-1006", 2900,
     "Checkout lane 2"),
    ("trailforge", "084200100007", "Alpine Softshell Pant", "FT-TF-1007", 9900,
     "Aisle 4 rack B"),
    ("trailforge", "084200100008", "Drift Packable Rain Shell", "FT-TF-1008", 11900,
     "Window display"),
    ("luma-accessories", "084300200001", "Aurora Polarized Sunglasses", "FT-LU-2001", 6900,
     "Accessories spinner"),
    ("luma-accessories", "084300200002", "Meridian Leather Watch", "FT-LU-2002", 14900,
     "Jewellery counter"),
    ("luma-accessories", "084300200003", "Halo Cashmere Scarf", "FT-LU-2003", 8900,
     "Fitting-room mirror"),
    ("luma-accessories", "084300200004", "Solstice Woven Belt", "FT-LU-2004", 3900,
     "Accessories wall, peg 12"),
    ("luma-accessories", "084300200005", "Luna Crossbody Bag", "FT-LU-2005", 12900,
     "Handbag table"),
    ("luma-accessories", "084300200006", "Prism Hair Clip Set", "FT-LU-2006", 1900,
     "Checkout lane 1"),
    ("luma-accessories", "084300200007", "Cove Canvas Tote", "FT-LU-2007", 4900,
     "Entrance poster"),
]
# A few items are also tagged in Charlotte.
CLT01_SKUS = ("FT-TF-1001", "FT-TF-1004", "FT-LU-2001", "FT-LU-2005")
DEMO_USERS = [
    ("admin@demo.qrshop.test", "admin", {}),
    ("merchandiser@demo.qrshop.test", "merchandiser", {"retailer_slug": "fashiontown"}),
    ("associate.atl01@demo.qrshop.test", "associate",
     {"retailer_slug": "fashiontown", "store_code": "ATL01"}),
    ("vendor@trailforge.demo.qrshop.test", "vendor", {"vendor_slug": "trailforge"}),
    ("vendor@luma.demo.qrshop.test", "vendor", {"vendor_slug": "luma-accessories"}),
]


def _logo_png(name: str, colour: str) -> tuple[bytes, int, int]:
    """A simple wordmark logo, drawn at 4x its 32 px display height for sharp phone screens."""
    width, height = 1280, 256
    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=176)
    draw.text((4, height // 2), name, fill=colour, font=font, anchor="lm")
    image = image.crop(image.getbbox() or (0, 0, width, height))
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue(), image.width, image.height


def _get_or_create(model, lookup: dict, **values):
    instance = db.session.scalar(select(model).filter_by(**lookup))
    if instance is None:
        instance = model(**lookup, **values)
        db.session.add(instance)
        db.session.flush()
    return instance


def _demo_passwords(instance_path: str) -> dict[str, str]:
    """Random demo passwords, made on first run and kept in the instance folder (mode 600)."""
    path = Path(instance_path) / "demo-logins.json"
    if path.exists():
        return json.loads(path.read_text())
    passwords = {email: secrets.token_urlsafe(12) for email, _, _ in DEMO_USERS}
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(passwords, handle, indent=2)
    return passwords


DEMO_OFFER_TITLE = "15% off your visit"


def _seed_demo_offer(retailer: Retailer) -> None:
    """A retailer-wide offer claimable from every demo tag, running a year from first seeding."""
    exists = db.session.scalar(
        select(Offer.id).where(Offer.retailer_id == retailer.id, Offer.title == DEMO_OFFER_TITLE)
    )
    if exists is None:
        now = utcnow()
        create_offer(retailer, title=DEMO_OFFER_TITLE, kind="percent", percent_off=15,
                     starts_at=now - timedelta(minutes=5), ends_at=now + timedelta(days=365),
                     per_shopper_limit=1, coupon_valid_days=7,
                     terms="One coupon per shopper. Not valid on gift cards.")


# Each demo listing shows one of the four templates, so the demo walks through all of them.
DEMO_TEMPLATES = ("spotlight", "story", "specs", "look")
DEMO_VIDEO = "https://www.youtube.com/watch?v=aqz-KE-bpKQ"  # Big Buck Bunny (CC BY 3.0)
DEMO_HEADLINES = {"trailforge": "Ready for any weather",
                  "luma-accessories": "Small details, big finish"}
PALETTE = ["#7a1f3d", "#1f4e79", "#2e6b3f", "#8a4b0f", "#4b2e83", "#0f5e66", "#6b2d2d",
           "#3d4a5c"]


def _product_photo(name: str, index: int, variant: int) -> bytes:
    """A generated 'product photo': a coloured backdrop, a shape and the product's name."""
    width, height = 1200, 900
    colour = PALETTE[(index + variant) % len(PALETTE)]
    image = Image.new("RGB", (width, height), "#f4f1ec" if variant == 0 else "#e9eef2")
    draw = ImageDraw.Draw(image)
    box = (300, 150, 900, 690) if variant == 0 else (380, 220, 820, 660)
    if (index + variant) % 2:
        draw.ellipse(box, fill=colour)
    else:
        draw.rounded_rectangle(box, radius=60, fill=colour)
    font = ImageFont.load_default(size=56)
    draw.text((width // 2, 800), name, fill="#222222", font=font, anchor="mm")
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=85)
    return out.getvalue()


def _seed_demo_content(retailer: Retailer, vendors: dict, merchandiser: User) -> None:
    """Approved content for every demo product, across the four templates. Idempotent."""
    from qrshop.content.media import ingest
    from qrshop.content.models import ContentRevision
    from qrshop.content.services import create_draft, decide_review, submit_revision

    for index, (vendor_slug, _, name, sku, _, _) in enumerate(PRODUCTS):
        listing = db.session.scalar(
            select(Listing).where(Listing.retailer_id == retailer.id, Listing.sku == sku))
        product = listing.product
        if db.session.scalar(select(ContentRevision.id)
                             .where(ContentRevision.product_id == product.id)) is not None:
            continue
        vendor = vendors[vendor_slug]
        author = db.session.scalar(select(User).where(User.vendor_id == vendor.id))
        template = DEMO_TEMPLATES[index % len(DEMO_TEMPLATES)]
        listing.template = None if template == retailer.default_template else template
        hero = ingest(_product_photo(name, index, 0), f"{name} (front).jpg", vendor.id)
        detail = ingest(_product_photo(name, index, 1), f"{name} (detail).jpg", vendor.id)
        hero.alt_text, detail.alt_text = f"{name}, front view", f"{name}, close-up of the detail"
        pairings = [other for slug, _, other, *_ in PRODUCTS if slug == vendor_slug
                    and other != name][index % 3:index % 3 + 3]
        slots = {
            "title": DEMO_HEADLINES[vendor_slug],
            "tagline": f"{vendor.name}: made for every day, built to last.",
            "hero_image": str(hero.id), "gallery": [str(hero.id), str(detail.id)],
            "description": f"<p>The <strong>{name}</strong> is part of {vendor.name}'s core "
                           "range.</p><ul><li>Designed for comfort</li><li>Easy care</li></ul>",
            "highlights": ("\n".join(f"Pair it with the {other}" for other in pairings)
                           if template == "look" else
                           "Free in-store alterations\n30-day returns\nMember price available"),
            "spec_table": f"Brand: {vendor.name}\nSKU: {sku}\nCare: See label",
        }
        if template == "story":
            slots["video_url"] = DEMO_VIDEO
        revision = create_draft(product, author, slots)
        for review in submit_revision(revision, author):
            if review.retailer_id == retailer.id:
                decide_review(review, merchandiser, approve=True, comment="Looks great.")


def seed_demo() -> dict:
    """Create the demo retailer, stores, vendors, products, listings, tags and users.

    Idempotent: anything that already exists is left as it is. Returns the logins.
    """
    retailer = db.session.scalar(select(Retailer).where(Retailer.slug == RETAILER["slug"]))
    if retailer is None:
        logo_bytes, width, height = _logo_png(RETAILER["name"], RETAILER["accent_colour"])
        sha256, _ = store_bytes(logo_bytes, "png")
        logo = _get_or_create(
            Media, {"sha256": sha256}, extension="png", content_type="image/png",
            size_bytes=len(logo_bytes), width=width, height=height,
        )
        retailer = Retailer(**RETAILER, logo=logo)
        db.session.add(retailer)
        db.session.flush()

    stores = {}
    for code, name, address, timezone in STORES:
        stores[code] = _get_or_create(
            Store, {"retailer_id": retailer.id, "code": code}, name=name, address=address,
            timezone=timezone,
        )
    vendors = {}
    for slug, name in VENDORS:
        vendors[slug] = _get_or_create(Vendor, {"slug": slug}, name=name)
        _get_or_create(RetailerVendor, {"retailer_id": retailer.id, "vendor_id": vendors[slug].id})

    for vendor_slug, gtin_stem, name, sku, price_cents, placement in PRODUCTS:
        gtin = gtin_stem + ean.calc_check_digit(gtin_stem)
        product = db.session.scalar(select(Product).where(Product.gtin == gtin.zfill(14)))
        if product is None:
            vendor = vendors[vendor_slug]
            product = create_product(vendor, gtin=gtin, name=name, brand=vendor.name)
        listing = db.session.scalar(
            select(Listing).where(Listing.retailer_id == retailer.id, Listing.sku == sku)
        )
        if listing is None:
            listing = create_listing(retailer, product, sku=sku, price_cents=price_cents)
        wanted = [(stores["ATL01"], placement)]
        if sku in CLT01_SKUS:
            wanted.append((stores["CLT01"], "Front of store"))
        for store, store_placement in wanted:
            exists = db.session.scalar(
                select(Tag.id).where(Tag.listing_id == listing.id, Tag.store_id == store.id)
            )
            if exists is None:
                create_tag(listing, store, store_placement)

    _seed_demo_offer(retailer)
    seed_demo_shelf(retailer, stores)  # stock per store and the stores' locations
    passwords = _demo_passwords(current_app.instance_path)
    for email, role, links in DEMO_USERS:
        if db.session.scalar(select(User.id).where(User.email == email)) is None:
            create_user(email, role=role, password=passwords[email], **links)
    db.session.flush()
    merchandiser = db.session.scalar(select(User).where(User.email == DEMO_USERS[1][0]))
    _seed_demo_content(retailer, vendors, merchandiser)
    db.session.flush()
    _seed_demo_history(retailer, list(stores.values()))
    return {email: (role, passwords[email]) for email, role, _ in DEMO_USERS}


def _seed_demo_history(retailer: Retailer, stores: list[Store]) -> None:
    """90 days of scans, saves, claims and redemptions, the first time only (demo_history)."""
    from qrshop.demo_history import seed_history

    offer = db.session.scalar(select(Offer).where(Offer.retailer_id == retailer.id,
                                                  Offer.title == DEMO_OFFER_TITLE))
    associate = db.session.scalar(select(User.id).where(User.email == DEMO_USERS[2][0]))
    seed_history(retailer, stores, offer, associate)
    db.session.flush()
    # One finished experiment, on the history just seeded (idempotent on its own).
    from qrshop.demo_history import seed_finished_experiment

    seed_finished_experiment(retailer)
    db.session.flush()


WORKER_STOP_SECONDS = 30  # a worker finishing its message (an SMTP timeout is 20 s)


@contextmanager
def _environment(name: str, value: str) -> Iterator[None]:
    """os.environ[name] = value for the block (the server's workers read it), then as before."""
    before = os.environ.get(name)
    os.environ[name] = value
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = before


def _stop(process: subprocess.Popen) -> None:
    """SIGTERM a worker process (it finishes the message in hand) and wait; kill if stuck."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)  # harmless if Ctrl-C already reached it
    try:
        process.wait(WORKER_STOP_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


class DemoHelpers(NamedTuple):
    """What runs beside the demo server."""

    mail_catcher: Optional[MailCatcher]  # None when QRSHOP_SMTP_URL names a real server
    worker: subprocess.Popen


@contextmanager
def demo_helpers(app: Flask, echo: Callable[[str], None]) -> Iterator[DemoHelpers]:
    """For the block: a mail catcher keeping mail in instance/mail/ (unless QRSHOP_SMTP_URL
    is set) and a `qrshop worker` process delivering the outbox to it. Both stop when the
    block ends, however it ends."""
    with ExitStack() as stack:
        catcher = None
        if os.environ.get("QRSHOP_SMTP_URL"):
            echo("Mail sent by the demo goes to the server QRSHOP_SMTP_URL names.")
        else:
            folder = Path(app.instance_path) / "mail"
            catcher = stack.enter_context(MailCatcher(folder, announce=echo))
            stack.enter_context(_environment("QRSHOP_SMTP_URL", catcher.url))
            echo(f"Mail sent by the demo lands in {folder}{os.sep}")
        # The worker builds its app from the environment: same database and folder as ours.
        environment = {**os.environ, "QRSHOP_INSTANCE_PATH": app.instance_path,
                       "QRSHOP_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
                       "QRSHOP_BASE_URL": app.config["BASE_URL"]}
        worker = subprocess.Popen([sys.executable, "-m", "qrshop", "worker"],  # noqa: S603
                                  env=environment)
        stack.callback(_stop, worker)
        yield DemoHelpers(catcher, worker)
