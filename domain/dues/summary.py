"""Dues summaries (党费收缴统计): what was due and collected per month, the collection rate
and the bills still open, and the yearly remittance a province sends the Centre.

Collected is money received as the ledger records it (payments less refunds), never the
amounts due of bills marked paid. Provinces remit 5% of a year's dues to the Centre by
the end of April of the following year (domain rules §1).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from domain.dues.messages import MESSAGES
from domain.dues.months import months_between

MAX_SUMMARY_MONTHS = 24
REMITTANCE_BP = 500


@dataclass(frozen=True, slots=True)
class Figures:
    """One organization's (or a subtree's) month as the ledger says."""

    bills: int = 0
    charged_fen: int = 0
    relieved_fen: int = 0
    collected_fen: int = 0
    refunded_fen: int = 0
    open_bills: int = 0

    @property
    def due_fen(self) -> int:
        """What the bills ask, after reductions and exemptions."""
        return self.charged_fen - self.relieved_fen

    @property
    def net_collected_fen(self) -> int:
        return self.collected_fen - self.refunded_fen

    @property
    def rate_bp(self) -> int | None:
        """Collected over due in basis points (rounded down); None when nothing was due."""
        if self.due_fen <= 0:
            return None
        return self.net_collected_fen * 10_000 // self.due_fen

    def __add__(self, other: Figures) -> Figures:
        return Figures(
            self.bills + other.bills,
            self.charged_fen + other.charged_fen,
            self.relieved_fen + other.relieved_fen,
            self.collected_fen + other.collected_fen,
            self.refunded_fen + other.refunded_fen,
            self.open_bills + other.open_bills,
        )


def check_range(first: date, last: date) -> None:
    if last < first or months_between(first, last) >= MAX_SUMMARY_MONTHS:
        raise MESSAGES.error(
            "dues_summary_range",
            errors=[MESSAGES.field("to", "dues_summary_range", most=MAX_SUMMARY_MONTHS)],
            most=MAX_SUMMARY_MONTHS,
        )


def remittance_fen(collected_fen: int) -> int:
    """5% of a year's collected dues, to the fen, half up."""
    return (max(collected_fen, 0) * REMITTANCE_BP + 5_000) // 10_000


def remittance_due_by(year: int) -> date:
    return date(year + 1, 4, 30)
