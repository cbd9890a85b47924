"""What an activity's plan (时间、地点、签到范围) must satisfy, and which parts may change."""

from __future__ import annotations

from datetime import datetime

from domain.activities.geo import GeoPoint
from domain.shared.errors import DomainError, FieldError, Message

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


def _invalid(field_name: str, code: str, zh: str, en: str) -> DomainError:
    message = Message(zh, en)
    return DomainError(code, message, status=422, errors=[FieldError(field_name, code, message)])


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
        raise _invalid(
            "starts_at", "timezone_required", "时间必须带时区。", "Times must include an offset."
        )
    if ends_at <= starts_at:
        raise _invalid(
            "ends_at",
            "ends_before_start",
            "结束时间应晚于开始时间。",
            "The end must follow the start.",
        )
    if (latitude is None) != (longitude is None):
        raise _invalid(
            "longitude",
            "coordinates_incomplete",
            "经纬度须同时提供。",
            "Give both latitude and longitude.",
        )
    if latitude is not None and longitude is not None:
        GeoPoint(latitude, longitude)
    if geofence_enabled and (latitude is None or radius_m is None):
        raise _invalid(
            "geofence_enabled",
            "geofence_needs_place",
            "开启签到范围须提供活动地点坐标和半径。",
            "A geofence needs the place's coordinates and a radius.",
        )
