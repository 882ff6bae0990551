"""The API's files (QR images, print jobs) keep to the OpenAPI document: schemathesis calls
each with a real tag and validates the answer (status, media type, body)."""

from __future__ import annotations

import pytest
import schemathesis

from tests.api.helpers import bearer
from tests.factories import make_shop, make_user


@pytest.mark.parametrize("path, method, parameters", [
    ("/api/v1/tags/{code}/qr.svg", "GET", {}),
    ("/api/v1/tags/{code}/qr.png", "GET", {"query": {"size": 200}}),
    ("/api/v1/print-jobs", "POST", {"body": {"store": "NYC01", "layout": "avery-5160",
                                            "codes": ["{code}"]}}),
])
def test_file_answers_match_their_documented_media_type(app, path, method, parameters):
    shop = make_shop()
    headers = bearer(make_user("merchandiser", retailer_slug="acme"))
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operation = schema[path][method]
    if "body" in parameters:
        parameters = {"body": {**parameters["body"], "codes": [shop.tag.code]}}
    else:
        parameters = {**parameters, "path_parameters": {"code": shop.tag.code}}
    case = operation.Case(**parameters)
    response = case.call_and_validate(headers=headers)
    assert response.status_code == 200
    documented = operation.definition.raw["responses"]["200"]["content"]
    media_type = {name.lower(): value for name, value in response.headers.items()}["content-type"]
    assert list(documented) == [media_type[0].split(";")[0]]
