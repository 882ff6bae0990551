"""One description per API operation: it validates requests and generates the OpenAPI document.

A view declares its operation with @operation(...): the pydantic models that parse its JSON
body or query string, and its responses (a pydantic model for JSON, or a media type such as
"image/png" or "application/pdf" for a file); api_roles_required above it says who may call it.
The same models are turned into /api/v1/openapi.json, so the document cannot drift from what
the code accepts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import wraps
from typing import Any

from flask import Flask, request
from pydantic import BaseModel, ConfigDict, ValidationError

from qrshop.api import idempotency
from qrshop.errors import InvalidInput

API_VERSION = "1.0.0"


class ErrorBody(BaseModel):
    """Every API error: a machine code and a message a person can act on."""

    model_config = ConfigDict(title="Error")

    error: str
    message: str


STANDARD_ERRORS = {
    400: "Malformed request (not JSON, or not the expected shape of body).",
    401: "Missing, unknown or revoked API token.",
    403: "forbidden: the token's user may not do this; insufficient_scope: the token lacks "
         "the operation's scope.",
    422: "Invalid input; `message` says which field and why.",
    429: "rate_limited: the token used up its requests of the window; wait `Retry-After` "
         "seconds.",
}

# What every POST may also answer, for its Idempotency-Key (qrshop/api/idempotency.py).
IDEMPOTENCY_ERRORS = {
    409: "idempotency_key_in_use: a request with this Idempotency-Key is still running.",
    422: "idempotency_key_reused: this Idempotency-Key was used with another path or body; "
         "invalid_input: the key (or another input) is not valid.",
}

# The rate-limit headers of every answer to a valid token (qrshop/accounts/api_limits.py).
RATE_LIMIT_HEADERS = {
    "RateLimit-Limit": "Requests this token may make per window.",
    "RateLimit-Remaining": "Requests left in the current window.",
    "RateLimit-Reset": "Seconds until the current window ends.",
}


@dataclass
class Operation:
    """What one API endpoint accepts and answers."""

    summary: str
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    multipart: dict[str, str] | None = None  # form field name -> description (files)
    # status -> (JSON model, or the media type of a binary body such as "image/png"; text)
    responses: dict[int, tuple[type[BaseModel] | str | None, str]] = field(default_factory=dict)
    tags: tuple[str, ...] = ()


def _first_error(error: ValidationError) -> str:
    problem = error.errors()[0]
    where = ".".join(str(part) for part in problem["loc"]) or "body"
    return f"{where}: {problem['msg']}"


def operation(**spec):
    """Declare an API operation; parsed `body` / `query` models are passed to the view."""
    op = Operation(**spec)

    def decorator(view):
        def validated(*args, **kwargs):
            if op.body is not None:
                payload = request.get_json(silent=True)
                if payload is None:
                    raise InvalidInput("Send a JSON object body with Content-Type "
                                       "application/json.", code="bad_request", status_code=400)
                try:
                    kwargs["body"] = op.body.model_validate(payload)
                except ValidationError as error:
                    raise InvalidInput(_first_error(error)) from None
            if op.query is not None:
                repeated = [name for name in request.args
                            if len(request.args.getlist(name)) > 1]
                if repeated:
                    # ?limit=3&limit=x must not quietly mean whichever value a parser keeps.
                    raise InvalidInput(f"Give the query parameter {repeated[0]} only once.")
                try:
                    kwargs["query"] = op.query.model_validate(request.args.to_dict())
                except ValidationError as error:
                    raise InvalidInput(_first_error(error)) from None
            return view(*args, **kwargs)

        @wraps(view)
        def wrapped(*args, **kwargs):
            if request.method == "POST":
                # Before the body is validated: a refused body is an answer a retry gets too.
                return idempotency.run_idempotently(validated, *args, **kwargs)
            return validated(*args, **kwargs)

        wrapped.openapi = op
        return wrapped

    return decorator


def binary_schema(media_type: str) -> dict[str, Any]:
    """The schema of a file answered as is (OpenAPI 3.1: a string of that media type)."""
    return {"type": "string", "contentMediaType": media_type}


def _path_template(rule: str) -> tuple[str, list[str]]:
    names = re.findall(r"<(?:[^:<>]+:)?([^<>]+)>", rule)
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule), names


def _document_rate_limit_headers(responses: dict[str, Any]) -> None:
    """Every answer to a valid token carries the RateLimit-* headers; a 429 Retry-After."""
    for status, response in responses.items():
        if status == "401":
            continue  # no valid token: nothing was counted
        headers = response.setdefault("headers", {})
        for name, description in RATE_LIMIT_HEADERS.items():
            headers[name] = {"description": description,
                             "schema": {"type": "integer", "minimum": 0}}
        if status == "429":
            headers["Retry-After"] = {"description": "Seconds to wait before trying again.",
                                      "schema": {"type": "integer", "minimum": 0}}


def build_openapi(app: Flask, base_url: str) -> dict[str, Any]:
    """The OpenAPI 3.1 document for every declared operation of the app."""
    schemas: dict[str, Any] = {}

    def ref(model: type[BaseModel]) -> dict[str, str]:
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        for name, definition in schema.pop("$defs", {}).items():
            schemas[name] = definition
        name = schema.get("title", model.__name__)
        schemas[name] = schema
        return {"$ref": f"#/components/schemas/{name}"}

    error_ref = ref(ErrorBody)
    paths: dict[str, Any] = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        view = app.view_functions[rule.endpoint]
        op = getattr(view, "openapi", None)
        if op is None:
            continue
        # Set by api_roles_required, which wraps the operation (auth is checked first).
        roles = sorted(getattr(view, "allowed_roles", ()))
        scope = getattr(view, "scope", None)
        path, names = _path_template(rule.rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            entry: dict[str, Any] = {
                "operationId": rule.endpoint.replace(".", "_") + "_" + method.lower(),
                "summary": op.summary,
                "tags": list(op.tags),
                "parameters": [
                    {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
                    for name in names
                ],
                "responses": {},
            }
            if method == "POST":
                entry["parameters"].append(idempotency.header_parameter())
            if roles:
                # x-roles: the same roles, for programs (the reference page, the contract test).
                entry["x-roles"] = roles
                entry["security"] = [{"bearerAuth": [scope] if scope else []}]
                entry["description"] = "Callable by: " + ", ".join(roles) + "." + (
                    f" Scope: {scope}." if scope else "")
            if op.query is not None:
                query_schema = op.query.model_json_schema()
                for name, prop in query_schema.get("properties", {}).items():
                    entry["parameters"].append({
                        "name": name, "in": "query",
                        "required": name in query_schema.get("required", []),
                        "schema": prop,
                    })
            if op.body is not None:
                entry["requestBody"] = {
                    "required": True,
                    "content": {"application/json": {"schema": ref(op.body)}},
                }
            if op.multipart:
                entry["requestBody"] = {
                    "required": True,
                    "content": {"multipart/form-data": {"schema": {
                        "type": "object",
                        "required": list(op.multipart),
                        "properties": {
                            name: {"type": "string", "format": "binary", "description": text}
                            for name, text in op.multipart.items()
                        },
                    }}},
                }
            for status, (model, description) in sorted(op.responses.items()):
                response: dict[str, Any] = {"description": description}
                if isinstance(model, str):
                    response["content"] = {model: {"schema": binary_schema(model)}}
                elif model is not None or status >= 400:
                    schema = ref(model) if model is not None else error_ref
                    response["content"] = {"application/json": {"schema": schema}}
                entry["responses"][str(status)] = response
            errors = dict(STANDARD_ERRORS)
            if method == "POST":
                for status, description in IDEMPOTENCY_ERRORS.items():
                    errors[status] = " ".join(filter(None, (errors.get(status), description)))
                    if str(status) in entry["responses"]:
                        own = entry["responses"][str(status)]
                        own["description"] += " Or " + description
            for status, description in errors.items():
                if status in (401, 403) and not roles:
                    continue
                if status == 400 and op.body is None and not op.multipart:
                    continue
                entry["responses"].setdefault(str(status), {
                    "description": description,
                    "content": {"application/json": {"schema": error_ref}},
                })
            if roles:
                _document_rate_limit_headers(entry["responses"])
            paths.setdefault(path, {})[method.lower()] = entry
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "qrshop API",
            "version": API_VERSION,
            "description": "Bearer-token JSON API. Errors are {\"error\", \"message\"}.",
        },
        "servers": [{"url": base_url}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
        },
    }
