"""The display zone: every time leaving the API is written in it, one form for all."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

DISPLAY_ZONE = ZoneInfo("Asia/Shanghai")


def display_time(moment: datetime) -> str:
    """RFC 3339 with the display zone's offset (`2026-05-20T14:30:00+08:00`)."""
    return moment.astimezone(DISPLAY_ZONE).isoformat()
