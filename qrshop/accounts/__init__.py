"""Users, roles, retailers, stores and vendors."""
