"""Offers, the coupons shoppers claim from them, their redemption at the till."""
