"""Hardship reductions and exemptions (减免, 第七条): the branch proposes, the next level
approves, for a period of whole months."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from domain.dues.messages import MESSAGES
from domain.dues.months import months_between
from domain.shared.errors import FieldError

MAX_RELIEF_MONTHS = 60


class ReliefKind(StrEnum):
    REDUCTION = "reduction"  # 减交：每月交纳 monthly_amount_fen
    EXEMPTION = "exemption"  # 免交


class ReliefStatus(StrEnum):
    PROPOSED = "proposed"
    APPROVED = "approved"
    REJECTED = "rejected"


def check_relief(
    kind: ReliefKind, amount_fen: int | None, from_month: date, to_month: date
) -> None:
    errors: list[FieldError] = []
    if kind is ReliefKind.REDUCTION and (amount_fen is None or amount_fen < 0):
        errors.append(MESSAGES.field("monthly_amount_fen", "relief_amount_needed"))
    if kind is ReliefKind.EXEMPTION and amount_fen is not None:
        errors.append(MESSAGES.field("monthly_amount_fen", "relief_amount_not_used"))
    span = months_between(from_month, to_month)
    if not 0 <= span < MAX_RELIEF_MONTHS:
        errors.append(MESSAGES.field("to_month", "relief_period", most=MAX_RELIEF_MONTHS))
    if errors:
        raise MESSAGES.error("dues_relief_invalid", errors=errors)


@dataclass(frozen=True, slots=True)
class ApprovedRelief:
    id: uuid.UUID
    kind: ReliefKind
    monthly_amount_fen: int | None
    from_month: date
    to_month: date

    def covers(self, month: date) -> bool:
        return self.from_month <= month <= self.to_month

    def due(self, standard_fen: int) -> int:
        """What remains due of `standard_fen` under this relief (never more)."""
        if self.kind is ReliefKind.EXEMPTION:
            return 0
        return min(standard_fen, self.monthly_amount_fen or 0)


def relief_for(reliefs: Sequence[ApprovedRelief], month: date) -> ApprovedRelief | None:
    """The latest approved relief covering `month`, if any."""
    covering = [r for r in reliefs if r.covers(month)]
    return max(covering, key=lambda r: r.id) if covering else None
