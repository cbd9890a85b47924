"""Cross-tenant hits in the platform's 身份证号 directory (查重), and the daily budget on them.

The platform refuses to register one 身份证号 twice, so a refusal tells the asker that the
number belongs to a member somewhere else. Each such hit outside the asker's subtree is
counted, and a user gets a small number of them per day (Beijing time): beyond it every
registration that must consult the directory is refused, hit or not, until the next day,
so the refusal itself says nothing about the numbers asked.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from domain.members.messages import MESSAGES
from domain.shared.errors import DomainError, ErrorKind

DAILY_CROSS_TENANT_HITS = 20
"""Enough for a branch secretary's honest mistakes; far too few to sweep a roll."""

_BEIJING = ZoneInfo("Asia/Shanghai")

DUPLICATE_ELSEWHERE = MESSAGES.message("members.duplicate_elsewhere")


def budget_day(now: datetime) -> date:
    """The day a hit is counted on: the calendar day in Beijing."""
    return now.astimezone(_BEIJING).date()


def seconds_to_next_day(now: datetime) -> int:
    local = now.astimezone(_BEIJING)
    midnight = datetime.combine(local.date() + timedelta(days=1), time(), tzinfo=_BEIJING)
    return max(1, int((midnight - local).total_seconds()))


def check_probe_budget(
    used: int, hits: int, *, now: datetime, limit: int = DAILY_CROSS_TENANT_HITS
) -> None:
    """Refuse (429) when today's budget is spent, or when `hits` more would overspend it.

    Called with `hits=0` before any lookup: a spent budget refuses whatever is asked.
    """
    if used + hits <= limit and used < limit:
        return
    raise DomainError(
        "identity_check_limited",
        MESSAGES.message("members.identity_check_limited", limit=limit),
        kind=ErrorKind.LIMITED,
        retry_after=seconds_to_next_day(now),
    )
