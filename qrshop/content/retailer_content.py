"""Content a retailer writes itself, for a product no vendor on qrshop supplies.

The same slots, sanitizer and media checks as a vendor's revision (services.normalise_slots),
with the retailer's house vendor as the media library. There is no one else to review it, so
it goes live at once; the merchandiser's own approval is a Review row and an audit entry.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

from sqlalchemy import func, select

from qrshop.accounts import queries as accounts
from qrshop.catalog import services as catalog
from qrshop.catalog.listings import house_owner, house_vendor
from qrshop.content.models import ContentRevision, Review, ReviewStatus, RevisionStatus
from qrshop.content.services import audit, normalise_slots, template_name_for
from qrshop.content.templates import SLOTS, TEMPLATES
from qrshop.db import utcnow
from qrshop.errors import InvalidInput
from qrshop.extensions import db

if TYPE_CHECKING:  # type hints only
    from qrshop.accounts.models import User
    from qrshop.catalog.models import Listing


def retailer_writes_content(listing: Listing) -> bool:
    """True when no vendor supplies the listing's product, so the retailer fills its page."""
    return house_owner(listing.product.vendor_id) is not None


def library_vendor_id(listing: Listing) -> int:
    """The vendor row whose media library the retailer's content uses (its house vendor)."""
    return house_vendor(listing.retailer).id


def retailer_revisions(listing: Listing) -> list[ContentRevision]:
    """The revisions this retailer's staff wrote for the listing's product, newest first."""
    staff = accounts.retailer_staff_ids(listing.retailer_id)
    return list(db.session.scalars(
        select(ContentRevision).where(ContentRevision.product_id == listing.product_id,
                                      ContentRevision.created_by_id.in_(staff))
        .order_by(ContentRevision.number.desc())))


def live_revision(listing: Listing) -> Optional[ContentRevision]:
    """The revision live on the listing's page, if any."""
    if listing.live_revision_id is None:
        return None
    return db.session.get(ContentRevision, listing.live_revision_id)


def publish_retailer_content(listing: Listing, author: User,
                             raw: dict[str, Any]) -> ContentRevision:
    """Store the slots as a new revision and make it live on this retailer's page at once."""
    if not retailer_writes_content(listing):
        raise InvalidInput(f"{listing.product.vendor.name} supplies this product's content; "
                           "review it in the reviews queue.", code="forbidden",
                           status_code=403)
    slots = normalise_slots(library_vendor_id(listing), raw)
    template = TEMPLATES.get(template_name_for(listing))
    missing = template.missing(slots) if template else []
    if missing:
        raise InvalidInput(f"Add the {', '.join(SLOTS[slot] for slot in missing)}: the "
                           f"{template.label} template of this listing requires it.",
                           code="missing_slot")
    number = (db.session.scalar(select(func.max(ContentRevision.number))
                                .where(ContentRevision.product_id == listing.product_id))
              or 0) + 1
    now = utcnow()
    revision = ContentRevision(product_id=listing.product_id, number=number,
                               created_by_id=author.id, status=RevisionStatus.SUBMITTED.value,
                               submitted_at=now, slots=slots)
    db.session.add(revision)
    db.session.flush()
    db.session.add(Review(revision=revision, retailer_id=listing.retailer_id,
                          status=ReviewStatus.APPROVED.value, decided_by_id=author.id,
                          decided_at=now, comment="Retailer-owned content, published by "
                          "its merchandiser."))
    catalog.set_live_revision(listing, revision.id)
    audit(author, "revision.created", revision=revision, retailer_id=listing.retailer_id)
    audit(author, "review.approved", revision=revision, retailer_id=listing.retailer_id,
          detail="retailer-owned content: approved by the retailer itself")
    db.session.flush()
    return revision
