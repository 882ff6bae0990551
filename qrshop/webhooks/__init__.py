"""Webhooks: signed HTTP callbacks (Standard Webhooks) about what happens in a retailer's shop."""
