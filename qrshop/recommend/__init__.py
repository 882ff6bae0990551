"""Recommendations: "complete the look" curated by merchandisers, then co-scanned, then same
vendor."""
