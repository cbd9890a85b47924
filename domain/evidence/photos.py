"""Photo hints: a photo's EXIF time and place beside the activity's, for the reader to judge.

A hint, never a gate: EXIF is easy to lose or forge, and phones record it differently.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class PhotoHint:
    taken_at: datetime | None
    latitude: float | None
    longitude: float | None
    taken_during_activity: bool | None
    distance_m: float | None


def photo_hint(
    *,
    taken_at: datetime | None,
    latitude: float | None,
    longitude: float | None,
    starts_at: datetime,
    ends_at: datetime,
    distance_m: float | None,
) -> PhotoHint | None:
    """None without EXIF time or place. `distance_m` is how far the photo's place lies
    from the activity's (None when either is unknown); it is shown to the decimetre."""
    if taken_at is None and latitude is None:
        return None
    return PhotoHint(
        taken_at=taken_at,
        latitude=latitude,
        longitude=longitude,
        taken_during_activity=None if taken_at is None else starts_at <= taken_at <= ends_at,
        distance_m=None if distance_m is None else round(distance_m, 1),
    )
