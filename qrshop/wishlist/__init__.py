"""Wish lists: saving items from a landing page, every device (magic links), the counter QR."""
