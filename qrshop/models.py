"""Import every model so the metadata (and Alembic autogenerate) sees all tables."""

from qrshop.accounts.models import Retailer, RetailerVendor, Store, User, Vendor
from qrshop.catalog.models import Listing, Product
from qrshop.content.models import Media
from qrshop.engagement.models import CouponClaim, Feedback, Offer, WishlistItem
from qrshop.shopper.models import Scan, Shopper
from qrshop.tags.models import Tag

__all__ = [
    "CouponClaim", "Feedback", "Listing", "Media", "Offer", "Product", "Retailer",
    "RetailerVendor", "Scan", "Shopper", "Store", "Tag", "User", "Vendor", "WishlistItem",
]
