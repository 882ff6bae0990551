"""Fuzzing every route: random and hostile path, query, form and JSON values, sent as
every kind of visitor, never answer 5xx (security review, item 7). See docs/testing.md.

The world is built once for the module: a scene with two retailers, vendors, staff of
every role, a live revision, an offer, a claimed coupon, feedback, emailed links. Every GET
page is crawled as every visitor to learn what a browser would send (form fields, input
types, hidden values, select options; path values and query names of links); the views'
source adds the names they read. Then, per route and method, the sweep sends each value
that broke a parser before through each field (the others valid), and Hypothesis sends
random and hostile requests (derandomized: the same requests every run; raise
QRSHOP_FUZZ_EXAMPLES to fuzz harder).
"""

from __future__ import annotations

import inspect
import io
import json
import os
import re
from collections import defaultdict
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, quote, urlsplit

import pytest
from flask import request_started
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st
from sqlalchemy import select, update
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter

from qrshop import create_app
from qrshop.accounts.models import User
from qrshop.extensions import db
from tests.conftest import MOBILE_SAFARI, _fresh_g, _test_config
from tests.content.images import image_bytes
from tests.factories import PASSWORD
from tests.helpers import claim_coupon, form_fields, make_offer

MAX_EXAMPLES = int(os.environ.get("QRSHOP_FUZZ_EXAMPLES", "6"))
EXAMPLES_CAP = max(MAX_EXAMPLES, 20)
ROLES = ("anonymous", "shopper", "vendor", "merchandiser", "associate", "admin")
API_ROLES = ("vendor", "merchandiser", "associate", "admin")
SKIPPED_METHODS = {"HEAD", "OPTIONS"}

# Values that broke parsers before, by the kind of field they are sent to. Every field also
# gets "text" values (a price is a text input), and any value may be random text instead.
HOSTILE = {
    "number": ["²", "٣", "9" * 5000, "99999999999999999999", str(2**63), "-1", "1e999999999",
               "NaN", "inf", "0"],
    "datetime": ["9999-12-31T23:59", "0001-01-01T00:00", "2026-02-30T25:61", "²⁰²⁶-01-01T00:00"],
    "date": ["0001-01-01", "9999-12-31", "²⁰²⁶-01-01", "20260101", "2026-W01-1"],
    "url": ["/console\r\nSet-Cookie: x=1", "https://[::1", "https://vimeo.com:99999/1",
            "//evil.example", "/\\evil.example", "javascript:alert(1)"],
    "text": ["", "²", "9" * 5000, "99999999999999999999", "1e999999999", "0001-01-01",
             "9999-12-31T23:59", "https://[::1", "=cmd|' /C calc'!A0", "-1+1", "x" * 70_000,
             "\r\n", "\x00", "<script>alert(1)</script>", "../../etc/passwd", " "],
}
# The sweep sends each of these to each field of each route, the other fields valid.
SWEEP = {
    "number": ["²", "9" * 5000, "99999999999999999999"],
    "datetime": ["9999-12-31T23:59", "0001-01-01T00:00"],
    "date": ["0001-01-01", "9999-12-31"],
    "url": ["/console\r\nSet-Cookie: x=1", "https://[::1"],
    "text": ["²", "9" * 5000, "99999999999999999999", "9999-12-31T23:59", "https://[::1"],
}
HOSTILE_JSON = ["[" * 100_000 + "]" * 100_000, '{"a":' * 100_000 + "1" + "}" * 100_000,
                "[" * 5000, "{", "", "9" * 5000, '{"x": "' + "x" * 100_000 + '"}']
URL_NAMES = {"next", "back", "video_url", "url", "link"}
NUMBER_NAMES = {"page", "per_page", "size", "limit", "offer", "rating", "listing", "store_id",
                "recommended", "price", "sale_amount", "amount_off", "percent_off", "cursor"}
DATE_NAMES = {"from", "to"}
HOSTILE_PATH = ["0", str(2**31), str(2**63), "9" * 5000, "²", "٣", "-1", "x", "%00", "..",
                "a" * 300, "%FF%FE", "<x>", "1.0", " "]
