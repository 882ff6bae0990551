"""Drop landing_data_version and its triggers: the scan path keeps a tag's page for a second.

The scan handler (shopper/scan.py) now reads a tag again once what it keeps is older than
LANDING_DATA_MAX_AGE_SECONDS, so nothing needs to tell it of changes. The downgrade builds
the counter and its triggers as revision c5a7e3f19d42 made them (with that revision's code).

Revision ID: e4b9d27c6a15
Revises: d3e8a1f0b7c2
Create Date: 2026-12-01 21:45:00.000000

"""
import importlib.util
from pathlib import Path


# revision identifiers, used by Alembic.
revision = 'e4b9d27c6a15'
down_revision = 'd3e8a1f0b7c2'
branch_labels = None
depends_on = None


def _landing_data_version_revision():
    """Revision c5a7e3f19d42's module: its upgrade() builds the counter, its downgrade()
    drops it."""
    path = Path(__file__).with_name("2026_11_30_c5a7e3f19d42_landing_data_version.py")
    spec = importlib.util.spec_from_file_location("qrshop_revision_c5a7e3f19d42", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def upgrade():
    _landing_data_version_revision().downgrade()


def downgrade():
    _landing_data_version_revision().upgrade()
