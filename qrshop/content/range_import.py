"""A whole range at once: products and their page content from one CSV and an images ZIP.

Columns: gtin, name (both required), and optional brand, title, tagline, description, highlights
(`|`-separated), specs (`Name: value|Name: value`), video_url, image_files (`;`-separated
names inside the ZIP; the first is the hero image, all of them the gallery) and image_alt
(`;`-separated alt texts, in the same order). Every row is checked first (nothing stored);
the import is all or nothing. Each product gets a draft revision (its newest draft is updated
instead, keeping what the CSV leaves blank); `submit_drafts` then sends them for review.

The ZIP is read defensively: at most MAX_ZIP_ENTRIES files, no entry above the image size
limit and at most MAX_ZIP_TOTAL bytes uncompressed in all (sizes are enforced while reading,
not taken from the ZIP's headers: zip bombs), only .jpg/.jpeg/.png/.webp files, and no name
that climbs out of the archive (`..`, absolute paths). Names are only used to match the CSV;
nothing is written under them (images are stored content-addressed, after the usual checks).
"""

from __future__ import annotations

import io
import posixpath
import zipfile
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Optional

from sqlalchemy import select

from qrshop.catalog import queries as catalog_queries
from qrshop.catalog.imports import RowErrors, csv_records, refuse_bad_rows
from qrshop.catalog.services import create_product, normalise_gtin
from qrshop.content import services
from qrshop.content.media import MAX_IMAGE_BYTES, MB, ingest
from qrshop.content.models import ContentRevision, Media
from qrshop.errors import InvalidInput
from qrshop.extensions import db

if TYPE_CHECKING:  # type hints only
    from qrshop.accounts.models import User, Vendor

MAX_ZIP_ENTRIES = 500
MAX_ZIP_TOTAL = 300 * MB
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp")
COLUMNS_HINT = ("gtin,name and optional brand,title,tagline,description,highlights,specs,"
                "video_url,image_files,image_alt")

__all__ = ["RowErrors", "check_range", "import_range", "read_zip", "submit_drafts"]


@dataclass
class RangeRow:
    """One CSV line as it would be imported, or why it cannot be."""

    line: int
    gtin: str
    name: str
    brand: str
    raw: dict[str, Any]
    images: list[str]
    alts: list[str]
    exists: bool = False
    error: Optional[str] = None


@dataclass
class ImagesZip:
    """The images of a checked ZIP, by name (and by bare file name when that is unique)."""

    archive: Optional[zipfile.ZipFile] = None
    entries: dict[str, zipfile.ZipInfo] = field(default_factory=dict)

    def find(self, name: str) -> Optional[zipfile.ZipInfo]:
        """The entry a CSV cell names."""
        name = name.strip().replace("\\", "/").lstrip("./")
        return self.entries.get(name) or self.entries.get(f"@{posixpath.basename(name)}")

    def read(self, info: zipfile.ZipInfo, budget: list[int]) -> bytes:
        """An entry's bytes, never more than the image limit or the remaining budget."""
        with self.archive.open(info) as handle:
            data = handle.read(MAX_IMAGE_BYTES + 1)
        if len(data) > MAX_IMAGE_BYTES:
            raise InvalidInput(f"{info.filename} in the ZIP is larger than "
                               f"{MAX_IMAGE_BYTES // MB} MB.", status_code=413)
        budget[0] -= len(data)
        if budget[0] < 0:
            raise InvalidInput(f"The ZIP holds more than {MAX_ZIP_TOTAL // MB} MB of images "
                               "once unpacked; split it.", status_code=413)
        return data


def read_zip(data: Optional[bytes]) -> ImagesZip:
    """Open and check an images ZIP (or none); InvalidInput names what is wrong."""
    if not data:
        return ImagesZip()
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError):
        raise InvalidInput("The images file is not a readable ZIP.", code="bad_zip") from None
    files = [i for i in infos if not i.is_dir()
             and not i.filename.startswith("__MACOSX/")
             and not posixpath.basename(i.filename).startswith(".")]
    if len(files) > MAX_ZIP_ENTRIES:
        raise InvalidInput(f"The ZIP holds {len(files)} files; at most {MAX_ZIP_ENTRIES}.",
                           code="bad_zip", status_code=413)
    images = ImagesZip(archive)
    declared = 0
    bare: dict[str, int] = {}
    for info in files:
        name = info.filename
        parts = name.replace("\\", "/").split("/")
        if name.startswith(("/", "\\")) or ".." in parts or ":" in parts[0] or "\\" in name:
            raise InvalidInput(f"The ZIP entry {name[:80]!r} points outside the archive; "
                               "nothing was imported.", code="bad_zip")
        if not name.lower().endswith(IMAGE_SUFFIXES):
            raise InvalidInput(f"{name[:80]} in the ZIP is not an image (.jpg, .jpeg, .png, "
                               ".webp); nothing was imported.", code="bad_zip",
                               status_code=415)
        if info.file_size > MAX_IMAGE_BYTES:
            raise InvalidInput(f"{name[:80]} in the ZIP is larger than "
                               f"{MAX_IMAGE_BYTES // MB} MB.", code="bad_zip", status_code=413)
        declared += info.file_size
        images.entries[name] = info
        base = posixpath.basename(name)
        bare[base] = bare.get(base, 0) + 1
        images.entries[f"@{base}"] = info
    if declared > MAX_ZIP_TOTAL:
        raise InvalidInput(f"The ZIP holds more than {MAX_ZIP_TOTAL // MB} MB of images once "
                           "unpacked; split it.", code="bad_zip", status_code=413)
    for base, count in bare.items():
        if count > 1:  # ambiguous: only the full path inside the ZIP names it
            del images.entries[f"@{base}"]
    return images


