"""When and where a photo was taken, from its EXIF block (exifread).

Evidence photos often carry the capture time and place; reading them lets a report show
them without asking anyone to type what the file already says. Uploaded bytes are
untrusted, so anything odd yields None rather than an error.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

import exifread

SHANGHAI = ZoneInfo("Asia/Shanghai")
# EXIF writes "2024:07:01 09:30:15"; exifread's builtin types turn it into "2024-07-01 ...".
_DATE_LAYOUTS = ("%Y:%m:%d %H:%M:%S", "%Y-%m-%d %H:%M:%S")

# exifread logs every malformed file at warning level; garbage input is expected here.
logging.getLogger("exifread").setLevel(logging.ERROR)


@dataclass(frozen=True, slots=True)
class PhotoMetadata:
    """EXIF facts of one photo; each is None when the camera did not record it."""

    taken_at: datetime | None
    latitude: float | None
    longitude: float | None


def read_photo_metadata(head: bytes, *, default_tz: tzinfo = SHANGHAI) -> PhotoMetadata | None:
    """DateTimeOriginal and GPS position from the first bytes of a JPEG (or HEIC/TIFF).

    DateTimeOriginal has no zone; OffsetTimeOriginal gives it when present, otherwise
    `default_tz` (the tenant's zone) is assumed. Returns None when neither is there.

    CPU-bound: a hostile IFD can claim 65535 entries (about half a second of parsing), so
    async callers should run it with `asyncio.to_thread`.
    """
    try:
        tags = exifread.process_file(
            io.BytesIO(head), details=False, extract_thumbnail=False, builtin_types=True
        )
        taken_at = _taken_at(tags, default_tz)
        position = _position(tags)
    except Exception:  # untrusted bytes: a parser failure just means "no metadata"
        return None
    if taken_at is None and position is None:
        return None
    latitude, longitude = position or (None, None)
    return PhotoMetadata(taken_at=taken_at, latitude=latitude, longitude=longitude)


def _taken_at(tags: dict[str, Any], default_tz: tzinfo) -> datetime | None:
    raw = tags.get("EXIF DateTimeOriginal")
    if not isinstance(raw, str):
        return None
    text = raw.strip("\x00 ")
    for layout in _DATE_LAYOUTS:
        try:
            naive = datetime.strptime(text, layout)
        except ValueError:
            continue
        return naive.replace(tzinfo=_offset(tags.get("EXIF OffsetTimeOriginal")) or default_tz)
    return None


def _offset(raw: object) -> tzinfo | None:
    if not isinstance(raw, str):
        return None
    text = raw.strip("\x00 ")
    if len(text) != 6 or text[0] not in "+-" or text[3] != ":":
        return None
    try:
        hours, minutes = int(text[1:3]), int(text[4:6])
    except ValueError:
        return None
    sign = -1 if text[0] == "-" else 1
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def _position(tags: dict[str, Any]) -> tuple[float, float] | None:
    latitude = _coordinate(tags.get("GPS GPSLatitude"), tags.get("GPS GPSLatitudeRef"), "S", 90)
    longitude = _coordinate(tags.get("GPS GPSLongitude"), tags.get("GPS GPSLongitudeRef"), "W", 180)
    # Cameras without a fix may write an all-zero GPS block; 0°N 0°E is open sea anyway.
    if latitude is None or longitude is None or latitude == longitude == 0:
        return None
    return latitude, longitude


def _coordinate(dms: object, ref: object, negative: str, limit: float) -> float | None:
    if not isinstance(dms, list) or len(dms) != 3 or not isinstance(ref, str):
        return None
    degrees, minutes, seconds = (float(part) for part in dms)
    value = degrees + minutes / 60 + seconds / 3600
    if not 0 <= value <= limit:
        return None
    return -value if ref.strip("\x00 ").upper() == negative else value
