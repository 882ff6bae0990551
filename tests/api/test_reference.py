"""docs/api-reference.md is what scripts/api_reference.py writes from the code as it stands."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from qrshop.accounts.scopes import ROLE_SCOPES, SCOPES

REPO = Path(__file__).resolve().parent.parent.parent


def _script():
    spec = importlib.util.spec_from_file_location("api_reference",
                                                  REPO / "scripts" / "api_reference.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_reference_page_is_current(client):
    """Fails when an operation or scope changed and the page was not regenerated."""
    script = _script()
    document = client.get("/api/v1/openapi.json").get_json()
    expected = script.render(document, SCOPES, ROLE_SCOPES)
    written = script.PAGE.read_text(encoding="utf-8")
    assert written == expected, (
        "docs/api-reference.md is out of date with the API's operations or scopes: "
        "regenerate it with `python scripts/api_reference.py` and commit the result.")


def test_the_page_lists_every_operation_and_scope_with_who_may_call_it(client):
    document = client.get("/api/v1/openapi.json").get_json()
    page = _script().render(document, SCOPES, ROLE_SCOPES)
    for path, operations in document["paths"].items():
        for method in operations:
            assert f"| {method.upper()} | `{path}` |" in page
    assert "| POST | `/api/v1/redemptions` | Redeem a coupon at a store | associate, " \
           "merchandiser | `redemptions:write` |" in page
    assert "| GET | `/api/v1/me` | Who this token acts as | admin, associate, merchandiser, " \
           "vendor | — |" in page
    for scope in SCOPES:
        assert f"| `{scope}` |" in page
    assert "| `stores:read` | List and read stores. | admin, associate, merchandiser |" in page


def test_the_script_writes_the_page_and_checks_it(tmp_path, monkeypatch, capsys):
    script = _script()
    monkeypatch.setattr(script, "PAGE", tmp_path / "api-reference.md")
    monkeypatch.setattr(script, "REPO", tmp_path)
    assert script.main(["--check"]) == 1
    assert "run python scripts/api_reference.py" in capsys.readouterr().err
    assert script.main([]) == 0
    assert script.main(["--check"]) == 0
    assert (tmp_path / "api-reference.md").read_text().startswith("# API reference")
