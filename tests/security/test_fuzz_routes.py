"""Property-based fuzzing of every route: random and hostile path, query and form values,
sent as every kind of visitor, never answer 5xx (security review, item 7).

The world is built once for the module: a scene with two retailers, vendors, staff of
every role, a live revision, an offer, a claimed coupon, feedback, emailed links. Then every
GET page is crawled as every role to learn what a browser would send: the forms (their
field names, hidden values and select options) and the links (valid path values and query
names). Field names are also read from the views' source (`request.form.get("...")`, the
WTForms forms they build). For each route and method Hypothesis then draws a visitor
(anonymous, shopper cookie, vendor, merchandiser, associate, admin), path values (seeded ids,
codes and tokens, or hostile ones), and query or form fields (the route's own names and
random ones; values valid, random or hostile), and asserts the answer is below 500.

Seeded with derandomize=True, so every run sends the same requests; the examples per route
are few (MAX_EXAMPLES) to keep the module near a minute on 2 cores, while every route and
method is exercised. Raise QRSHOP_FUZZ_EXAMPLES to fuzz harder locally.
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
from tests.helpers import claim_coupon, form_fields, make_offer

MAX_EXAMPLES = int(os.environ.get("QRSHOP_FUZZ_EXAMPLES", "12"))
ROLES = ("anonymous", "shopper", "vendor", "merchandiser", "associate", "admin")
API_ROLES = ("vendor", "merchandiser", "associate", "admin")
SKIPPED_METHODS = {"HEAD", "OPTIONS"}

HOSTILE = [
    "", " ", "0", "-1", "1", "2", "²", "٣", "1e999999999", "NaN", "inf", "-0", "0x1F",
    "9" * 5000, str(2**31), str(2**63), str(2**64), "99999999999999999999", "1.5", "1,5",
    "9999-12-31", "0001-01-01", "2026-02-30", "9999-12-31T23:59", "0001-01-01T00:00",
    "²⁰²⁶-01-01", "=cmd|' /C calc'!A0", "+1", "@SUM(A1)", "<script>alert(1)</script>",
    "../../etc/passwd", "https://[::1", "//evil.example", "/\\evil.example",
    "/console\r\nSet-Cookie: x=1", "\x00", "a\x00b", "\u202e", "\ud7ff", "x" * 70_000,
    "true", "null", "[]", "{}", "yes", "no", "on", "confirm", "import", "preview", "remove",
    "approve", "changes", "percent", "amount", "perk", "merchandiser", "admin", "associate",
    "vendor", "NYC01", "nyc01", "acme", "widgetco", "USD", "JPY",
]
HOSTILE_PATH = ["0", str(2**31), str(2**63), "9" * 5000, "²", "٣", "-1", "x", "%00", "..",
                "a" * 300, "%FF%FE", "<x>", "1.0", " "]
HOSTILE_FILES = [
    b"", b"\x00\x01\x02", b"sku,gtin,price,currency\nA,1,1,USD\n",
    b"gtin,name,brand\n" + b"1," + b'"' + b"x" * 140_000 + b'",b\n',
    b"sku,gtin,price,currency\n" + b"S,4000000000012,9" * 2 + b"\n",
    "gtin,name,brand\n=cmd,=1+1,@SUM\n".encode(), b"\xff\xfe\x00g\x00t",
    b"%PDF-1.4\n%\xe2\xe3", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40,
]


@dataclass
class Form:
    """A form on a crawled page: where it posts and what it holds."""

    action: str
    method: str
    fields: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
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
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
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
    staff_rows: dict[int, dict]
    path_values: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    form_fields: dict[str, dict[str, set[str]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(set)))
    file_fields: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    query_names: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))

    def restore_staff(self) -> None:
        """Undo what a fuzzed request did to the visitors' own accounts (deactivated,
        demoted, logged out everywhere), so each example starts as the same visitor."""
        db.session.rollback()
        for user_id, row in self.staff_rows.items():
            db.session.execute(update(User).where(User.id == user_id).values(**row))
        db.session.commit()


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


def _visitors(app, runner, scene) -> tuple[dict[str, Visitor], dict[int, dict]]:
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
    staff_rows = {}
    for role, email in emails.items():
        client = _login(app, email)
        user = user_by_email(email)
        visitors[role] = Visitor(cookie=_cookie_header(client, retailer_ids),
                                 csrf=_csrf_of(client, "/password/forgot"),
                                 api_token=create_api_token(user, "fuzz")[1])
        staff_rows[user.id] = {column: getattr(user, column) for column in (
            "is_active_user", "deactivated_at", "role", "session_version", "retailer_id",
            "vendor_id", "store_id")}
    db.session.commit()
    return visitors, staff_rows


def _source_names(app) -> tuple[dict[str, set[str]], dict[str, set[str]], set[str]]:
    """Form field names per endpoint, file fields per endpoint (from the views' source and
    the WTForms forms they build), and every query parameter name the code reads."""
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
    form_names, file_names, query_names = defaultdict(set), defaultdict(set), set()
    for endpoint, view in app.view_functions.items():
        try:
            source = inspect.getsource(inspect.unwrap(view))
        except (OSError, TypeError):
            continue
        form_names[endpoint] |= set(re.findall(
            r"request\.form\.(?:get|getlist)\(\s*\"([^\"]+)\"", source))
        for form_name in re.findall(r"\b(\w+Form)\(", source):
            for name, unbound in forms.get(form_name, {}).items():
                form_names[endpoint].add(name)
                if issubclass(unbound.field_class, FileField):
                    file_names[endpoint].add(name)
    import qrshop

    for path in qrshop.__path__:
        for module in __import__("pathlib").Path(path).rglob("*.py"):
            text = module.read_text()
            query_names |= set(re.findall(r"args(?:\.get|\.getlist)?\(\s*\"(\w+)\"", text))
            query_names |= set(re.findall(r"args\[\s*\"(\w+)\"\s*\]", text))
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
        visitors, staff_rows = _visitors(app, app.test_cli_runner(), scene)
        world = World(app, visitors, staff_rows)
        names, files, query_names = _source_names(app)
        for endpoint, field_names in names.items():
            for name in field_names:
                world.form_fields[endpoint][name]  # noqa: B018  (known name, no value yet)
            world.file_fields[endpoint] |= files[endpoint]
        world.query_names["*"] = query_names
        from qrshop.catalog.models import Listing

        world.path_values["sku"] |= set(db.session.scalars(select(Listing.sku)))  # API only
        _emailed_links(world)
        _crawl(world, scene)
        _emailed_links(world)
        world.restore_staff()
        yield world
        app.extensions["qrshop.scan_fast_path"].close()
        db.session.remove()
        with db.engine.begin() as connection:
            for table in reversed(db.metadata.sorted_tables):
                connection.execute(table.delete())
        db.engine.dispose()


# ---- the property ------------------------------------------------------------------------

def _values(known: set[str]) -> st.SearchStrategy[str]:
    """A value for a field or parameter: one seen on a page, a hostile one, or random."""
    choices = [st.sampled_from(HOSTILE), st.text(max_size=30),
               st.integers(-(2**70), 2**70).map(str)]
    if known:
        choices.insert(0, st.sampled_from(sorted(known)))
    return st.one_of(*choices)


def _json_bodies() -> st.SearchStrategy:
    scalars = st.one_of(st.none(), st.booleans(), st.integers(-(2**70), 2**70),
                        st.sampled_from(HOSTILE[:40]), st.text(max_size=20))
    keys = st.sampled_from(["code", "store", "sale_amount_cents", "gtin", "price_cents",
                            "currency", "name", "brand", "sku", "limit", "x"])
    return st.recursive(scalars, lambda children: st.lists(children, max_size=3)
                        | st.dictionaries(keys, children, max_size=5), max_leaves=8)


@st.composite
def _requests(draw, world: World, rule: str, method: str):
    """A request for one route: visitor, path, query or form fields, maybe a file or JSON."""
    is_api = rule.startswith("/api/")
    role = draw(st.sampled_from(API_ROLES + ("anonymous",) if is_api else ROLES))
    visitor = world.visitors[role]
    endpoint = next(r.endpoint for r in world.app.url_map.iter_rules() if r.rule == rule
                    and method in r.methods)
    arguments = re.findall(r"<(?:\w+(?:\([^)]*\))?:)?(\w+)>", rule)
    path_values = {name: draw(st.one_of(
        st.sampled_from(sorted(world.path_values.get(name) or {"1"})),
        st.sampled_from(HOSTILE_PATH), st.text(min_size=1, max_size=12)))
        for name in arguments}
    headers = {"Cookie": visitor.cookie, "User-Agent": MOBILE_SAFARI}
    if is_api and visitor.api_token:
        headers["Authorization"] = f"Bearer {visitor.api_token}"
    request = {"method": method, "path": _fill(rule, path_values), "headers": headers}
    query_names = sorted(world.query_names[endpoint] | world.query_names["*"])
    request["query_string"] = draw(st.dictionaries(
        st.sampled_from(query_names) | st.text(min_size=1, max_size=8), _values(set()),
        max_size=4))
    if method in ("POST", "PUT", "PATCH", "DELETE"):
        if is_api:
            body = draw(st.one_of(_json_bodies().map(json.dumps),
                                  st.sampled_from(["[" * 5000, "{", "", "9" * 5000])))
            request.update(data=body, content_type="application/json")
            return request
        known = world.form_fields[endpoint]
        fields = draw(st.fixed_dictionaries({}, optional={
            name: _values(values) for name, values in sorted(known.items())}))
        fields.update(draw(st.dictionaries(st.text(min_size=1, max_size=8), _values(set()),
                                           max_size=2)))
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


@pytest.mark.parametrize(("rule", "method"), CASES, ids=[f"{m} {r}" for r, m in CASES])
def test_no_route_answers_5xx_to_random_or_hostile_input(world, rule, method):
    @settings(max_examples=MAX_EXAMPLES, derandomize=True, deadline=None, database=None,
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
                world.restore_staff()
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
