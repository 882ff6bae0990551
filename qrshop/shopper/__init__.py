"""Landing pages, shopper identity and scan recording."""
