"""The shopper's language: negotiation, the switch's cookie, locale formats (docs/i18n.md).

Shopper pages are translated with Flask-Babel from the catalogues in qrshop/translations/.
The language is the cookie `qrshop_lang` set by the switch on every shopper page, else the
best of Accept-Language, else English; a regional tag falls back to its language (es-MX ->
es). `negotiate` is a small cached function with no Flask in it: the scan's fast path calls
it on every scan, and the cache of rendered pages is keyed by its answer (one of LOCALES).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from typing import Optional
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_date, format_time, get_datetime_format
from babel.numbers import format_currency, format_decimal
from babel.units import format_unit

DEFAULT_LOCALE = "en"
# The shopper pages' languages; each has qrshop/translations/<locale>/LC_MESSAGES/.
LOCALES = ("en", "es", "fr")
# What the switch shows: each language in its own name.
LANGUAGE_NAMES = {"en": "English", "es": "Español", "fr": "Français"}
LOCALE_COOKIE = "qrshop_lang"
LOCALE_COOKIE_MAX_AGE = 365 * 24 * 3600
# Every answer that depends on the language varies by both (the cookie holds the choice).
VARY = "Cookie, Accept-Language"


def N_(text: str) -> str:  # noqa: N802 (pybabel's default keyword)
    """Mark text for extraction where it is defined; it is translated where it is shown."""
    return text


@lru_cache(maxsize=512)
def negotiate(accept_language: str) -> str:
    """The best of LOCALES for an Accept-Language header (q-values honoured, a region falls
    back to its language: fr-CA -> fr); DEFAULT_LOCALE if none fits."""
    best, best_q = DEFAULT_LOCALE, 0.0
    for position, item in enumerate(accept_language[:400].split(",")):
        tag, _, params = item.strip().partition(";")
        q = 1.0
        params = params.strip().replace(" ", "")
        if params.startswith("q="):
            try:
                q = float(params[2:])
            except ValueError:
                continue
        language = tag.strip().lower().replace("_", "-").split("-", 1)[0]
        # Earlier items win ties (the header's order is the shopper's order).
        if language in LOCALES and q > best_q and 0 < q <= 1:
            best, best_q = language, q
        elif language == "*" and q > best_q and position == 0 and q > 0:
            best, best_q = DEFAULT_LOCALE, q
    return best


def shopper_locale(cookie_value: Optional[str], accept_language: str) -> str:
    """The shopper's language: the switch's cookie if it names one of LOCALES, else the
    header's best."""
    if cookie_value in LOCALES:
        return cookie_value
    return negotiate(accept_language or "")


def format_money(cents: int, currency: str, locale: str) -> str:
    """An amount in minor units as shoppers of a locale read it: $49.99, 49,99 US$,
    49,99 $US."""
    amount = Decimal(cents) if currency == "JPY" else Decimal(cents).scaleb(-2)
    return format_currency(amount, currency, locale=locale)


# Languages whose shoppers read distances in miles: English's CLDR default territory is the
# US (likely subtags en -> en_Latn_US), which measures in miles; es and fr default to Spain
# and France (kilometres).
MILE_LOCALES = frozenset({"en"})
KM_PER_MILE = 1.609344


def format_distance(km: float, locale: str) -> str:
    """A distance as shoppers of a locale read it: "2.3 mi", "3,7 km", "81 mi" (a tenth
    below 10, whole numbers above)."""
    unit, value = (("length-mile", km / KM_PER_MILE) if locale in MILE_LOCALES
                   else ("length-kilometer", km))
    return format_unit(value, unit, length="short", locale=locale,
                       format="#,##0.#" if value < 10 else "#,##0")


def store_zone(name: Optional[str]) -> ZoneInfo:
    """A store's time zone by its IANA name; UTC if it has none or an unknown one."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def format_local_datetime(moment: datetime, zone: Optional[str], locale: str) -> str:
    """A UTC moment in a store's local time for a locale, with the zone's abbreviation:
    "Dec 4, 2026, 11:59 PM EST", "4 déc. 2026, 23:59 EST"."""
    local = moment.astimezone(store_zone(zone))
    # The locale's way to join a date and a time ("{1}, {0}", "{1} {0}"), without seconds.
    joined = get_datetime_format("medium", locale=locale).replace("'", "").format(
        format_time(local, "short", tzinfo=local.tzinfo, locale=locale),
        format_date(local.date(), "medium", locale=locale))
    return f"{joined} {local.strftime('%Z')}"


def format_local_date(moment: datetime, zone: Optional[str], locale: str) -> str:
    """The date of a UTC moment in a store's local time, for a locale (4 déc. 2026)."""
    return format_date(moment.astimezone(store_zone(zone)).date(), format="medium",
                       locale=locale)


def request_locale() -> str:
    """The language of the current Flask request (Flask-Babel's locale selector); the
    default outside a request (the worker's messages)."""
    from flask import g, has_request_context, request

    if not has_request_context():
        return DEFAULT_LOCALE
    locale = shopper_locale(request.cookies.get(LOCALE_COOKIE),
                            request.headers.get("Accept-Language", ""))
    g.shopper_locale = locale
    return locale


def _language_headers(response):
    """Content-Language and Vary on every answer whose text was translated."""
    from flask import g

    locale = g.get("shopper_locale")
    if locale is not None and "Content-Language" not in response.headers:
        response.headers["Content-Language"] = locale
        response.vary.update(("Cookie", "Accept-Language"))
    return response


def _current_locale() -> str:
    from flask_babel import get_locale

    return str(get_locale() or DEFAULT_LOCALE)


def init_app(app) -> None:
    """Flask-Babel with the shopper's language, the headers, and the templates' helpers."""
    from flask_babel import Babel

    Babel(app, locale_selector=request_locale, default_locale=DEFAULT_LOCALE)
    app.after_request(_language_headers)
    app.jinja_env.globals.update(
        current_locale=_current_locale, language_names=LANGUAGE_NAMES,
        money=lambda cents, currency: format_money(cents, currency, _current_locale()),
        local_datetime=lambda moment, zone: format_local_datetime(
            moment, zone, _current_locale()),
        local_date=lambda moment, zone: format_local_date(moment, zone, _current_locale()),
        distance=lambda km: format_distance(km, _current_locale()),
        # One decimal as the shopper's locale writes it (4.3, 4,3): the average stars.
        one_decimal=lambda value: format_decimal(value, "0.0", locale=_current_locale()),
    )
