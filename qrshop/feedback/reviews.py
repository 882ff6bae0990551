"""Ratings and reviews on the landing page, and the merchandiser's moderation of comments.

The landing page shows a listing's average stars and their count once it has at least
MIN_RATINGS_SHOWN ratings, and the newest SHOWN_COMMENTS comments a merchandiser of the
retailer approved: nothing a shopper writes is shown before that (a changed comment waits
again). The summary is read with the landing page's data (shopper.services, through
shopper.landing_parts), one indexed statement each time a process re-reads a tag (at most
once every LANDING_DATA_MAX_AGE_SECONDS): never on every scan, and an approval shows on every
node within that time, since the rendered page is cached by the data it shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from sqlalchemy import BigInteger, Text, bindparam, cast, func, null, select, union_all, update
from sqlalchemy.orm import aliased

from qrshop.catalog import queries as catalog
from qrshop.content import services as content
from qrshop.db import DriverConnection, DriverStatement, utcnow
from qrshop.errors import InvalidInput
from qrshop.extensions import db, session_driver
from qrshop.feedback.models import CommentStatus, Feedback
from qrshop.pagination import Page, paginate

# The fewest ratings that show an average: fewer say more about one shopper than the item.
MIN_RATINGS_SHOWN = 3
SHOWN_COMMENTS = 3
DECISIONS = {"approve": CommentStatus.APPROVED.value, "reject": CommentStatus.REJECTED.value}


@dataclass(frozen=True)
class ReviewSummary:
    """What a landing page shows of its listing's ratings and approved comments (frozen and
    hashable: it is part of the rendered page cache's key)."""

    rating_count: int = 0
    rating_total: int = 0
    comments: tuple[tuple[str, Optional[int]], ...] = ()  # (text, stars), newest first

    @property
    def shows_rating(self) -> bool:
        """Whether there are enough ratings to show their average."""
        return self.rating_count >= MIN_RATINGS_SHOWN

    @property
    def average(self) -> float:
        """The average stars, to one decimal."""
        return round(self.rating_total / self.rating_count, 1) if self.rating_count else 0.0

    def __bool__(self) -> bool:
        return self.shows_rating or bool(self.comments)


NO_REVIEWS = ReviewSummary()


def _summary_statement() -> DriverStatement:
    """Built once: one row (NULL, count, sum of stars, NULL), then up to SHOWN_COMMENTS
    approved comments (text, stars, NULL, written at)."""
    shown = aliased(Feedback)
    listing_id = bindparam("listing_id")
    # Typed NULLs: PostgreSQL types a bare NULL in a subquery as text.
    totals = select(cast(null(), Text), func.count(Feedback.rating),
                    func.coalesce(func.sum(Feedback.rating), 0),
                    cast(null(), Feedback.updated_at.type)
                    ).where(Feedback.listing_id == listing_id)
    comments = (
        select(shown.comment, shown.rating, cast(null(), BigInteger), shown.updated_at)
        .where(shown.listing_id == listing_id,
               shown.comment_status == CommentStatus.APPROVED.value, shown.comment != "")
        .order_by(shown.updated_at.desc(), shown.id.desc())
        .limit(SHOWN_COMMENTS)
        .subquery()
    )
    return DriverStatement(union_all(totals, select(comments)))


_SUMMARY: list[DriverStatement] = []  # built at the first read (mappers configured by then)


def landing_reviews(listing_id: int, driver: Optional[DriverConnection] = None
                    ) -> ReviewSummary:
    """A listing's rating summary and approved comments, in one statement."""
    if not _SUMMARY:
        _SUMMARY.append(_summary_statement())
    rows = _SUMMARY[0].execute(driver or session_driver(),
                               {"listing_id": listing_id}).fetchall()
    count = total = 0
    comments = []
    for text, stars, stars_total, written_at in rows:
        if text is None:
            count, total = int(stars or 0), int(stars_total or 0)
        else:
            comments.append((written_at, text, stars))
    if not count and not comments:
        return NO_REVIEWS
    # A UNION keeps no order: newest first again (the driver's raw values compare as their
    # dialect stores them, ISO text or timestamps).
    comments.sort(key=lambda item: item[0], reverse=True)
    return ReviewSummary(count, total, tuple((text, stars) for _, text, stars in comments))


