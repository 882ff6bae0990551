"""A non-editable install carries the templates, migrations and static files."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_wheel_contains_templates_and_migrations(tmp_path):
    subprocess.run(
        [sys.executable, "-m", "hatchling", "build", "-t", "wheel", "-d", str(tmp_path)],
        cwd=ROOT, check=True, capture_output=True,
    )
    [wheel] = tmp_path.glob("qrshop-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for template in (ROOT / "templates").rglob("*.html"):
        assert f"qrshop/templates/{template.relative_to(ROOT / 'templates')}" in names
    assert "qrshop/migrations/env.py" in names
    assert "qrshop/migrations/alembic.ini" in names
    assert any(name.startswith("qrshop/migrations/versions/") for name in names)
    assert any(name.endswith("entry_points.txt") for name in names)
