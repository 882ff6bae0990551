"""Where a store is: its time zone, latitude and longitude, the distance between two."""

from __future__ import annotations

import math
import re
from functools import cache
from typing import Optional
from zoneinfo import available_timezones

from qrshop.errors import InvalidInput

# One number of degrees as a person types it: -84.388, 33.7490, 12.
LOCATION_NUMBER = re.compile(r"-?[0-9]{1,3}(\.[0-9]{1,10})?")
EARTH_RADIUS_KM = 6371.0088  # the mean radius (IUGG)
MAX_TIMEZONE = 64

@cache
def _time_zones() -> frozenset[str]:
    return frozenset(available_timezones())


def check_timezone(timezone: str) -> str:
    """An IANA time zone name such as America/New_York, or InvalidInput."""
    timezone = (timezone or "").strip()
    if len(timezone) > MAX_TIMEZONE or timezone not in _time_zones():
        raise InvalidInput(
            f"Unknown time zone {timezone[:64]!r}; use a name like America/New_York."
        )
    return timezone


def check_location(latitude: Optional[float], longitude: Optional[float]
                   ) -> tuple[Optional[float], Optional[float]]:
    """A store's place in WGS 84 degrees: both or neither (None, None)."""
    if latitude is None and longitude is None:
        return None, None
    if latitude is None or longitude is None:
        raise InvalidInput("Give both latitude and longitude, or neither.")
    if not (isinstance(latitude, (int, float)) and isinstance(longitude, (int, float))) \
            or isinstance(latitude, bool) or isinstance(longitude, bool) \
            or not (math.isfinite(latitude) and math.isfinite(longitude)):
        raise InvalidInput("Latitude and longitude must be numbers of degrees.")
    if not -90 <= latitude <= 90:
        raise InvalidInput(f"Latitude {latitude} must be from -90 to 90 degrees.")
    if not -180 <= longitude <= 180:
        raise InvalidInput(f"Longitude {longitude} must be from -180 to 180 degrees.")
    return float(latitude), float(longitude)


def parse_location(text: Optional[str]) -> tuple[Optional[float], Optional[float]]:
    """A store's place typed as "33.7490, -84.3880" (latitude, longitude); blank for none."""
    value = (text or "").strip()
    if not value:
        return None, None
    parts = [part.strip() for part in value.replace(";", ",").split(",")]
    if len(parts) != 2 or not all(LOCATION_NUMBER.fullmatch(part) for part in parts):
        raise InvalidInput(f"Location {value[:60]!r}: type latitude, longitude in degrees, "
                           "like 33.7490, -84.3880.")
    return check_location(float(parts[0]), float(parts[1]))


def haversine_km(latitude1: float, longitude1: float, latitude2: float,
                 longitude2: float) -> float:
    """The great-circle distance between two places, in kilometres."""
    phi1, phi2 = math.radians(latitude1), math.radians(latitude2)
    half_dphi = math.radians(latitude2 - latitude1) / 2
    half_dlambda = math.radians(longitude2 - longitude1) / 2
    a = math.sin(half_dphi) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(half_dlambda) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))
