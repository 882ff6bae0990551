"""Console: the retailer's staff at /console/staff (merchandisers only)."""

from __future__ import annotations

from qrshop.accounts.roles import Role
from qrshop.accounts.staff_pages import Surface, add_staff_pages
from qrshop.accounts.views import bp

CONSOLE_STAFF = Surface(name="console_staff", path="/console/staff", role=Role.MERCHANDISER,
                        template="console/staff.html", base_template="console/base.html",
                        title="Staff")

add_staff_pages(bp, CONSOLE_STAFF)
