"""The language switch of the shopper pages: GET /lang/<locale>[?next=<path>] (docs/i18n.md)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import abort, redirect, request
from flask_babel import gettext

from qrshop.i18n import LOCALE_COOKIE, LOCALE_COOKIE_MAX_AGE, LOCALES
from qrshop.shopper.views import bp


def _back(target: str) -> str:
    """Where to go back to: `next` (landing pages name their own ?via=lang visit), else the
    page the link was on (the Referer, same site only), else the wish list. Only a path on
    this site, never //host or /\\host."""
    if not target:
        referrer = urlsplit(request.referrer or "")
        if referrer.netloc == request.host:
            target = referrer.path + (f"?{referrer.query}" if referrer.query else "")
    if not target.startswith("/") or target.startswith("//") or "\\" in target \
            or any(ord(char) < 32 for char in target):
        return "/wishlist"
    return target


@bp.get("/lang/<locale>")
def choose_language(locale: str):
    """Remember the shopper's language in a cookie and go back to the page they were on.

    A link, not a form: choosing a language changes nothing stored, and the shopper pages
    run no script of ours for it (CSP script-src 'self').
    """
    if locale not in LOCALES:
        abort(404, description=gettext("No shopper pages in %(locale)s; choose one of "
                                       "%(choices)s.", locale=repr(locale[:20]),
                                       choices=", ".join(LOCALES)))
    response = redirect(_back(request.args.get("next", "")), code=303)
    response.set_cookie(LOCALE_COOKIE, locale, max_age=LOCALE_COOKIE_MAX_AGE, samesite="Lax",
                        secure=request.is_secure, httponly=True)
    response.headers["Cache-Control"] = "no-store"
    return response
