"""Import every model so the metadata (and Alembic autogenerate) sees all tables."""

from qrshop.accounts.models import HouseVendor, Retailer, RetailerVendor, Store, User, Vendor
from qrshop.alerts.models import OutboxMessage, Subscription
from qrshop.analytics.experiment_models import Experiment, ExperimentVariant
from qrshop.analytics.models import (
    SalesChainRollup,
    ScanDayRollup,
    ScanHourRollup,
    ScanRollupProgress,
    ScanZoneRollup,
)
from qrshop.api.idempotency import IdempotencyKey
from qrshop.assist.clientbook_models import ClientBookConsent, ClientNote
from qrshop.assist.models import AssistRequest, Hold, StoreAssist
from qrshop.catalog.models import Listing, ListingStock, Product
from qrshop.content.models import (
    AuditEntry,
    ContentRevision,
    Media,
    MediaVariant,
    Review,
)
from qrshop.feedback.models import Feedback
from qrshop.offers.models import CouponClaim, Offer
from qrshop.ratelimit import RateLimitCounter
from qrshop.recommend.models import CoScan, CuratedRecommendation
from qrshop.shopper.models import Scan, Shopper
from qrshop.tags.models import Tag
from qrshop.webhooks.models import Webhook, WebhookDelivery
from qrshop.wishlist.models import WishlistItem, WishlistLinkRequest

__all__ = [
    "AssistRequest", "AuditEntry", "ClientBookConsent", "ClientNote", "CoScan",
    "ContentRevision", "CouponClaim",
    "CuratedRecommendation",
    "Hold",
    "Feedback", "HouseVendor", "IdempotencyKey", "Listing", "ListingStock", "Media",
    "MediaVariant", "Offer",
    "OutboxMessage", "Product", "RateLimitCounter",
    "Experiment", "ExperimentVariant",
    "Retailer", "RetailerVendor", "Review", "SalesChainRollup", "Scan", "ScanDayRollup",
    "ScanHourRollup", "ScanRollupProgress", "ScanZoneRollup", "Shopper", "Store", "StoreAssist",
    "Subscription", "Tag",
    "User", "Vendor", "Webhook", "WebhookDelivery", "WishlistItem", "WishlistLinkRequest",
]
