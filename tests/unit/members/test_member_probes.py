"""The daily budget of cross-tenant 身份证号 hits."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from domain.members.probes import budget_day, check_probe_budget, seconds_to_next_day
from domain.shared import DomainError, ErrorKind

# 23:30 in Beijing on 2026-12-01.
LATE = datetime(2026, 12, 1, 15, 30, tzinfo=UTC)


def test_the_day_is_beijings() -> None:
    assert budget_day(LATE) == date(2026, 12, 1)
    assert budget_day(datetime(2026, 12, 1, 16, 0, tzinfo=UTC)) == date(2026, 12, 2)
    assert seconds_to_next_day(LATE) == 30 * 60


def test_hits_are_answered_up_to_the_limit_and_then_everything_waits() -> None:
    check_probe_budget(0, 0, now=LATE, limit=3)
    check_probe_budget(2, 1, now=LATE, limit=3)
    for used, hits in ((3, 0), (2, 2), (0, 4)):
        with pytest.raises(DomainError) as refused:
            check_probe_budget(used, hits, now=LATE, limit=3)
        assert (refused.value.kind, refused.value.code) == (
            ErrorKind.LIMITED,
            "identity_check_limited",
        )
        assert refused.value.retry_after == 30 * 60
        assert "组织关系转接" in refused.value.message.zh
