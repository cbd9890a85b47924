"""A schedule's slot is the latest cron time at or before now: every worker names it alike."""

from __future__ import annotations

from datetime import UTC, datetime

from infra.platform.runner import Schedule


async def _nothing(_slot: datetime) -> None:
    return None


def test_the_slot_is_the_latest_cron_time_at_or_before_now() -> None:
    hourly = Schedule("sweep", "23 * * * *", _nothing)
    assert hourly.slot(datetime(2026, 12, 2, 10, 50, 7, tzinfo=UTC)) == datetime(
        2026, 12, 2, 10, 23, tzinfo=UTC
    )
    assert hourly.slot(datetime(2026, 12, 2, 10, 23, tzinfo=UTC)) == datetime(
        2026, 12, 2, 10, 23, tzinfo=UTC
    )
    assert hourly.slot(datetime(2026, 12, 2, 10, 22, 59, 999999, tzinfo=UTC)) == datetime(
        2026, 12, 2, 9, 23, tzinfo=UTC
    )


def test_a_sixth_field_counts_seconds() -> None:
    every_second = Schedule("tick", "* * * * * *", _nothing)
    now = datetime(2026, 12, 2, 10, 50, 7, 420000, tzinfo=UTC)
    assert every_second.slot(now) == datetime(2026, 12, 2, 10, 50, 7, tzinfo=UTC)