HOSTILE_FILES = [
    b"", b"\x00\x01\x02", b"sku,gtin,price,currency\nA,1,1,USD\n",
    b"gtin,name,brand\n" + b"1," + b'"' + b"x" * 140_000 + b'",b\n',
    b"sku,gtin,price,currency\n" + b"S,4000000000012,9" * 2 + b"\n",
    b"gtin,name,brand\n=cmd,=1+1,@SUM\n", b"\xff\xfe\x00g\x00t",
    b"%PDF-1.4\n%\xe2\xe3", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40,
]


@dataclass
class Form:
    """A form on a crawled page: where it posts and what it holds."""

    action: str
    method: str
    fields: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    kinds: dict[str, str] = field(default_factory=dict)
    files: set[str] = field(default_factory=set)


class _PageParser(HTMLParser):
    """The forms and links of one HTML page."""

    def __init__(self, page_path: str):
        super().__init__(convert_charrefs=True)
        self.page_path, self.forms, self.links = page_path, [], []
        self._form: Form | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        """Collect forms, their fields and values, and links."""
        attrs = {name: value or "" for name, value in attrs}
        if tag in ("a", "img") and (attrs.get("href") or attrs.get("src")):
            self.links.append(attrs.get("href") or attrs["src"])
        elif tag == "form":
            self._form = Form(attrs.get("action") or self.page_path,
                              (attrs.get("method") or "get").upper())
            self.forms.append(self._form)
        elif self._form is not None and tag in ("input", "select", "textarea", "button"):
            name = attrs.get("name")
            if not name:
                return
            if attrs.get("type") == "file":
                self._form.files.add(name)
            self._form.kinds[name] = attrs.get("type", tag)
            if attrs.get("type") not in ("checkbox", "radio") or "checked" in attrs \
                    or attrs.get("value"):
                self._form.fields[name].add(attrs.get("value", ""))
            self._select = name if tag == "select" else None
        elif tag == "option" and self._form is not None and self._select:
            self._form.fields[self._select].add(attrs.get("value", ""))

    def handle_endtag(self, tag):
        """Close the current form or select."""
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


@dataclass
class Visitor:
    """One kind of visitor: the cookies it sends, its CSRF token, its API token."""

    cookie: str = ""
    csrf: str = ""
    api_token: str = ""


@dataclass
class World:
    """The seeded app and what the crawl learned about its routes."""

    app: object
    visitors: dict[str, Visitor]
    snapshots: dict = field(default_factory=dict)
    path_values: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    form_fields: dict[str, dict[str, set[str]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(set)))
    file_fields: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    query_names: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    kinds: dict[str, str] = field(default_factory=dict)  # field or parameter name -> kind
    roles: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    paths: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    choices: set[str] = field(default_factory=set)  # select, checkbox and radio fields

    def snapshot(self) -> None:
        """Remember the rows a fuzzed request may change and later requests rely on."""
        self.snapshots = {model: {row[0]: row for row in db.session.execute(
            select(*model.__table__.columns)).all()} for model in _restored_models()}

    def restore(self) -> None:
        """Undo what a fuzzed POST did to those rows (a visitor deactivated or demoted, the
        tag retired, the offer ended, the listing discontinued, a store renamed), so each
        example starts from the same world."""
        db.session.rollback()
        for model, rows in self.snapshots.items():
            columns = list(model.__table__.columns)
            for row in db.session.execute(select(*columns)).all():
                before = rows.get(row[0])
                if before is not None and tuple(before) != tuple(row):
                    db.session.execute(update(model.__table__)
                                       .where(columns[0] == row[0]).values(before._asdict()))
        db.session.commit()


def _restored_models():
    from qrshop.accounts.models import Retailer, Store, Vendor
    from qrshop.catalog.models import Listing
    from qrshop.offers.models import Offer
    from qrshop.tags.models import Tag

    return (User, Retailer, Store, Vendor, Listing, Tag, Offer)


def _route_cases(app) -> list[tuple[str, str]]:
    """(rule, method) for every route of the app."""
    return sorted({(rule.rule, method) for rule in app.url_map.iter_rules()
                   for method in rule.methods - SKIPPED_METHODS})


