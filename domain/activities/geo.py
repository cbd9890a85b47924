"""Geofence (签到范围): is a check-in close enough to the activity's place?"""

from __future__ import annotations

import math
from dataclasses import dataclass

from domain.activities.messages import MESSAGES
from domain.shared.errors import ErrorKind

EARTH_RADIUS_M = 6_371_008.8
"""Mean Earth radius (IUGG); the haversine error is well under 0.5 % at these distances."""


@dataclass(frozen=True, slots=True)
class GeoPoint:
    """Latitude and longitude in degrees.

    Both ends of a comparison must use the same datum: Chinese map SDKs report GCJ-02,
    raw GPS reports WGS-84, and the two differ by up to several hundred metres.
    """

    latitude: float
    longitude: float

    def __post_init__(self) -> None:
        if not (-90.0 <= self.latitude <= 90.0 and -180.0 <= self.longitude <= 180.0):
            raise MESSAGES.error("invalid_coordinates", ErrorKind.INVALID)


def distance_m(a: GeoPoint, b: GeoPoint) -> float:
    """Great-circle (haversine) distance in metres."""
    phi1, phi2 = math.radians(a.latitude), math.radians(b.latitude)
    d_phi = phi2 - phi1
    d_lambda = math.radians(b.longitude - a.longitude)
    h = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


@dataclass(frozen=True, slots=True)
class Geofence:
    """A circle around the activity's place.

    A phone's reported accuracy widens the circle, but only up to `max_accuracy_credit_m`:
    a fix that claims to be good to 2 km says nothing about where the member is.
    """

    center: GeoPoint
    radius_m: float
    max_accuracy_credit_m: float = 100.0

    def __post_init__(self) -> None:
        if self.radius_m <= 0 or self.max_accuracy_credit_m < 0:
            raise MESSAGES.error("invalid_geofence", ErrorKind.INVALID)

    def allowance_m(self, accuracy_m: float | None) -> float:
        credit = min(max(accuracy_m or 0.0, 0.0), self.max_accuracy_credit_m)
        return self.radius_m + credit

    def contains(self, point: GeoPoint, accuracy_m: float | None = None) -> bool:
        return distance_m(self.center, point) <= self.allowance_m(accuracy_m)
