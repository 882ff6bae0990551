"""Products (GTIN) and the listings of retailers that carry them."""
