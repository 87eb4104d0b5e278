"""Distances and compass directions between places on the Earth."""

from __future__ import annotations

import math

EARTH_RADIUS_KM = 6371.0088  # mean radius (IUGG)
KM_PER_MILE = 1.609344
COMPASS_POINTS = ("north", "north-east", "east", "south-east", "south", "south-west", "west", "north-west")
# Every way a page may write one: as `compass_point` says it, and run together ("northeast"). The duplicate checks
# mask them and name them when they are all two pages differ by.
COMPASS_WORDS = frozenset(COMPASS_POINTS) | frozenset(point.replace("-", "") for point in COMPASS_POINTS)


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance by the haversine formula."""
    h = haversine(math.radians(lat1), math.radians(lat2), math.radians(lon2 - lon1))
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def haversine(lat1, lat2, dlon, sin=math.sin, cos=math.cos):
    """The haversine of the central angle between two points (latitudes and the difference of longitudes in
    radians): distances grow with it, so it orders places by distance without the arcsine. Floats by default;
    numpy arrays with `sin=np.sin, cos=np.cos`, for a whole table of places at once."""
    return sin((lat2 - lat1) / 2) ** 2 + cos(lat1) * cos(lat2) * sin(dlon / 2) ** 2


def bearing_deg(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Initial bearing from the first point to the second, 0-360 degrees clockwise from north."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dl = math.radians(lon2 - lon1)
    x = math.sin(dl) * math.cos(p2)
    y = math.cos(p1) * math.sin(p2) - math.sin(p1) * math.cos(p2) * math.cos(dl)
    return (math.degrees(math.atan2(x, y)) + 360) % 360


def compass_point(bearing: float) -> str:
    """One of the eight compass points: 'north', 'north-east', ..."""
    return COMPASS_POINTS[int((bearing + 22.5) // 45) % 8]


def opposite(point: str) -> str:
    """The compass point facing `point`: 'south-west' for 'north-east' (the way back)."""
    return COMPASS_POINTS[(COMPASS_POINTS.index(point) + 4) % 8]
