"""The scan: GET /t/<code>, from the tag to the stored row and the page, in one place.

Scanner.answer() is the whole sequence: resolve the tag (from this process's memory of it,
at most a second or two old), tell a person from a bot, choose the engagement block, find
or render the page, record the scan and commit it under the write lock, then fill in the
forms' token and the headers and cookie. It knows nothing of Flask or WSGI: it takes a
ScanRequest and returns a ScanAnswer. Two thin adapters call it:

- the WSGI fast path (fastpath.py), in front of Flask, for a person's plain GET; it has no
  PageRenderer, so answer() returns None (having written nothing) for anything that needs
  one: an unknown or retired code, a page this process has not rendered yet;
- the Flask view (views.py), for everything else, with a PageRenderer.

Freshness: a tag's page data and the engagement block of a shopper without a cookie are
kept for LANDING_DATA_MAX_AGE_SECONDS (1 s by default), then read again. So a changed page,
a new or ended offer, or a retired tag shows (and is counted as such) at most that long
after the change commits, whoever made it (the app, the CLI, psql, another node).
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Optional

from cachetools import LRUCache

from qrshop import storage
from qrshop.content.templates import template_file
from qrshop.db import DriverConnection, WriteLock
from qrshop.i18n import DEFAULT_LOCALE, VARY
from qrshop.security import security_headers
from qrshop.shopper import landing_parts
from qrshop.shopper.experiment_path import ScanExperiments
from qrshop.shopper.recording import record_orphan_scan, record_scan
from qrshop.shopper.services import (
    LandingPage,
    ShopperCookie,
    bot_reason,
    device_class,
    find_landing_page,
    other_items_in_store,
)
from qrshop.shopper.services import new_shopper_id as mint_shopper_id
from qrshop.tags.codes import normalise_code
from qrshop.webhooks.scans import ScanWebhooks

if TYPE_CHECKING:  # type hints only
    from qrshop.offers.landing import LandingEngagement

# Rendered pages are cached with this in place of the forms' CSRF token, which each scan
# puts back with one str.replace. It is a secret of this process (never sent: a page holds it
# only where a form is, and those pages always get the token), so vendor text, a product
# name or any other stored text cannot spell it and receive a shopper's token. And only the
# form fields' value="..." is replaced: escaped text can never hold that double quote.
CSRF_PLACEHOLDER = f"csrf-{secrets.token_hex(16)}"
_CSRF_FIELD_VALUE = f'value="{CSRF_PLACEHOLDER}"'.encode()


@dataclass(frozen=True)
class ScanRequest:
    """What a scan needs of the HTTP request."""

    code: str  # as it appears in the path
    method: str
    user_agent: str
    environ: Mapping  # the WSGI environ (its prefetch headers)
    cookies: Mapping[str, str]
    secure: bool
    # False for a tap on a link inside qrshop's own pages (?via=): a visit, not a scan.
    counted: bool = True
    # The shopper's language, one of qrshop.i18n.LOCALES (i18n.shopper_locale).
    locale: str = DEFAULT_LOCALE


@dataclass(frozen=True)
class ScanAnswer:
    """The response: status, HTML, and every header but Content-Type and Content-Length."""

    status: int
    body: bytes  # UTF-8
    headers: list[tuple[str, str]]


@dataclass(frozen=True)
class PageRenderer:
    """What only a Flask request can do. The fast path has none."""

    template: Callable[..., str]  # render a Jinja template with a context
    recommendations: Callable[[int, int], list]  # (listing_id, store_id), computed if need be
    session_csrf_token: Callable[[], str]  # for a visitor without a shopper id


def landing_html(template: Callable[..., str], page: LandingPage, engage,
                 locale: str = DEFAULT_LOCALE, **context) -> str:
    """A landing page in its listing's template, showing the live (approved) content in the
    shopper's language, else in the retailer's default language."""
    content_json = page.content_for(locale)
    content = json.loads(content_json) if content_json else {}
    return template(template_file(page.template_name), page=page, engage=engage,
                    content=content, **context)


@dataclass(frozen=True)
class LiveTag:
    """What a tag shows, as read at one time."""

    page: LandingPage
    anonymous: Optional[LandingEngagement]  # a shopper without a cookie's; None if retired
    read_at: float


class LiveTags:
    """A per-process LRU of LiveTag by canonical code, each kept for max_age seconds."""

    def __init__(self, max_age: float, engagement: Callable,
                 clock: Callable[[], float] = time.monotonic, maxsize: int = 4096,
                 is_stored: Callable[[str], bool] = lambda name: True):
        self.max_age, self.clock, self.engagement = max_age, clock, engagement
        self.is_stored = is_stored
        self._tags: LRUCache = LRUCache(maxsize)
        self._lock = threading.Lock()

    def get(self, code: str, driver: DriverConnection) -> Optional[LiveTag]:
        """The tag as kept, or as read now if it is older than max_age; None if unknown."""
        now = self.clock()
        with self._lock:
            tag = self._tags.get(code)
        if tag is not None and now - tag.read_at < self.max_age:
            return tag
        page = find_landing_page(code, driver)
        if page is None:
            with self._lock:
                self._tags.pop(code, None)
            return None
        if page.logo_filename is not None and not self.is_stored(page.logo_filename):
            page = page.without_logo()  # its file is gone: the wordmark, not a broken image
        anonymous = None if page.is_retired else self.engagement(page, None, driver)
        if tag is not None:
            # Unchanged data keeps its objects: a rendered page's cache key (LandingPages)
            # then compares them by identity, not field by field on every scan.
            page = tag.page if tag.page == page else page
            anonymous = tag.anonymous if tag.anonymous == anonymous else anonymous
        tag = LiveTag(page, anonymous, now)
        with self._lock:
            self._tags[code] = tag
        return tag


class _PageKey(tuple):
    """A cache key whose hash is computed once (a page's key hashes some 40 fields)."""

    __slots__ = ()

    def __hash__(self) -> int:
        return self[0]


class LandingPages:
    """A per-process LRU of rendered landing pages, keyed by everything the page shows.

    The key is the page's data, the engagement block (both frozen dataclasses) and the
    recommendations, so a cached page always matches its data. Rendering is most of a
    scan's CPU time. A page is kept encoded (UTF-8) and split where its forms' token goes
    (the forms' value="CSRF_PLACEHOLDER"), so a scan only joins the pieces around the token:
    encoding 10-30 KB of text and searching it on every scan cost more than the join.
    """

    def __init__(self, maxsize: int = 2048):
        self.maxsize = maxsize
        self._pages: OrderedDict[_PageKey, str] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0

    def get(self, page: LandingPage, engage, recommendations: tuple,
            template: Optional[Callable[..., str]] = None,
            locale: str = DEFAULT_LOCALE) -> Optional[tuple[bytes, ...]]:
        """The cached page's pieces around the forms' token in a language; else rendered
        with template (in the request's language, which is `locale`) and kept, or None."""
        key = _PageKey((hash((page, engage, recommendations, locale)), page, engage,
                        recommendations, locale))
        with self._lock:
            html = self._pages.get(key)
            if html is not None:
                self.hits += 1
                self._pages.move_to_end(key)
        if html is None and template is not None:
            html = tuple(landing_html(template, page, engage, recommendations=recommendations,
                                      csrf_token=lambda: CSRF_PLACEHOLDER, locale=locale,
                                      language_back=f"/t/{page.code}?via=lang")
                         .encode().split(_CSRF_FIELD_VALUE))
            with self._lock:
                self._pages[key] = html
                while len(self._pages) > self.maxsize:
                    self._pages.popitem(last=False)
        return html


class Scanner:
    """One app's scan handler; see the module docstring."""

    def __init__(self, *, cookie: ShopperCookie, write_lock: WriteLock, extensions: dict,
                 repeat_window: timedelta, cookie_max_age: int, max_age: float,
                 engagement: Callable, cached_recommendations: Callable,
                 clock: Callable[[], float] = time.monotonic,
                 is_stored: Callable[[str], bool] = lambda name: True,
                 webhooks: Optional[ScanWebhooks] = None,
                 experiments: Optional[ScanExperiments] = None):
        self.cookie, self.write_lock, self.extensions = cookie, write_lock, extensions
        self.webhooks = webhooks  # scan.created: who wants it, and queueing it
        self.repeat_window, self.cookie_max_age = repeat_window, cookie_max_age
        # From the features above shopper (shopper.landing_parts): offers' landing_engagement,
        # recommend's cached_complete_the_look.
        self.engagement, self.cached_recommendations = engagement, cached_recommendations
        self.tags = LiveTags(max_age, engagement, clock, is_stored=is_stored)
        self.pages = LandingPages()
        # The running experiments by listing (shopper.experiment_path), kept like tags.
        self.experiments = experiments
        # Counts each committed scan (bot: its reason or None) when /metrics is on.
        self.count_scan: Optional[Callable[[Optional[str]], None]] = None

    @classmethod
    def for_app(cls, app) -> Scanner:
        """The scanner of a Flask app, from its config and extensions."""
        config = app.config
        webhooks = app.extensions["qrshop.scan_webhooks"] = ScanWebhooks(
            config["LANDING_DATA_MAX_AGE_SECONDS"], config["SECRET_KEY"])
        return cls(cookie=app.extensions["qrshop.shopper_cookie"],
                   write_lock=app.extensions["qrshop.write_lock"], extensions=app.extensions,
                   repeat_window=timedelta(seconds=config["REPEAT_SCAN_WINDOW_SECONDS"]),
                   cookie_max_age=config["SHOPPER_COOKIE_MAX_AGE"],
                   max_age=config["LANDING_DATA_MAX_AGE_SECONDS"],
                   engagement=landing_parts.part("engagement"),
                   cached_recommendations=landing_parts.part("cached_recommendations"),
                   is_stored=storage.stored_file_check(app), webhooks=webhooks,
                   experiments=ScanExperiments(landing_parts.part("experiments"),
                                               config["LANDING_DATA_MAX_AGE_SECONDS"]))

    def answer(self, request: ScanRequest, driver: DriverConnection, *,
               commit: Callable[[], None],
               renderer: Optional[PageRenderer] = None) -> Optional[ScanAnswer]:
        """Record the scan (committing it with `commit`) and return the page to send.

        Without a renderer, return None, having written nothing, if the answer needs one.
        Reads come first and the write last, so the write lock is held for the INSERT and
        the COMMIT only (SQLite has one writer for the whole file).
        """
        canonical = normalise_code(request.code)
        tag = self.tags.get(canonical, driver) if canonical else None
        if renderer is None and (tag is None or tag.page.is_retired or not request.counted):
            return None
        bot = bot_reason(request.method, request.user_agent, request.environ)
        if tag is None:
            if canonical and request.counted:
                with self.write_lock():
                    record_orphan_scan(canonical, bot=bot, driver=driver)
                    commit()
                self._counted(bot)
            body = renderer.template("shopper/unknown_tag.html", code=request.code).encode()
            return ScanAnswer(404, body, [("Cache-Control", "no-store"),
                                          *security_headers(request.secure)])

        page = tag.page
        cookie_shopper_id = self.cookie.loads(request.cookies.get(
            self.cookie.name(page.retailer_id)))
        engage = None  # the shopper's forms and offer; none on a retired tag or for a bot
        minted = variant = None  # an experiment's variant, and the new shopper it went to
        if page.is_retired:
            others = other_items_in_store(page.store_id, page.tag_id, driver)
            pieces = (renderer.template("shopper/retired_tag.html", page=page,
                                        others=others).encode(),)
            status = 410
        else:
            plan = (self.experiments.plan(page.listing_id, driver)
                    if self.experiments is not None and bot is None else None)
            if plan is None:
                if bot is None:
                    engage = tag.anonymous if cookie_shopper_id is None else self.engagement(
                        page, cookie_shopper_id, driver)
            else:
                if cookie_shopper_id is None and request.counted:
                    minted = mint_shopper_id()
                shopper_id = cookie_shopper_id or minted
                variant = plan.variant_for(shopper_id) if shopper_id else plan.variants[0]
                page = self.experiments.page(variant, page)
                engage = (variant.anonymous_engagement(tag.anonymous, page.store_id)
                          if cookie_shopper_id is None else self.engagement(
                              page, cookie_shopper_id, driver, offer_id=variant.offer_id))
            pieces = self._landing_body(page, engage, renderer, request.locale)
            if pieces is None:
                return None
            status = 200

        new_shopper_id = None
        if request.counted:
            device = device_class(request.user_agent)
            on_recorded = self._scan_event(page, device, driver) if bot is None else None
            # The write lock is held for the INSERT(s) and the COMMIT only. On PostgreSQL's
            # autocommit connection the INSERT is only sent (driver.in_flight): the server
            # runs it while the response is built, and commit() below waits for it.
            with self.write_lock():
                new_shopper_id = record_scan(page, cookie_shopper_id=cookie_shopper_id,
                                             bot=bot, repeat_window=self.repeat_window,
                                             driver=driver, device=device,
                                             on_recorded=on_recorded, minted=minted,
                                             variant_id=variant.id if variant else None)
                sent = driver.in_flight  # awaited below, once the answer is built
                if not sent:
                    commit()
            if not sent:
                self._counted(bot)
        try:
            return self._answer(request, page, status, pieces, engage, renderer,
                                new_shopper_id or cookie_shopper_id, new_shopper_id)
        finally:
            if driver.in_flight:
                commit()  # nothing is answered before the scan is stored
                self._counted(bot)

    def _counted(self, bot: Optional[str]) -> None:
        """Count a committed scan in /metrics, if it is on."""
        if self.count_scan is not None:
            self.count_scan(bot)

    def _answer(self, request: ScanRequest, page: LandingPage, status: int,
                pieces: tuple[bytes, ...], engage, renderer: Optional[PageRenderer],
                shopper_id: Optional[str], new_shopper_id: Optional[str]) -> ScanAnswer:
        """The response: the page with its forms' token, and the headers and cookie."""
        if engage is not None:
            # The forms' token is bound to the shopper (no session needed); a visitor without
            # a shopper id (an uncounted visit without the cookie) gets a session's token.
            token = (self.cookie.form_token(shopper_id) if shopper_id
                     else renderer.session_csrf_token())
            body = f'value="{token}"'.encode().join(pieces)
        else:
            body = b'value=""'.join(pieces)  # no forms: one piece, nothing to join
        # Every scan must reach the server to be counted; the page depends on the cookies
        # (the shopper's, the language's) and on Accept-Language.
        headers = [("Cache-Control", "no-store"), ("Vary", VARY),
                   ("Content-Language", request.locale)]
        if new_shopper_id is not None:
            headers.append(("Set-Cookie", self.cookie.set_cookie_header(
                page.retailer_id, new_shopper_id, max_age=self.cookie_max_age,
                secure=request.secure)))
        headers.extend(security_headers(request.secure))
        return ScanAnswer(status, body, headers)

    def _scan_event(self, page: LandingPage, device: str, driver: DriverConnection
                    ) -> Optional[Callable]:
        """What queues scan.created for this scan if a webhook wants it (else None): read
        before the write lock, run inside it (qrshop.webhooks.scans)."""
        if self.webhooks is None:
            return None
        audience = self.webhooks.audience(page.retailer_id, page.vendor_id, driver)
        if not any(audience):
            return None

        def queue(shopper_id: Optional[str], is_repeat: bool, at) -> None:
            self.webhooks.queue(driver, page, audience, shopper_id=shopper_id,
                                is_repeat=is_repeat, device=device, at=at)
        return queue

    def _landing_body(self, page: LandingPage, engage, renderer: Optional[PageRenderer],
                      locale: str) -> Optional[tuple[bytes, ...]]:
        """The live page from the cache (LandingPages), else rendered; None if that needs a
        renderer."""
        recommendations = self.cached_recommendations(self.extensions, page.listing_id,
                                                      page.store_id)
        if recommendations is None:
            if renderer is None:
                return None
            recommendations = renderer.recommendations(page.listing_id, page.store_id)
        return self.pages.get(page, engage, tuple(recommendations),
                              renderer.template if renderer else None, locale)
