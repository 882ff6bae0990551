"""The API contract: /api/v1/openapi.json describes every endpoint, and the API keeps to it.

schemathesis generates requests from the document (valid and invalid ones) and checks every
answer: never a 5xx, always a documented status with a body matching its schema.
"""

from __future__ import annotations

import re

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from openapi_spec_validator import validate
from schemathesis.checks import (
    ignored_auth,
    negative_data_rejection,
    positive_data_acceptance,
)
from schemathesis.core.parameters import ParameterLocation

from qrshop import create_app
from qrshop.accounts.scopes import role_scopes
from qrshop.accounts.services import create_api_token
from qrshop.extensions import db
from tests.factories import make_shop, make_user


def test_openapi_document_is_valid_and_lists_the_api(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.get_json()
    validate(document)
    assert document["openapi"].startswith("3.1")
    assert "/api/v1/me" in document["paths"]
    assert document["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def test_schemathesis_covers_every_api_operation(app):
    """Every /api/v1 route and method (but the document itself) is an operation in the
    document, so the contract test below fuzzes all of them."""
    document = app.test_client().get("/api/v1/openapi.json").get_json()
    documented = {(path, method.upper()) for path, operations in document["paths"].items()
                  for method in operations}
    routed = {(re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule), method)
              for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/")
              and rule.rule != "/api/v1/openapi.json"
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert routed == documented


class _AppUnderTest:
    """WSGI app that forwards to the current test's app (schemathesis needs one at import)."""

    target = create_app({"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://"})

    def __call__(self, environ, start_response):
        return self.target(environ, start_response)


_forward = _AppUnderTest()
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", _forward)


# The party whose token calls an operation, first that may: the one with the most data.
ROLE_PREFERENCE = ("merchandiser", "associate", "vendor", "admin")


def caller_role(entry: dict) -> str:
    """The role whose token calls an operation (its document entry): the first of
    ROLE_PREFERENCE that may call it (`x-roles`, the same roles as its description's
    "Callable by: ...") and whose tokens may hold its scope (the bearerAuth requirement, as
    "Scope: ..."). The tokens here hold every scope of their role."""
    roles = entry.get("x-roles") or list(ROLE_PREFERENCE)
    scopes = [scope for requirement in entry.get("security", [])
              for scope in requirement.get("bearerAuth", [])]
    for role in ROLE_PREFERENCE:
        if role in roles and all(scope in role_scopes(role) for scope in scopes):
            return role
    raise AssertionError(f"no role may call {entry.get('operationId')}: its roles {roles} "
                         f"cannot hold its scope {scopes}")


def test_the_caller_is_a_role_allowed_to_call_the_operation(client):
    def entry(roles, scope=None):
        return {"x-roles": roles, "security": [{"bearerAuth": [scope] if scope else []}]}

    assert caller_role(entry(["associate", "merchandiser"], "coupons:read")) == "merchandiser"
    assert caller_role(entry(["admin", "merchandiser"], "stores:write")) == "admin"
    assert caller_role(entry(["merchandiser", "vendor"], "media:write")) == "vendor"
    assert caller_role(entry(["admin", "associate", "merchandiser", "vendor"])) == "merchandiser"
    with pytest.raises(AssertionError):
        caller_role(entry(["associate"], "tags:write"))
    # Every operation of the app has a caller, and its description names the same roles.
    document = client.get("/api/v1/openapi.json").get_json()
    for operations in document["paths"].values():
        for operation in operations.values():
            if "x-roles" in operation:
                assert caller_role(operation) in operation["x-roles"]
                assert "Callable by: " + ", ".join(operation["x-roles"]) + "." \
                    in operation["description"]


@pytest.fixture
def api_tokens(app):
    """A shop, one API token per party, and the test's app behind the forwarder."""
    # Thousands of generated calls per token: the rate limit is tested in test_rate_limits.
    app.config["API_RATE_LIMIT"] = "1000000/minute"
    make_shop()
    tokens = {}
    for role, links in (("merchandiser", {"retailer_slug": "acme"}),
                        ("associate", {"retailer_slug": "acme", "store_code": "NYC01"}),
                        ("vendor", {"vendor_slug": "widgetco"}),
                        ("admin", {})):
        user = make_user(role, **links)
        tokens[role] = create_api_token(user, "contract test")[1]
    db.session.commit()
    _forward.target = app
    yield tokens
    _forward.target = _AppUnderTest.target


def _per_item(path: str) -> bool:
    """A bulk write answered per item: the :bulk paths and the POS sales feed."""
    return path.endswith(":bulk") or path == "/api/v1/sales"


@schema.parametrize()
@settings(max_examples=40, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_api_keeps_its_contract(case, api_tokens):
    role = caller_role(case.operation.definition.raw)
    # Cross-field rules (from <= to, a range of at most 366 days, a code already redeemed)
    # cannot be written in JSON Schema: such schema-valid requests get a documented 4xx by
    # design, so "every schema-valid request is accepted" is not checked. Everything else is.
    excluded = [positive_data_acceptance]
    if _per_item(case.operation.path):
        # A bulk write answers each item on its own (qrshop/api/bulk.py): an item that breaks
        # its schema is refused as that item's 422 inside a 200, never the whole request.
        # tests/api/test_bulk_writes.py checks those per-item answers.
        excluded.append(negative_data_rejection)
    if case.meta is not None and case.meta.is_negative_at(ParameterLocation.HEADER):
        # A case made invalid by leaving out the Authorization header becomes valid once our
        # token is added; its answer is rightly a 2xx (tokens: test_tokens, test_scopes).
        excluded.append(negative_data_rejection)
    case.call_and_validate(headers={"Authorization": f"Bearer {api_tokens[role]}"},
                           excluded_checks=excluded)


def test_a_query_parameter_given_twice_is_refused(app, client):
    """?limit=3&limit=junk is a 422 naming the parameter, never whichever value wins."""
    from qrshop.accounts.services import create_api_token
    from tests.factories import make_shop, make_user

    make_shop()
    _, token = create_api_token(make_user("merchandiser", retailer_slug="acme"), "test")
    db.session.commit()
    response = client.get("/api/v1/listings?limit=3&limit=junk",
                          headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 422
    assert response.get_json()["error"] == "invalid_input"
    assert "limit" in response.get_json()["message"]


def test_api_keeps_its_contract_across_linked_calls(api_tokens):
    """Stateful: schemathesis chains operations along the links it infers between them (a
    listing PUT, then its GET, ...), checking each answer as above."""
    base = schema.as_state_machine()

    class LinkedCalls(base):
        def before_call(self, case):
            role = caller_role(case.operation.definition.raw)
            case.headers = {**(case.headers or {}),
                            "Authorization": f"Bearer {api_tokens[role]}"}

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            # Our token replaces any auth schemathesis made up (ignored_auth would read that
            # as "invalid auth accepted"); tokens are tested in test_tokens and test_scopes.
            excluded = [positive_data_acceptance, ignored_auth]
            if _per_item(case.operation.path):
                excluded.append(negative_data_rejection)  # per-item 422s, as above
            case.validate_response(response, excluded_checks=excluded)

    # derandomize: the same generated calls every run, so CI never meets a new flaky case.
    LinkedCalls.run(settings=settings(max_examples=30, stateful_step_count=6, deadline=None,
                                      derandomize=True,
                                      suppress_health_check=list(HealthCheck)))
