"""Vendor content: media, templates, revisions and reviews."""