def _split(cell: str, sep: str) -> list[str]:
    return [part.strip() for part in (cell or "").split(sep) if part.strip()]


def check_range(vendor: Vendor, text: str, images: ImagesZip) -> list[RangeRow]:
    """Check every row (nothing is stored)."""
    rows: list[RangeRow] = []
    seen: dict[str, int] = {}
    for line, record in csv_records(text, required=("gtin", "name"), what="products",
                                    columns_hint=COLUMNS_HINT):
        row = RangeRow(line, record.get("gtin", ""), record.get("name", ""),
                       record.get("brand", "") or vendor.name, {}, [], [])
        rows.append(row)
        try:
            row.gtin = normalise_gtin(row.gtin)
            if row.gtin in seen:
                raise InvalidInput(f"GTIN {row.gtin} is also on line {seen[row.gtin]}.")
            seen[row.gtin] = line
            product = catalog_queries.product_by_gtin(row.gtin)
            if product is not None and product.vendor_id != vendor.id:
                raise InvalidInput(f"A product with GTIN {row.gtin} already exists.")
            row.exists = product is not None
            if not row.name or len(row.name) > 200 or len(row.brand) > 120:
                raise InvalidInput("Give a product name (up to 200 characters) and a brand "
                                   "up to 120.")
            specs = []
            for number, pair in enumerate(_split(record.get("specs", ""), "|"), start=1):
                name, _, value = pair.partition(":")
                if not name.strip() or not value.strip():
                    raise InvalidInput(f"Spec {number} needs a name and a value, written as "
                                       "'Name: value'.")
                specs.append([name.strip(), value.strip()])
            for key, value in (
                    ("title", record.get("title", "")), ("tagline", record.get("tagline", "")),
                    ("description", record.get("description", "")),
                    ("highlights", _split(record.get("highlights", ""), "|")),
                    ("spec_table", specs), ("video_url", record.get("video_url", ""))):
                if value:
                    row.raw[key] = value
            services.normalise_slots(vendor.id, row.raw)  # the same rules as the form
            row.images = _split(record.get("image_files", ""), ";")
            row.alts = _split(record.get("image_alt", ""), ";")
            if len(row.images) > services.MAX_GALLERY:
                raise InvalidInput(f"Name at most {services.MAX_GALLERY} images.")
            missing = [name for name in row.images if images.find(name) is None]
            if missing:
                raise InvalidInput(f"Not in the images ZIP: {', '.join(missing)}."
                                   if images.archive else "Add the images ZIP: this row "
                                   f"names {', '.join(missing)}.")
            if not any(row.raw.values()) and not row.images and row.exists:
                raise InvalidInput("This product is already in your catalog and the row "
                                   "gives no content for it.")
        except InvalidInput as problem:
            row.error = problem.message
    return rows


def import_range(vendor: Vendor, author: User, text: str, images: ImagesZip
                 ) -> list[ContentRevision]:
    """Create the products and their draft revisions; all or nothing."""
    rows = check_range(vendor, text, images)
    refuse_bad_rows(rows)
    stored: dict[str, Media] = {}
    budget = [MAX_ZIP_TOTAL]
    drafts = []
    for row in rows:
        product = catalog_queries.product_by_gtin(row.gtin) if row.exists else \
            create_product(vendor, gtin=row.gtin, name=row.name, brand=row.brand)
        ids = []
        for index, name in enumerate(row.images):
            info = images.find(name)
            if info.filename not in stored:
                try:
                    stored[info.filename] = ingest(images.read(info, budget),
                                                   posixpath.basename(info.filename), vendor.id)
                except InvalidInput as problem:
                    raise InvalidInput(f"line {row.line}: {info.filename}: {problem.message} "
                                       "Nothing was imported.", code=problem.code,
                                       status_code=problem.status_code) from None
            item = stored[info.filename]
            if index < len(row.alts) and not item.alt_text:
                item.alt_text = " ".join(row.alts[index].split())[:300]
            ids.append(str(item.id))
        raw = dict(row.raw)
        if ids:
            raw["hero_image"], raw["gallery"] = ids[0], ids
        if "highlights" in raw:
            raw["highlights"] = "\n".join(raw["highlights"])
        draft = db.session.scalar(
            select(ContentRevision).where(ContentRevision.product_id == product.id,
                                          ContentRevision.status == "draft")
            .order_by(ContentRevision.number.desc()).limit(1))
        if draft is None:
            draft = services.create_draft(product, author, raw)
        else:
            services.update_draft(draft, author,
                                  {**services.revision_form_values(draft), **raw})
        drafts.append(draft)
    db.session.flush()
    return drafts


def submit_drafts(vendor: Vendor, author: User) -> tuple[list[ContentRevision], list[str]]:
    """Submit the newest draft of each of the vendor's products to the retailers carrying it.

    Each is submitted on its own (a savepoint): one refused draft (no retailer yet, a
    required slot empty, an image without alt text) does not stop the others; its reason is
    returned."""
    submitted, refused = [], []
    for product in catalog_queries.vendor_products(vendor.id):
        draft = db.session.scalar(
            select(ContentRevision).where(ContentRevision.product_id == product.id,
                                          ContentRevision.status == "draft")
            .order_by(ContentRevision.number.desc()).limit(1))
        if draft is None:
            continue
        savepoint = db.session.begin_nested()
        try:
            services.submit_revision(draft, author)
            savepoint.commit()
            submitted.append(draft)
        except InvalidInput as problem:
            savepoint.rollback()
            refused.append(f"{product.name}: {problem.message}")
    return submitted, refused
