"""Choosing the shopper's language from Accept-Language and the switch's cookie."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from qrshop.i18n import format_local_datetime, format_money, negotiate, shopper_locale


@pytest.mark.parametrize(("header", "locale"), [
    ("es-MX", "es"),
    ("es-MX,es;q=0.9,en;q=0.8", "es"),
    ("fr-CA", "fr"),
    ("fr_CA", "fr"),
    ("de-DE", "en"),
    ("", "en"),
    ("*", "en"),
    ("en;q=0.5, fr;q=0.8", "fr"),
    ("de, es;q=0.1", "es"),
    ("es;q=0, fr;q=0.2", "fr"),
    ("fr;q=0.7, es;q=0.7", "fr"),
    ("es;q=banana, fr;q=0.3", "fr"),
    ("zh-Hant-TW, pt-BR;q=0.9", "en"),
])
def test_accept_language_picks_the_best_supported_language(header, locale):
    assert negotiate(header) == locale


def test_the_switchs_cookie_wins_over_the_header_unless_it_names_no_language():
    assert shopper_locale("fr", "es-MX") == "fr"
    assert shopper_locale("xx", "es-MX") == "es"
    assert shopper_locale(None, "") == "en"


def test_prices_are_written_as_each_locale_writes_them():
    assert format_money(4999, "USD", "en") == "$49.99"
    assert format_money(4999, "USD", "es") == "49,99\xa0US$"
    assert format_money(4999, "EUR", "fr") == "49,99\xa0€"


def test_a_moment_is_shown_in_the_stores_time_zone():
    moment = datetime(2026, 12, 5, 4, 59, tzinfo=UTC)
    assert format_local_datetime(moment, "America/New_York", "en") \
        == "Dec 4, 2026, 11:59\u202fPM EST"
    assert format_local_datetime(moment, "America/New_York", "fr") == "4 déc. 2026, 23:59 EST"
    assert format_local_datetime(moment, "Not/AZone", "en").endswith("UTC")
