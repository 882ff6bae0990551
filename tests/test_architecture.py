"""The feature boundaries of docs/architecture.md hold: `lint-imports` keeps every contract,
every feature has its contract, every exception is explained, and a contract really fails
on a forbidden import."""

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PYPROJECT = REPO / "pyproject.toml"
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def contracts() -> list[dict]:
    return tomllib.loads(PYPROJECT.read_text())["tool"]["importlinter"]["contracts"]


def features() -> set[str]:
    return {init.parent.name for init in (REPO / "qrshop").glob("*/__init__.py")
            if init.parent.name != "migrations"}


def lint(cwd: Path, *args: str, pythonpath: Path | None = None
         ) -> subprocess.CompletedProcess:
    env = None
    if pythonpath is not None:
        env = {**os.environ, "PYTHONPATH": str(pythonpath)}
    return subprocess.run([str(LINT_IMPORTS), "--no-cache", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


def test_lint_imports_keeps_every_contract():
    result = lint(REPO)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_every_feature_has_a_models_contract_forbidding_every_other_features_models():
    by_id = {contract["id"]: contract for contract in contracts()}
    for feature in features():
        contract = by_id[f"{feature}-models"]
        assert contract["source_modules"] == [f"qrshop.{feature}"]
        assert contract["allow_indirect_imports"] is True
        others = {f"qrshop.{other}.models" for other in features() - {feature}
                  if (REPO / "qrshop" / other / "models.py").exists()}
        assert set(contract["forbidden_modules"]) == others
    core = by_id["core"]
    assert set(core["forbidden_modules"]) == {f"qrshop.{feature}" for feature in features()}
    assert by_id["cycles"]["type"] == "acyclic_siblings"


def test_every_ignored_import_says_why_and_read_models_are_documented():
    lines = PYPROJECT.read_text().splitlines()
    architecture = (REPO / "docs" / "architecture.md").read_text()
    section = lines[next(i for i, line in enumerate(lines) if line == "[tool.importlinter]"):]
    ignored = [i for i, line in enumerate(section) if re.fullmatch(r'\s+"qrshop\.\S+ -> \S+",',
                                                                   line)]
    assert ignored
    for i in ignored:
        reason = section[i - 1].strip()
        assert reason.startswith(("# read model:", "# TODO(issue 14)")), section[i]
        if reason.startswith("# read model:"):
            importer = section[i].split('"')[1].split(" -> ")[0]
            assert f"`{importer}`" in architecture, importer


def test_a_forbidden_models_import_breaks_the_contract(tmp_path):
    package = tmp_path / "shop"
    for name in ("", "catalog", "offers"):
        (package / name).mkdir(exist_ok=True)
        (package / name / "__init__.py").write_text("")
    (package / "catalog" / "models.py").write_text("class Listing:\n    pass\n")
    (package / "catalog" / "queries.py").write_text(
        "from shop.catalog.models import Listing\n\n\ndef listing():\n    return Listing()\n")
    (package / "offers" / "services.py").write_text("from shop.catalog import queries\n")
    config = tmp_path / ".importlinter"
    config.write_text(
        "[importlinter]\nroot_package = shop\n\n"
        "[importlinter:contract:offers-models]\nname = offers reads catalog through queries\n"
        "type = forbidden\nsource_modules = shop.offers\nforbidden_modules = shop.catalog.models\n"
        "allow_indirect_imports = true\n")
    assert lint(tmp_path, pythonpath=tmp_path).returncode == 0  # through queries: fine

    (package / "offers" / "services.py").write_text("from shop.catalog.models import Listing\n")
    result = lint(tmp_path, pythonpath=tmp_path)
    assert result.returncode == 1
    assert "shop.offers.services -> shop.catalog.models" in result.stdout
