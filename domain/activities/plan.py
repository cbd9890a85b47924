"""What an activity's plan (时间、地点、签到范围) must satisfy, and which parts may change."""

from __future__ import annotations

from datetime import datetime

from domain.activities.geo import GeoPoint
from domain.activities.messages import MESSAGES
from domain.shared.errors import DomainError, ErrorKind

EDITABLE_FIELDS = frozenset(
    {
        "title",
        "agenda",
        "starts_at",
        "ends_at",
        "place",
        "latitude",
        "longitude",
        "radius_m",
        "qr_required",
        "geofence_enabled",
        "window_minutes",
    }
)
"""Fields a planner may change after creating the activity (not its kind or organizers)."""


def _invalid(field_name: str, key: str, code: str | None = None) -> DomainError:
    return MESSAGES.error(
        key, ErrorKind.INVALID, code=code, errors=[MESSAGES.field(field_name, key, code=code)]
    )


def check_schedule_and_place(
    *,
    starts_at: datetime,
    ends_at: datetime,
    latitude: float | None,
    longitude: float | None,
    radius_m: int | None,
    geofence_enabled: bool,
) -> None:
    """Times carry an offset and end after the start; a place is a whole coordinate pair;
    a geofence needs both the place and a radius."""
    if starts_at.tzinfo is None or ends_at.tzinfo is None:
        raise _invalid("starts_at", "activity_timezone_required", "timezone_required")
    if ends_at <= starts_at:
        raise _invalid("ends_at", "ends_before_start")
    if (latitude is None) != (longitude is None):
        raise _invalid("longitude", "activity_coordinates_incomplete", "coordinates_incomplete")
    if latitude is not None and longitude is not None:
        GeoPoint(latitude, longitude)
    if geofence_enabled and (latitude is None or radius_m is None):
        raise _invalid("geofence_enabled", "geofence_needs_place")
