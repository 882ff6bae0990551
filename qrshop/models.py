"""Import every model so the metadata (and Alembic autogenerate) sees all tables."""

from qrshop.accounts.models import Retailer, RetailerVendor, Store, User, Vendor
from qrshop.catalog.models import Listing, Product
from qrshop.content.models import Media
from qrshop.engagement.models import (
    CouponClaim,
    Feedback,
    Offer,
    OutboxMessage,
    Subscription,
    WishlistItem,
)
from qrshop.recommend.models import CuratedRecommendation
from qrshop.shopper.models import Scan, Shopper
from qrshop.tags.models import Tag

__all__ = [
    "CouponClaim", "CuratedRecommendation", "Feedback", "Listing", "Media", "Offer",
    "OutboxMessage", "Product", "Retailer", "RetailerVendor", "Scan", "Shopper", "Store",
    "Subscription", "Tag", "User", "Vendor", "WishlistItem",
]
