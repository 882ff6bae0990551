"""Recommendations: curated "complete the look" listings and co-scans."""
