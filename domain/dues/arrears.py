"""Arrears (欠交党费, 第十三条) and voluntary extra payments (自愿多交).

A month is overdue once it is over and its bill still owes something. A member with
three overdue months is warned; six consecutive overdue months are flagged for the
branch, which decides (按自行脱党处理 is the 支部大会's decision, approved above): the system
never removes anyone. Each level is raised once per episode: it ends when the member
falls below it, and a later fall back into arrears is a new episode.

A voluntary payment is unlimited; a single one of 1000 yuan or more goes wholly to the
Centre (中组部 issues the receipt).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from itertools import pairwise

from domain.dues.messages import MESSAGES
from domain.dues.months import months_between

WARN_MONTHS = 3
FLAG_MONTHS = 6
CENTRE_THRESHOLD_FEN = 100_000


class ArrearsLevel(StrEnum):
    WARNING = "warning"
    """Three months overdue: the member is reminded (`dues.arrears_warning`)."""
    FLAGGED = "flagged"
    """Six consecutive months overdue: the branch decides (`dues.arrears_flagged`)."""


@dataclass(frozen=True, slots=True)
class Arrears:
    """One member's overdue months as of a month."""

    overdue_months: int
    consecutive_months: int
    """The longest run of consecutive overdue months."""
    first_overdue: date
    last_overdue: date

    @property
    def levels(self) -> frozenset[ArrearsLevel]:
        return levels_of(self.overdue_months, self.consecutive_months)


def levels_of(overdue: int, consecutive: int) -> frozenset[ArrearsLevel]:
    found = set()
    if overdue >= WARN_MONTHS:
        found.add(ArrearsLevel.WARNING)
    if consecutive >= FLAG_MONTHS:
        found.add(ArrearsLevel.FLAGGED)
    return frozenset(found)


def overdue(month: date, current: date) -> bool:
    """A bill is overdue once its month is over."""
    return month < current


def assess(open_months: Iterable[date], current: date) -> Arrears | None:
    """The arrears of a member whose bills of `open_months` still owe; None when none of
    them is overdue yet."""
    months = sorted(m for m in set(open_months) if overdue(m, current))
    if not months:
        return None
    longest = run = 1
    for before, after in pairwise(months):
        run = run + 1 if months_between(before, after) == 1 else 1
        longest = max(longest, run)
    return Arrears(len(months), longest, months[0], months[-1])


@dataclass(frozen=True, slots=True)
class NoticePlan:
    """Which notices a scan raises and which episodes it ends."""

    open: list[tuple[uuid.UUID, ArrearsLevel]]
    close: list[tuple[uuid.UUID, ArrearsLevel]]


def plan_notices(
    levels: Mapping[uuid.UUID, frozenset[ArrearsLevel]],
    open_notices: Iterable[tuple[uuid.UUID, ArrearsLevel]],
) -> NoticePlan:
    """Raise each level a member has reached and holds no open notice for; end the
    episodes of levels a member no longer has."""
    held = set(open_notices)
    raise_ = sorted(
        ((member, level) for member, found in levels.items() for level in found),
        key=lambda pair: (str(pair[0]), pair[1].value),
    )
    return NoticePlan(
        open=[pair for pair in raise_ if pair not in held],
        close=sorted(
            (pair for pair in held if pair[1] not in levels.get(pair[0], frozenset())),
            key=lambda pair: (str(pair[0]), pair[1].value),
        ),
    )


def to_centre(amount_fen: int) -> bool:
    """A single voluntary payment of 1000 yuan or more goes wholly to the Centre."""
    return amount_fen >= CENTRE_THRESHOLD_FEN


def check_voluntary(amount_fen: int) -> None:
    """A voluntary payment is money received: at least one fen."""
    if amount_fen < 1:
        raise MESSAGES.error(
            "dues_voluntary_invalid",
            errors=[MESSAGES.field("amount_fen", "voluntary_amount", code="too_small")],
        )