@dataclass(frozen=True)
class PendingComment:
    """A shopper's comment waiting in the moderation queue."""

    id: int
    product: str
    sku: str
    rating: Optional[int]
    comment: str
    updated_at: object


def _of_retailer(retailer_id: int):
    """(listing facts, the condition: feedback on this retailer's listings)."""
    facts = catalog.listing_facts()
    return facts, facts.c.retailer_id == retailer_id


def pending_comments(retailer_id: int, *, page: int = 1) -> Page:
    """The retailer's comments waiting for a decision, oldest first (PendingComment rows)."""
    facts, of_retailer = _of_retailer(retailer_id)
    statement = (
        select(Feedback.id, facts.c.product_name, facts.c.sku, Feedback.rating,
               Feedback.comment, Feedback.updated_at)
        .join(facts, facts.c.listing_id == Feedback.listing_id)
        .where(of_retailer, Feedback.comment != "",
               Feedback.comment_status == CommentStatus.PENDING.value)
        .order_by(Feedback.updated_at, Feedback.id)
    )
    found = paginate(statement, page, scalars=False)
    return Page([PendingComment(*row) for row in found.rows], found.number, found.per_page,
                found.total)


@dataclass(frozen=True)
class DecidedComment:
    """A comment a merchandiser approved or rejected."""

    id: int
    product: str
    sku: str
    rating: Optional[int]
    comment: str
    status: str
    moderated_at: object


def decided_comments(retailer_id: int, *, limit: int = 20) -> list[DecidedComment]:
    """The retailer's latest moderation decisions, newest first."""
    facts, of_retailer = _of_retailer(retailer_id)
    return [DecidedComment(*row) for row in db.session.execute(
        select(Feedback.id, facts.c.product_name, facts.c.sku, Feedback.rating,
               Feedback.comment, Feedback.comment_status, Feedback.moderated_at)
        .join(facts, facts.c.listing_id == Feedback.listing_id)
        .where(of_retailer, Feedback.comment != "",
               Feedback.comment_status != CommentStatus.PENDING.value)
        .order_by(Feedback.moderated_at.desc(), Feedback.id.desc())
        .limit(limit))]


def pending_count(retailer_id: int) -> int:
    """How many of the retailer's comments wait for a decision (the console's alert)."""
    facts, of_retailer = _of_retailer(retailer_id)
    return db.session.scalar(
        select(func.count(Feedback.id))
        .join(facts, facts.c.listing_id == Feedback.listing_id)
        .where(of_retailer, Feedback.comment != "",
               Feedback.comment_status == CommentStatus.PENDING.value)) or 0


def moderate(retailer_id: int, feedback_id: int, decision: str, *, user) -> Feedback:
    """Approve or reject a comment on one of the retailer's listings ('approve'/'reject').

    Another retailer's feedback answers like a missing one (LookupError: a 404). Every
    decision is written to the audit log.
    """
    status = DECISIONS.get(decision)
    if status is None:
        raise InvalidInput("decision: choose approve or reject.", code="invalid_decision")
    facts, of_retailer = _of_retailer(retailer_id)
    feedback = db.session.scalar(
        select(Feedback).join(facts, facts.c.listing_id == Feedback.listing_id)
        .where(Feedback.id == feedback_id, of_retailer, Feedback.comment != ""))
    if feedback is None:
        raise LookupError(feedback_id)
    # Not an ORM attribute change: updated_at is when the shopper wrote, not when decided.
    db.session.execute(
        update(Feedback).where(Feedback.id == feedback.id)
        .values(comment_status=status, moderated_at=utcnow(), moderated_by_id=user.id,
                updated_at=Feedback.updated_at)
        .execution_options(synchronize_session=False))
    db.session.refresh(feedback)
    content.audit(user, f"comment.{status}", retailer_id=retailer_id,
                  detail=f"Feedback #{feedback.id} on listing #{feedback.listing_id}")
    return feedback
