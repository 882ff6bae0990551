"""What happened: scans and engagement per listing, store, day and hour, for retailers and
vendors."""
