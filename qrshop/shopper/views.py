"""Landing pages: what a shopper sees after scanning a tag."""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from datetime import timedelta
from typing import Optional

from flask import Blueprint, current_app, make_response, render_template, request
from flask_wtf.csrf import generate_csrf

from qrshop.content.templates import template_file
from qrshop.extensions import db, limiter, session_driver
from qrshop.offers.landing import landing_engagement
from qrshop.recommend.services import complete_the_look
from qrshop.shopper import services
from qrshop.tags.codes import normalise_code
from qrshop.web import keep_writes_on_error

bp = Blueprint("shopper", __name__)

# Rendered pages are cached with this in place of the per-session CSRF token.
CSRF_PLACEHOLDER = "__qrshop_csrf_token__"


class _PageKey(tuple):
    """A cache key whose hash is computed once (a page's key hashes some 40 fields)."""

    __slots__ = ()

    def __hash__(self) -> int:
        return self[0]


class LandingPages:
    """A per-app LRU of rendered landing pages, keyed by everything the page shows.

    The key is the page's data and the shopper's engagement state as just read from the
    database (both frozen dataclasses) and the recommendations shown, so a cached page is
    never stale: any change in the data makes a new key. Rendering is most of a scan's CPU
    time, so this is what lets one machine serve a busy store. Pages are cached with
    CSRF_PLACEHOLDER in place of the forms' token.
    """

    def __init__(self, maxsize: int = 2048):
        self.maxsize = maxsize
        self._pages: OrderedDict[_PageKey, str] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0

    def _cached(self, key: _PageKey) -> Optional[str]:
        with self._lock:
            html = self._pages.get(key)
            if html is not None:
                self.hits += 1
                self._pages.move_to_end(key)
        return html

    @staticmethod
    def _key(page: services.LandingPage, engage, recommendations: tuple) -> _PageKey:
        return _PageKey((hash((page, engage, recommendations)), page, engage, recommendations))

    def get(self, page: services.LandingPage, engage, recommendations: tuple) -> Optional[str]:
        """The cached page, or None."""
        return self._cached(self._key(page, engage, recommendations))

    def render(self, page: services.LandingPage, engage, recommendations: tuple) -> str:
        """The page from the cache, else rendered (needs a request context) and cached."""
        key = self._key(page, engage, recommendations)
        html = self._cached(key)
        if html is None:
            html = render_landing(page, engage, recommendations=recommendations,
                                  csrf_token=lambda: CSRF_PLACEHOLDER)
            with self._lock:
                self._pages[key] = html
                while len(self._pages) > self.maxsize:
                    self._pages.popitem(last=False)
        return html


def record_scan_and_commit(app, page: services.LandingPage, *, cookie_shopper_id, bot,
                           driver, commit) -> Optional[str]:
    """Record a counted scan and commit it at once, under the write lock, so the lock is
    held for the INSERTs and the COMMIT only; return the new shopper id to set, if any.

    Shared by the Flask view (commit: the session's) and the fast path (its connection's).
    """
    with app.extensions["qrshop.write_lock"]():
        new_shopper_id = services.record_scan_for_shopper(
            page, cookie_shopper_id=cookie_shopper_id, bot=bot,
            repeat_window=timedelta(seconds=app.config["REPEAT_SCAN_WINDOW_SECONDS"]),
            driver=driver,
        )
        commit()
    return new_shopper_id


def render_landing(page: services.LandingPage, engage, **context) -> str:
    """A landing page in its listing's template, showing the live (approved) content."""
    content = json.loads(page.content_json) if page.content_json else {}
    return render_template(template_file(page.template_name), page=page, engage=engage,
                           content=content, **context)


@bp.get("/t/<code>")
@bp.get("/T/<code>")
@limiter.exempt
def landing(code: str):
    """Render a tag's branded landing page and record the scan.

    A person's plain GET of a live tag is usually served by the WSGI fast path in front of
    Flask (fastpath.py), with the same functions; this view serves every other case, and
    the first scan of each page in a process (which renders it into the cache).
    """
    config = current_app.config
    canonical = normalise_code(code)
    bot = services.bot_reason(request.method, request.user_agent.string, request.environ)
    # ?via=store marks a tap on a link inside qrshop's own pages: a visit, not a shelf scan.
    counted = "via" not in request.args
    driver = session_driver()
    page = services.find_landing_page(canonical, driver) if canonical else None
    if page is None:
        if counted and canonical:
            services.record_orphan_scan(canonical, bot=bot)
            keep_writes_on_error()
        response = make_response(render_template("shopper/unknown_tag.html", code=code), 404)
        response.headers["Cache-Control"] = "no-store"
        return response

    cookie = current_app.extensions["qrshop.shopper_cookie"]
    cookie_shopper_id = cookie.loads(request.cookies.get(cookie.name(page.retailer_id)))

    # Read and render first, write last: the scan's INSERTs and their COMMIT then hold the
    # database's write lock (SQLite has one for the whole file) for microseconds, not for the
    # whole request.
    engage = None  # the shopper's forms and offer; none on a retired tag or for a bot
    if page.is_retired:
        others = services.other_items_in_store(page.store_id, page.tag_id)
        body = render_template("shopper/retired_tag.html", page=page, others=others)
        status = 410
    else:
        # Bots and link previewers get the page without forms.
        engage = landing_engagement(page, cookie_shopper_id, driver) if bot is None else None
        recommendations = tuple(complete_the_look(page.listing_id, page.store_id))
        body = current_app.extensions["qrshop.landing_pages"].render(page, engage,
                                                                     recommendations)
        status = 200

    new_shopper_id = None
    if counted:
        # The one commit of this request, as soon as the scan is written.
        new_shopper_id = record_scan_and_commit(
            current_app, page, cookie_shopper_id=cookie_shopper_id, bot=bot, driver=driver,
            commit=db.session.commit)
    if engage is not None:
        # The forms' CSRF token is bound to the shopper (no session needed); a visitor
        # without a shopper (an uncounted visit without the cookie) gets a session token.
        shopper_id = new_shopper_id or cookie_shopper_id
        token = cookie.form_token(shopper_id) if shopper_id else generate_csrf()
        body = body.replace(CSRF_PLACEHOLDER, token)

    response = make_response(body, status)
    # Every scan must reach the server to be counted, and the page carries a cookie.
    response.headers["Cache-Control"] = "no-store"
    if new_shopper_id is not None:
        response.headers.add("Set-Cookie", cookie.set_cookie_header(
            page.retailer_id, new_shopper_id, max_age=config["SHOPPER_COOKIE_MAX_AGE"],
            secure=request.is_secure))
    return response
