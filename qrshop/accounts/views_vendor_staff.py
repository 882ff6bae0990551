"""Vendor portal: the vendor's users at /vendor/staff."""

from __future__ import annotations

from qrshop.accounts.roles import Role
from qrshop.accounts.staff_pages import Surface, add_staff_pages
from qrshop.accounts.views import bp

VENDOR_STAFF = Surface(name="vendor_staff", path="/vendor/staff", role=Role.VENDOR,
                       template="vendor/staff.html", base_template="vendor/base.html",
                       title="Colleagues")

add_staff_pages(bp, VENDOR_STAFF)
