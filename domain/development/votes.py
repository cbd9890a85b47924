"""Votes at a 支部党员大会 on admission and on 转正 (细则 第二十二条, 支部工作条例 2018).

The meeting is valid when more than half of the full members entitled to vote are
present; the resolution passes only when the yes votes exceed half of the full members
due to attend (应到会有表决权的正式党员) — not of those present. Both are computed from
the counts here, never typed in.
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.development.messages import MESSAGES
from domain.shared.errors import FieldError


@dataclass(frozen=True, slots=True)
class VoteCount:
    """The counts of one secret ballot on one person (each candidate is voted separately)."""

    entitled: int
    """应到会有表决权的正式党员."""
    present: int
    """实到会有表决权的正式党员."""
    yes: int
    no: int
    abstain: int

    @property
    def quorate(self) -> bool:
        """有表决权的到会人数超过应到会人数的半数."""
        return self.present * 2 > self.entitled

    @property
    def passed(self) -> bool:
        """Valid meeting, and 赞成票超过应到会有表决权的正式党员的半数."""
        return self.quorate and self.yes * 2 > self.entitled

    def errors(self) -> list[FieldError]:
        """What makes the counts impossible (nothing when they add up)."""
        found: list[FieldError] = []
        if min(self.entitled, self.present, self.yes, self.no, self.abstain) < 0:
            found.append(MESSAGES.field("vote", "development_vote_negative", code="negative"))
        elif self.entitled == 0:
            found.append(MESSAGES.field("vote.entitled", "development_vote_nobody", code="empty"))
        elif self.present > self.entitled:
            found.append(
                MESSAGES.field("vote.present", "development_vote_too_many", code="too_many")
            )
        elif self.yes + self.no + self.abstain > self.present:
            found.append(
                MESSAGES.field("vote", "development_vote_more_ballots", code="too_many_ballots")
            )
        return found
