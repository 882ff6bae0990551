"""Alerts about an item: subscriptions with consent, the outbox and its sending."""
