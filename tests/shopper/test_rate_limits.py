"""Shopper actions are limited per verified shopper and, as a backstop, per client address.

Forged or missing shopper cookies never open a fresh bucket, a script minting new shoppers
meets the per-address limit, and X-Forwarded-For counts only from a trusted proxy.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from qrshop.security import TrustedProxies, parse_trusted_proxies
from tests.factories import csrf_token, make_shop
from tests.helpers import coupon_form, form_fields, make_offer, new_phone


@dataclass(frozen=True)
class Action:
    """A limited shopper action: how a phone gets its form, and how it sends it."""

    name: str
    per_shopper: int
    per_address: int
    prepare: Callable  # (phone, tag) -> form fields
    path: str  # with {code}
    extra: Callable  # (n) -> fields that differ per attempt


def _landing_form(action: str):
    def prepare(phone, tag):
        html = phone.get(f"/t/{tag.code}").get_data(as_text=True)
        return form_fields(html, action.format(code=tag.code))
    return prepare


def _alerts_form(phone, tag):
    phone.get(f"/t/{tag.code}")  # the scan gives the phone its shopper cookie
    html = phone.get(f"/t/{tag.code}/alerts").get_data(as_text=True)
    return {**form_fields(html, f"/t/{tag.code}/alerts"),
            "topics": ["price_drop"], "consent": "yes"}


def _wishlist_form(phone, tag):
    phone.get(f"/t/{tag.code}")  # the scan gives the phone its shopper cookie
    return {"csrf_token": csrf_token(phone, "/wishlist")}


ACTIONS = [
    Action("feedback", 10, 100, _landing_form("/t/{code}/feedback"), "/t/{code}/feedback",
           lambda n: {"helpful": "yes"}),
    Action("coupon", 20, 200, lambda phone, tag: coupon_form(phone, tag), "/t/{code}/coupon",
           lambda n: {}),
    Action("alerts", 5, 30, _alerts_form, "/t/{code}/alerts",
           lambda n: {"email": f"s{n}@example.com"}),
    Action("wishlist-link", 5, 20, _wishlist_form, "/wishlist/link",
           lambda n: {"email": f"s{n}@example.com"}),
]


@pytest.fixture
def shop(app):
    shop = make_shop()
    make_offer(shop.retailer)
    return shop


@pytest.fixture
def tag(shop):
    return shop.tag


def _send(phone, action: Action, tag, fields: dict, n: int, **kwargs):
    return phone.post(action.path.format(code=tag.code), data={**fields, **action.extra(n)},
                      **kwargs)


@pytest.mark.parametrize("action", ACTIONS, ids=lambda action: action.name)
def test_junk_shopper_cookies_do_not_open_fresh_buckets(app, shop, tag, action):
    phone = new_phone(app)
    fields = action.prepare(phone, tag)
    # A claim counts if it gets a coupon (a second claim of one offer is refused, 409):
    # an offer per claim.
    offers = [make_offer(shop.retailer, title=f"Offer {n}").id
              for n in range(action.per_shopper + 1)] if action.name == "coupon" else []
    statuses = []
    for n in range(action.per_shopper + 1):
        phone.set_cookie("qsjunk", f"junk-{n}")  # a new unsigned "qs..." cookie every time
        phone.set_cookie(f"qs{shop.retailer.id + 1000 + n}", f"forged-{n}")
        if offers:
            fields = {**fields, "offer": str(offers[n])}
        statuses.append(_send(phone, action, tag, fields, n).status_code)
    assert 429 not in statuses[:-1], statuses
    assert statuses[-1] == 429


@pytest.mark.parametrize("action", [a for a in ACTIONS if a.name in ("alerts", "wishlist-link")],
                         ids=lambda action: action.name)
def test_a_forged_shopper_cookie_shares_the_addresss_bucket(app, shop, tag, action):
    phone = new_phone(app)
    fields = action.prepare(phone, tag)
    statuses = []
    for n in range(action.per_shopper + 1):
        # The retailer's own cookie name with a value the server never signed.
        phone.set_cookie(f"qs{shop.retailer.id}", f"forged-{n}")
        statuses.append(_send(phone, action, tag, fields, n).status_code)
    assert 429 not in statuses[:-1], statuses
    assert statuses[-1] == 429


@pytest.mark.parametrize("action", ACTIONS, ids=lambda action: action.name)
def test_a_script_minting_new_shoppers_meets_the_address_limit(app, tag, action):
    statuses = []
    for n in range(action.per_address + 1):
        phone = new_phone(app)  # a genuinely new shopper each time: a scan signs its cookie
        statuses.append(_send(phone, action, tag, action.prepare(phone, tag), n).status_code)
    assert 429 not in statuses[:-1], statuses
    assert statuses[-1] == 429
    # Another address (another store's network) is not held back.
    phone = new_phone(app)
    phone.environ_base["REMOTE_ADDR"] = "198.51.100.20"
    assert _send(phone, action, tag, action.prepare(phone, tag), 999).status_code < 400


def _wishlist_link_without_shopper_cookie(app, tag, n: int, **environ) -> int:
    """A fresh browser with no shopper cookie asks for a magic link."""
    headers = {"X-Forwarded-For": environ.pop("forwarded")} if "forwarded" in environ else {}
    phone = new_phone(app)
    phone.environ_base.update(environ)
    fields = {"csrf_token": csrf_token(phone, "/wishlist"), "email": f"s{n}@example.com"}
    return phone.post("/wishlist/link", data=fields, headers=headers).status_code


def test_browsers_without_a_shopper_cookie_share_the_addresss_bucket(app, tag):
    statuses = [_wishlist_link_without_shopper_cookie(app, tag, n) for n in range(6)]
    assert statuses == [303] * 5 + [429]


def test_forwarded_for_from_an_untrusted_peer_opens_no_fresh_bucket(app, tag):
    statuses = [_wishlist_link_without_shopper_cookie(app, tag, n, forwarded=f"203.0.113.{n}")
                for n in range(6)]
    assert statuses == [303] * 5 + [429]


def _behind_proxy(app):
    app.wsgi_app = TrustedProxies(app.wsgi_app, parse_trusted_proxies("10.0.0.0/8"))


def test_behind_a_trusted_proxy_the_forwarded_address_is_the_client(app, tag):
    _behind_proxy(app)
    proxy = {"REMOTE_ADDR": "10.0.0.5"}
    # Six shoppers at six addresses, all through the proxy: each has its own bucket.
    assert [_wishlist_link_without_shopper_cookie(app, tag, n, forwarded=f"198.51.100.{n}",
                                                  **proxy) for n in range(6)] == [303] * 6
    # One address, whatever it writes in front of what the proxy appends, has one bucket.
    statuses = [_wishlist_link_without_shopper_cookie(
        app, tag, n, forwarded=f"203.0.113.{n}, 192.0.2.77", **proxy) for n in range(6)]
    assert statuses == [303] * 5 + [429]


def test_ipv6_addresses_of_one_network_share_a_bucket(app, tag):
    statuses = [_wishlist_link_without_shopper_cookie(app, tag, n,
                                                      REMOTE_ADDR=f"2001:db8:0:7::{n + 1:x}")
                for n in range(6)]
    assert statuses == [303] * 5 + [429]
    assert _wishlist_link_without_shopper_cookie(app, tag, 9,
                                                 REMOTE_ADDR="2001:db8:0:8::1") == 303


def test_a_shopper_over_its_own_limit_does_not_use_up_the_addresss_backstop(app, tag):
    action = next(a for a in ACTIONS if a.name == "feedback")  # every request counts
    eager = new_phone(app)
    fields = action.prepare(eager, tag)
    statuses = [_send(eager, action, tag, fields, n).status_code for n in range(15)]
    assert statuses == [303] * 10 + [429] * 5
    # Only the 10 accepted count against the address: 90 other shoppers still get through.
    others = []
    for n in range(action.per_address - 10 + 1):
        phone = new_phone(app)
        others.append(_send(phone, action, tag, action.prepare(phone, tag), n).status_code)
    assert others == [303] * 90 + [429]
    assert "your network" in _send(phone, action, tag, action.prepare(phone, tag), 0).get_data(
        as_text=True)


BAD_INPUT = {"feedback": {"rating": "9"}, "coupon": {"offer": "none"},
             "alerts": {"email": "not-an-address"}, "wishlist-link": {"email": "nobody"}}


def _refused(phone, action: Action, tag, n: int):
    """A form refused before it does anything: a bad form token, or bad input."""
    fields = action.prepare(phone, tag)
    junk = {"csrf_token": "junk"} if n % 2 else BAD_INPUT[action.name]
    return phone.post(action.path.format(code=tag.code),
                      data={**fields, **action.extra(n), **junk})


@pytest.mark.parametrize("action", ACTIONS, ids=lambda action: action.name)
def test_refused_forms_of_new_shoppers_do_not_use_up_the_addresss_backstop(app, tag, action):
    # A neighbour on the store Wi-Fi mints a shopper per request and posts junk.
    statuses = {_refused(new_phone(app), action, tag, n).status_code
                for n in range(action.per_address + 1)}
    assert 429 not in statuses and all(400 <= status < 500 for status in statuses), statuses
    # Everybody else on the address still gets through.
    phone = new_phone(app)
    assert _send(phone, action, tag, action.prepare(phone, tag), 0).status_code in (200, 303)


@pytest.mark.parametrize("action", ACTIONS, ids=lambda action: action.name)
def test_refused_forms_do_not_use_up_the_shoppers_own_limit(app, tag, action):
    phone = new_phone(app)
    statuses = {_refused(phone, action, tag, n).status_code
                for n in range(action.per_shopper + 1)}
    assert 429 not in statuses, statuses
    assert _send(phone, action, tag, action.prepare(phone, tag), 0).status_code in (200, 303)


def test_simultaneous_requests_for_links_do_not_pass_the_limit_together(app, shop, tag,
                                                                         monkeypatch):
    from qrshop.wishlist import devices

    phone = new_phone(app)
    fields = _wishlist_form(phone, tag)
    cookies = [phone.get_cookie(name) for name in
               (app.config["SESSION_COOKIE_NAME"], f"qs{shop.retailer.id}")]
    phones = []
    for _ in range(6):  # one shopper's six tabs, one request each, all at once
        tab = new_phone(app)
        for cookie in cookies:
            tab.set_cookie(cookie.key, cookie.value, domain=cookie.domain, path=cookie.path)
        phones.append(tab)
    # Each request that reaches the view waits there until all six have (or one is refused).
    in_view = threading.Barrier(6)
    send = devices.request_magic_link

    def waiting_to_send(*args):
        with contextlib.suppress(threading.BrokenBarrierError):
            in_view.wait(timeout=20)
        return send(*args)

    monkeypatch.setattr(devices, "request_magic_link", waiting_to_send)
    answered = threading.Event()
    statuses = []

    def ask(tab, n):
        statuses.append(tab.post("/wishlist/link", data={
            **fields, "email": f"tab{n}@example.com"}).status_code)
        answered.set()

    tabs = [threading.Thread(target=ask, args=(tab, n)) for n, tab in enumerate(phones)]
    for thread in tabs:
        thread.start()
    answered.wait(timeout=20)
    in_view.abort()  # the refused request never reaches the view: let the others go on
    for thread in tabs:
        thread.join(timeout=20)
    assert sorted(statuses) == [303] * 5 + [429]