_CASES_APP = create_app({"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
CASES = _route_cases(_CASES_APP)


# ---- building the world ------------------------------------------------------------------

def _seed(app, runner) -> dict[str, object]:
    """The content scene, a live revision, an offer, more staff; returns the scene."""
    from tests.content.helpers import go_live, make_scene

    scene = make_scene()
    go_live(scene, "spotlight")
    make_offer(scene.retailer)
    db.session.commit()
    from tests.factories import make_user

    make_user("admin", "admin@qrshop.test")
    make_user("merchandiser", "victim-merch@acme.test", retailer_slug="acme")
    make_user("associate", "victim-assoc@acme.test", retailer_slug="acme", store_code="BOS01")
    make_user("vendor", "victim@widgetco.test", vendor_slug="widgetco")
    for email, role, extra in (("invited@acme.test", "associate",
                                ["--retailer", "acme", "--store", "NYC01"]),):
        result = runner.invoke(args=["users", "invite", email, "--role", role, *extra])
        assert result.exit_code == 0, result.output
    return scene


def _login(app, email: str):
    from tests.factories import login

    client = app.test_client()
    client.environ_base["HTTP_USER_AGENT"] = MOBILE_SAFARI
    response = login(client, email)
    assert response.status_code == 302, email
    return client


def _cookie_header(client, retailer_ids) -> str:
    names = ["session", "remember_token", *(f"qs{rid}" for rid in retailer_ids)]
    cookies = [client.get_cookie(name) for name in names]
    return "; ".join(f"{cookie.key}={cookie.value}" for cookie in cookies if cookie)


def _csrf_of(client, path: str) -> str:
    page = client.get(path).get_data(as_text=True)
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    return found.group(1) if found else ""


def _shopper(app, scene):
    """A phone that scanned, claimed a coupon, saved, rated and signed up for alerts."""
    phone = app.test_client()
    phone.environ_base["HTTP_USER_AGENT"] = MOBILE_SAFARI
    tag = scene.tag
    claim_coupon(phone, tag)
    for action, fields in (("save", {"action": "save"}),
                           ("feedback", {"rating": "4", "comment": "=1+1 nice"}),
                           ("alerts", {"topics": "back_in_stock", "email": "shopper@example.com",
                                       "consent": "yes"})):
        html = phone.get(f"/t/{tag.code}" + ("/alerts" if action == "alerts" else ""))
        fields = {**form_fields(html.get_data(as_text=True), f"/t/{tag.code}/{action}"),
                  **fields}
        assert phone.post(f"/t/{tag.code}/{action}", data=fields).status_code < 400, action
    html = phone.get("/wishlist").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    phone.post("/wishlist/link", data={"email": "shopper@example.com",
                                       "csrf_token": token.group(1) if token else ""})
    return phone


def _visitors(app, runner, scene) -> dict[str, Visitor]:
    from qrshop.accounts.services import create_api_token, user_by_email

    retailer_ids = [scene.retailer.id, scene.other_retailer.id]
    emails = {"vendor": scene.vendor_email, "merchandiser": scene.merch_email,
              "associate": scene.associate_email, "admin": "admin@qrshop.test"}
    visitors = {}
    anonymous = app.test_client()
    visitors["anonymous"] = Visitor(csrf=_csrf_of(anonymous, "/login"))
    visitors["anonymous"].cookie = _cookie_header(anonymous, retailer_ids)
    phone = _shopper(app, scene)
    visitors["shopper"] = Visitor(cookie=_cookie_header(phone, retailer_ids),
                                  csrf=_csrf_of(phone, f"/t/{scene.tag.code}/alerts"))
    for role, email in emails.items():
        client = _login(app, email)
        user = user_by_email(email)
        visitors[role] = Visitor(cookie=_cookie_header(client, retailer_ids),
                                 csrf=_csrf_of(client, "/password/forgot"),
                                 api_token=create_api_token(user, "fuzz")[1])
    db.session.commit()
    return visitors


def _source_names(app) -> tuple[dict[str, set[str]], ...]:
    """Form field names, file fields and query names per endpoint, from the views' source
    and the WTForms forms they build; under "*", every query name the code reads."""
    from flask_wtf import FlaskForm
    from flask_wtf.file import FileField
    from wtforms.fields.core import UnboundField

    forms = {}
    pending = list(FlaskForm.__subclasses__())
    while pending:
        form = pending.pop()
        pending.extend(form.__subclasses__())
        forms[form.__name__] = {name: value for name in dir(form)
                                if isinstance(value := getattr(form, name), UnboundField)}
    form_names, file_names, query_names = defaultdict(set), defaultdict(set), defaultdict(set)
    for endpoint, view in app.view_functions.items():
        try:
            source = inspect.getsource(inspect.unwrap(view))
        except (OSError, TypeError):
            continue
        form_names[endpoint] |= set(re.findall(
            r"request\.form\.(?:get|getlist)\(\s*\"([^\"]+)\"", source))
        query_names[endpoint] |= set(re.findall(
            r"request\.args\.(?:get|getlist)\(\s*\"([^\"]+)\"", source))
        for form_name in re.findall(r"\b(\w+Form)\(", source):
            for name, unbound in forms.get(form_name, {}).items():
                form_names[endpoint].add(name)
                if issubclass(unbound.field_class, FileField):
                    file_names[endpoint].add(name)
    import qrshop

    for path in qrshop.__path__:
        for module in __import__("pathlib").Path(path).rglob("*.py"):
            text = module.read_text()
            query_names["*"] |= set(re.findall(r"args(?:\.get|\.getlist)?\(\s*\"(\w+)\"", text))
            query_names["*"] |= set(re.findall(r"args\[\s*\"(\w+)\"\s*\]", text))
    return form_names, file_names, query_names


def _learn_link(world: World, adapter, href: str, method: str = "GET") -> str | None:
    """Record the path values and query names of a same-site link; its endpoint or None."""
    parts = urlsplit(href)
    if parts.netloc and parts.netloc not in ("qr.example.com", "localhost"):
        return None
    try:
        endpoint, values = adapter.match(parts.path or "/", method=method)
    except HTTPException:
        return None
    except Exception:  # a redirect-to-slash and other routing answers
        return None
    for name, value in values.items():
        world.path_values[name].add(str(value))
    world.paths[endpoint].add(parts.path)
    for name, _ in parse_qsl(parts.query, keep_blank_values=True):
        world.query_names[endpoint].add(name)
    return endpoint


def _crawl(world: World, scene) -> None:
    """GET every page as every visitor with seeded path values; learn forms and links."""
    app = world.app
    adapter = app.url_map.bind("localhost")
    client = app.test_client(use_cookies=False)
    for _ in range(2):  # the second round uses path values the first one found
        for rule in app.url_map.iter_rules():
            if "GET" not in rule.methods or rule.endpoint == "static":
                continue
            for role, visitor in world.visitors.items():
                path = _fill(rule.rule, {name: sorted(world.path_values.get(name) or {"1"})[0]
                                         for name in rule.arguments})
                with client.get(path, headers={"Cookie": visitor.cookie}) as response:
                    assert response.status_code < 500, (role, path)
                    if response.status_code < 300:  # not refused, not sent to log in
                        world.roles[rule.endpoint].add(role)
                    html = response.get_data(as_text=True) \
                        if response.mimetype == "text/html" else ""
                parser = _PageParser(path)
                parser.feed(html)
                for href in parser.links:
                    _learn_link(world, adapter, href)
                for form in parser.forms:
                    endpoint = _learn_link(world, adapter, form.action, form.method)
                    if endpoint is None:
                        continue
                    world.roles[endpoint].add(role)
                    for name, html_type in form.kinds.items():
                        world.kinds.setdefault(name, _kind(name, html_type))
                        if html_type in ("select", "checkbox", "radio"):
                            world.choices.add(name)
                    names = (world.query_names[endpoint] if form.method == "GET"
                             else world.form_fields[endpoint])
                    for name, values in form.fields.items():
                        if form.method == "GET":
                            names.add(name)
                        else:
                            names[name] |= values
                    world.file_fields[endpoint] |= form.files


def _emailed_links(world: World) -> None:
    """Path values (tokens) from every link in the outbox: invitations, alerts, wish lists."""
    from qrshop.alerts.models import OutboxMessage

    adapter = world.app.url_map.bind("localhost")
    for body in db.session.scalars(select(OutboxMessage.body)):
        for link in re.findall(r"https?://\S+", body or ""):
            _learn_link(world, adapter, link.rstrip(".,)>"))


def _kind(name: str, html_type: str = "text") -> str:
    """Which HOSTILE list suits a field: from its HTML input type, else from its name."""
    if html_type == "number" or name in NUMBER_NAMES:
        return "number"
    if html_type == "datetime-local" or name.endswith("_at"):
        return "datetime"
    if html_type == "date" or name in DATE_NAMES:
        return "date"
    if html_type == "url" or name in URL_NAMES:
        return "url"
    return "text"


def _default(name: str, kind: str, choices: set[str] = frozenset()) -> str:
    """A plausible value for a field no page showed a value for."""
    if name in choices:
        return ""  # a list with no options: nothing chosen
    if "email" in name:
        return "admin@qrshop.test"  # a real user: the login form logs in
    if "password" in name or name == "confirm":
        return PASSWORD
    return {"number": "1", "datetime": "2030-01-01T09:00", "date": "2026-01-15",
            "url": "https://vimeo.com/76979871"}.get(kind, "Fuzz 1")


def _fill(rule: str, values: dict[str, str]) -> str:
    """The rule's path with each <converter:name> replaced by its value, URL-quoted."""
    def replace(match):
        converter, name = match.group(1), match.group(2)
        return quote(values[name], safe="/" if converter == "path" else "")
    return re.sub(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>", replace, rule)


@pytest.fixture(scope="module")
def world(database_url, tmp_path_factory):
    """The seeded app, its visitors and what the crawl learned; rows deleted afterwards."""
    config = _test_config(database_url, tmp_path_factory.mktemp("fuzz_content"))
    config["RATELIMIT_ENABLED"] = False  # limits are tested elsewhere; here they hide routes
    app = create_app(config)
    request_started.connect(_fresh_g, app)
    with app.app_context():
        scene = _seed(app, app.test_cli_runner())
        from qrshop.content.media import ingest

        ingest(image_bytes("PNG", size=(300, 200)), "fuzz.png", scene.product.vendor_id)
        db.session.commit()
        world = World(app, _visitors(app, app.test_cli_runner(), scene))
        names, files, query_names = _source_names(app)
        for endpoint, field_names in names.items():
            for name in field_names:
                world.form_fields[endpoint][name]  # noqa: B018  (known name, no value yet)
            world.file_fields[endpoint] |= files[endpoint]
        for endpoint, query in query_names.items():
            world.query_names[endpoint] |= query
        from qrshop.catalog.models import Listing

        world.path_values["sku"] |= set(db.session.scalars(select(Listing.sku)))  # API only
        _emailed_links(world)
        _crawl(world, scene)
        _emailed_links(world)
        world.snapshot()
        yield world
        app.extensions["qrshop.scan_fast_path"].close()
        db.session.remove()
        with db.engine.begin() as connection:
            for table in reversed(db.metadata.sorted_tables):
                connection.execute(table.delete())
        db.engine.dispose()


# ---- the property ------------------------------------------------------------------------

def _hostile(kind: str) -> st.SearchStrategy[str]:
    """Mostly a value that broke a parser before (for this kind of field, or any kind),
    sometimes random text or a random integer."""
    known = HOSTILE[kind] + [value for value in HOSTILE["text"] if value not in HOSTILE[kind]]
    return st.integers(0, 9).flatmap(lambda dice: st.sampled_from(known) if dice < 8 else
                                     st.text(max_size=20) if dice == 8 else
                                     st.integers(-(2**70), 2**70).map(str))


def _valid(known: set[str], kind: str, name: str, choices: set[str]) -> st.SearchStrategy[str]:
    """A value seen on a page for this field (else a hostile one)."""
    values = sorted(value for value in known if value)
    return st.sampled_from(values) if values else st.just(_default(name, kind, choices))


@st.composite
def _fields(draw, world: World, names: dict[str, set[str]]) -> dict[str, str]:
    """Every known field with a valid value but one hostile, so the hostile value gets
    past the form's other checks to the code that reads it; plus now and then a random
    extra field."""
    ordered = sorted(names)
    targets = {draw(st.sampled_from(ordered))} if ordered else set()
    fields = {}
    for name in ordered:
        kind = world.kinds.get(name) or _kind(name)
        if name in targets:
            fields[name] = draw(_hostile(kind))
        elif draw(st.integers(0, 9)):  # now and then a field is left out
            fields[name] = draw(_valid(names[name], kind, name, world.choices))
    if draw(st.integers(0, 4)) == 0:
        fields[draw(st.text(min_size=1, max_size=8))] = draw(_hostile("text"))
    return fields


def _json_bodies() -> st.SearchStrategy:
    scalars = st.one_of(st.none(), st.booleans(), st.integers(-(2**70), 2**70),
                        st.sampled_from(HOSTILE["number"] + HOSTILE["text"][:10]),
                        st.text(max_size=20))
    keys = st.sampled_from(["code", "store", "sale_amount_cents", "gtin", "price_cents",
                            "currency", "name", "brand", "sku", "limit", "x"])
    return st.recursive(scalars, lambda children: st.lists(children, max_size=3)
                        | st.dictionaries(keys, children, max_size=5), max_leaves=8)


def _endpoint(world: World, rule: str, method: str) -> str:
    return next(r.endpoint for r in world.app.url_map.iter_rules()
                if r.rule == rule and method in r.methods)


@st.composite
def _requests(draw, world: World, rule: str, method: str):
    """A request for one route: visitor, path, query or form fields, maybe a file or JSON."""
    endpoint = _endpoint(world, rule, method)
    is_api = rule.startswith("/api/")
    everyone = API_ROLES + ("anonymous",) if is_api else ROLES
    welcome = sorted(world.roles[endpoint] & set(everyone)) or list(everyone)
    # Mostly a visitor the route serves (it got past the role check while crawling).
    role = draw(st.sampled_from(welcome) if draw(st.integers(0, 4)) else
                st.sampled_from(everyone))
    visitor = world.visitors[role]
    arguments = re.findall(r"<(?:\w+(?:\([^)]*\))?:)?(\w+)>", rule)
    path_values = {name: draw(
        st.sampled_from(sorted(world.path_values.get(name) or {"1"})) if draw(st.integers(0, 3))
        else st.one_of(st.sampled_from(HOSTILE_PATH), st.text(min_size=1, max_size=12)))
        for name in arguments}
    headers = {"Cookie": visitor.cookie, "User-Agent": MOBILE_SAFARI}
    if is_api and visitor.api_token:
        headers["Authorization"] = f"Bearer {visitor.api_token}"
    request = {"method": method, "path": _fill(rule, path_values), "headers": headers}
    own_query = world.query_names[endpoint]
    query = draw(_fields(world, {name: set() for name in own_query})) if own_query else {}
    if draw(st.integers(0, 2)) == 0:  # a name some other page reads
        name = draw(st.sampled_from(sorted(world.query_names["*"])))
        query[name] = draw(_hostile(world.kinds.get(name) or _kind(name)))
    request["query_string"] = query
    if method in ("POST", "PUT", "PATCH", "DELETE"):
        if is_api:
            body = draw(st.one_of(_json_bodies().map(json.dumps),
                                  st.sampled_from(HOSTILE_JSON)))
            request.update(data=body, content_type="application/json")
            return request
        fields = draw(_fields(world, world.form_fields[endpoint]))
        if draw(st.integers(0, 9)):  # usually with the visitor's valid token
            fields["csrf_token"] = visitor.csrf
        for name in sorted(world.file_fields[endpoint]):
            if draw(st.booleans()):
                fields[name] = (draw(st.sampled_from(HOSTILE_FILES)),
                                draw(st.sampled_from(["a.csv", "a.png", "a.pdf", "", "../x"])))
        request["data"] = fields
    return request


def _send(world: World, request: dict):
    data = request.get("data")
    if isinstance(data, dict):  # fresh file objects for every send
        data = {name: (io.BytesIO(value[0]), value[1]) if isinstance(value, tuple) else value
                for name, value in data.items()}
    client = world.app.test_client(use_cookies=False)
    return client.open(request["path"], method=request["method"],
                       query_string=request["query_string"], headers=request["headers"],
                       data=data, content_type=request.get("content_type"))


def _best_visitor(world: World, endpoint: str, is_api: bool) -> str:
    """The visitor the route serves best: one that met it while crawling, staff first."""
    for role in ("merchandiser", "vendor", "admin", "associate", "shopper", "anonymous"):
        if role in world.roles[endpoint] and (role in API_ROLES or not is_api):
            return role
    return "merchandiser" if is_api else "anonymous"


@pytest.mark.parametrize(("rule", "method"), CASES, ids=[f"{m} {r}" for r, m in CASES])
def test_each_field_of_each_route_takes_the_values_that_broke_parsers(world, rule, method):
    """The systematic half: every known field or query parameter of the route gets each
    SWEEP value of its kind, the other fields valid, as the visitor the route serves."""
    endpoint = _endpoint(world, rule, method)
    is_api = rule.startswith("/api/")
    role = _best_visitor(world, endpoint, is_api)
    visitor = world.visitors[role]
    seen = sorted(world.paths[endpoint])  # a path a page linked to or posted to
    path = seen[0] if seen else _fill(rule, {
        name: sorted(world.path_values.get(name) or {"1"})[0]
        for name in re.findall(r"<(?:\w+(?:\([^)]*\))?:)?(\w+)>", rule)})
    headers = {"Cookie": visitor.cookie, "User-Agent": MOBILE_SAFARI}
    if is_api and visitor.api_token:
        headers["Authorization"] = f"Bearer {visitor.api_token}"
    form = {name: sorted(v for v in values if v)[0] if any(values)
            else _default(name, world.kinds.get(name) or _kind(name), world.choices)
            for name, values in world.form_fields[endpoint].items()}
    form["csrf_token"] = visitor.csrf
    posting = method != "GET" and not is_api
    names = sorted(set(world.form_fields[endpoint]) - {"csrf_token"}) if posting else []
    query_names = sorted(world.query_names[endpoint]
                         | ({"next"} if endpoint == "accounts.login" else set()))
    cases = [("form", name, value) for name in names
             for value in SWEEP[world.kinds.get(name) or _kind(name)]]
    cases += [("query", name, value) for name in query_names
              for value in SWEEP[world.kinds.get(name) or _kind(name)]]
    if is_api and method != "GET":
        cases += [("json", "body", body) for body in HOSTILE_JSON]
    for where, name, value in cases:
        request = {"method": method, "path": path, "headers": headers, "query_string": {}}
        if where == "query":
            request["query_string"] = {name: value}
        if posting:
            request["data"] = {**form, name: value} if where == "form" else dict(form)
        if where == "json":
            request.update(data=value, content_type="application/json")
        try:
            with _send(world, request) as response:
                status = response.status_code
        finally:
            if method != "GET":
                world.restore()
        assert status < 500, (role, where, name, value[:40])


@pytest.mark.parametrize(("rule", "method"), CASES, ids=[f"{m} {r}" for r, m in CASES])
def test_no_route_answers_5xx_to_random_or_hostile_input(world, rule, method):
    endpoint = _endpoint(world, rule, method)
    names = len(world.form_fields[endpoint]) + len(world.query_names[endpoint])
    examples = min(EXAMPLES_CAP, max(MAX_EXAMPLES, 2 * names))  # more fields, more examples

    @settings(max_examples=examples, derandomize=True, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(st.data())
    def fuzz(data):
        request = data.draw(_requests(world, rule, method))
        note(repr({**request, "data": str(request.get("data"))[:2000]}))
        try:
            with _send(world, request) as response:
                status = response.status_code
                body = response.get_data()[:500].decode("utf-8", "replace")
        finally:
            if method != "GET":
                world.restore()
        assert status < 500, body

    fuzz()


def test_the_fuzz_knows_every_route(world):
    """Each route is a case; every POST form page the crawl met gave field names."""
    assert {(rule.rule, method) for rule in world.app.url_map.iter_rules()
            for method in rule.methods - SKIPPED_METHODS} == set(CASES)
    assert len(CASES) > 100
    learned = {endpoint for endpoint, names in world.form_fields.items() if names}
    for endpoint in ("offers.offers", "listings.edit", "feedback.feedback", "offers.claim",
                     "content.new_revision", "tags.console_print", "accounts.login",
                     "accounts.admin_create", "offers.pos", "alerts.alerts_signup"):
        assert endpoint in learned, endpoint
    for name in ("code", "listing_id", "product_id", "revision_id", "token", "slug", "table",
                 "name", "sku", "user_id", "offer_id", "review_id", "store_id", "kind"):
        assert world.path_values.get(name), name
    assert isinstance(world.app.url_map.converters["int"](world.app.url_map),
                      IntegerConverter)

