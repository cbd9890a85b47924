"""What an organization owes the compliance calendar: which kinds, and since when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from domain.activities.kinds import ActivityKind

PARTY_GROUP = "party_group"


def tracked_kinds(org_kind: str) -> frozenset[ActivityKind]:
    """党小组 hold 党小组会; the others hold the branch-level kinds (their own 党小组 report
    their group meetings themselves)."""
    if org_kind == PARTY_GROUP:
        return frozenset({ActivityKind.GROUP_MEETING})
    return frozenset(ActivityKind) - {ActivityKind.GROUP_MEETING}


@dataclass(frozen=True, slots=True)
class Obligations:
    """Since when an organization owes its activities: its establishment date, or the day
    it was registered here when that is unknown."""

    since: date
    basis: Literal["established_on", "created_at"]

    @classmethod
    def of(cls, established_on: date | None, created_on: date) -> Obligations:
        if established_on is not None:
            return cls(established_on, "established_on")
        return cls(created_on, "created_at")
