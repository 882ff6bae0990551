"""Shoppers' ratings and comments, and the reports of them for retailers and vendors."""
