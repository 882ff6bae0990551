"""Bulk writes: up to 100 items in one request, each applied on its own and answered on its
own. A refused item (invalid, not found, conflict) leaves nothing of itself stored and does not
stop the others; the answer is 200 with one result per item, in order.

    @bp.post("/tags:bulk")
    @api_roles_required(Role.MERCHANDISER, scope="tags:write")
    @operation(summary=..., body=bulk_body(TagCreate, "TagBulk"),
               responses={200: (BulkResult, "One result per item.")})
    def bulk_create_tags(body):
        return run_bulk(body.items, TagCreate, lambda item: (201, create_tag_json(item)))
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Optional

from flask import jsonify
from pydantic import BaseModel, ConfigDict, Field, ValidationError, WithJsonSchema, create_model
from werkzeug.exceptions import HTTPException

from qrshop.errors import InvalidInput
from qrshop.extensions import db

MAX_BULK = 100


class BulkItemResult(BaseModel):
    """What happened to one item of a bulk request."""

    model_config = ConfigDict(title="BulkItemResult")

    index: int = Field(description="The item's position in the request, from 0.")
    status: int = Field(description="The HTTP status this item would have had on its own.")
    data: Optional[dict[str, Any]] = Field(None, description="The stored object (success).")
    error: Optional[str] = Field(None, description="Machine code of the refusal.")
    message: Optional[str] = Field(None, description="Why the item was refused.")


class BulkResult(BaseModel):
    """The answer to a bulk request: one result per item, in order."""

    model_config = ConfigDict(title="BulkResult")

    results: list[BulkItemResult]
    succeeded: int
    failed: int


def bulk_body(item: type[BaseModel], name: str, *, max_items: int = MAX_BULK
              ) -> type[BaseModel]:
    """The body model {"items": [item, ...]} (1 to max_items items, 100 unless told). Items
    are checked one by one by run_bulk, so one bad item does not refuse the rest; the OpenAPI
    document shows item's schema."""
    schema = item.model_json_schema()
    schema = _inlined(schema, schema.pop("$defs", {}))
    items_type = Annotated[list[dict[str, Any]], WithJsonSchema(
        {"type": "array", "minItems": 1, "maxItems": max_items, "items": schema})]
    return create_model(name, __config__=ConfigDict(title=name, extra="forbid"),
                        __doc__=f"Up to {max_items} items, each applied and answered on its own.",
                        items=(items_type, Field(min_length=1, max_length=max_items)))


def _inlined(schema: Any, defs: dict) -> Any:
    """The schema with its nested models' $refs replaced by their definitions (a bulk
    item's schema is embedded in another, where its own $defs would not resolve)."""
    if isinstance(schema, dict):
        ref = schema.get("$ref", "")
        if ref.startswith("#/$defs/") and ref[8:] in defs:
            return _inlined(defs[ref[8:]], defs)
        return {key: _inlined(value, defs) for key, value in schema.items()}
    if isinstance(schema, list):
        return [_inlined(value, defs) for value in schema]
    return schema


def _first_error(error: ValidationError) -> str:
    problem = error.errors()[0]
    where = ".".join(str(part) for part in problem["loc"]) or "item"
    return f"{where}: {problem['msg']}"


def run_bulk(items: list[dict[str, Any]], item: type[BaseModel],
             apply: Callable[[Any], tuple[int, dict]]):
    """Apply each item (validated as item) in its own savepoint; the JSON answer of run."""
    results: list[dict[str, Any]] = []
    for index, raw in enumerate(items):
        try:
            parsed = item.model_validate(raw)
        except ValidationError as error:
            results.append({"index": index, "status": 422, "error": "invalid_input",
                            "message": _first_error(error)})
            continue
        savepoint = db.session.begin_nested()
        try:
            status, data = apply(parsed)
        except InvalidInput as refusal:
            savepoint.rollback()
            results.append({"index": index, "status": refusal.status_code,
                            "error": refusal.code, "message": refusal.message})
            continue
        except HTTPException as refusal:
            savepoint.rollback()
            results.append({"index": index, "status": refusal.code or 400,
                            "error": (refusal.name or "error").lower().replace(" ", "_"),
                            "message": refusal.description or ""})
            continue
        savepoint.commit()
        results.append({"index": index, "status": status, "data": data})
    failed = sum(1 for result in results if result["status"] >= 400)
    return jsonify(results=results, succeeded=len(results) - failed, failed=failed)
