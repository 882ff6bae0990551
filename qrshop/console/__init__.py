"""Staff pages that compose several features: the retailer console's home (with its
first-run checklist) and the vendor portal's home.

It sits above the features: it calls their queries, no feature imports it.
"""
