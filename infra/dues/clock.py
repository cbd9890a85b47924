"""The dues calendar runs on Beijing time: a month's bills belong to its Asia/Shanghai days."""

from __future__ import annotations

from datetime import UTC, date, datetime

from domain.shared import DISPLAY_ZONE


def today(now: datetime | None = None) -> date:
    return (now or datetime.now(UTC)).astimezone(DISPLAY_ZONE).date()
