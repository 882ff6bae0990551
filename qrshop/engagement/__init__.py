"""Shopper engagement: offers and coupons, redemption, wish lists, feedback."""
