"""Whether a member may be transferred now (domain-rules §2), and what holds it.

Refusals (409) are for what the branch must settle first: a member who is not active,
one whose probation ended without a 转正 decision, one with a transfer already open.
Unpaid dues do not refuse the start: the transfer is kept as a draft with the shortfall
shown, and cannot be submitted until the dues are paid.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from domain.shared.errors import ErrorKind
from domain.transfers.messages import MESSAGES

TRANSFERABLE = frozenset({"probationary", "full"})
_STATUS_ZH = {"suspended": "停止党籍", "removed": "除名/出党", "transferred_out": "已转出"}


def probation_end(admitted_on: date) -> date:
    """One year after admission (第二十九条); 29 February admissions end on 1 March."""
    try:
        return admitted_on.replace(year=admitted_on.year + 1)
    except ValueError:
        return date(admitted_on.year + 1, 3, 1)


def check_member(status: str, admitted_on: date, *, today: date) -> None:
    if status not in TRANSFERABLE:
        raise MESSAGES.error(
            "transfer_member_inactive", ErrorKind.CONFLICT, status=_STATUS_ZH.get(status, status)
        )
    if status == "probationary" and probation_end(admitted_on) <= today:
        raise MESSAGES.error(
            "transfer_probation_due",
            ErrorKind.CONFLICT,
            ended=probation_end(admitted_on).isoformat(),
        )


@dataclass(frozen=True, slots=True)
class DuesHold:
    """Months owed up to the current one, and how much (分): the transfer waits for them."""

    open_months: tuple[date, ...]
    shortfall_fen: int

    def as_json(self) -> dict[str, object]:
        return {
            "code": "transfer_dues_unpaid",
            "open_months": [m.strftime("%Y-%m") for m in self.open_months],
            "shortfall_fen": self.shortfall_fen,
        }


def dues_hold(
    open_months: Sequence[date], balance_fen: int, *, this_month: date
) -> DuesHold | None:
    """None when every month up to `this_month` is settled."""
    owed = tuple(m for m in sorted(open_months) if m <= this_month)
    if not owed:
        return None
    return DuesHold(owed, max(balance_fen, 0))


def require_no_hold(hold: DuesHold | None) -> None:
    if hold is not None:
        raise MESSAGES.error(
            "transfer_dues_unpaid",
            ErrorKind.CONFLICT,
            months=len(hold.open_months),
            amount=f"{hold.shortfall_fen / 100:.2f}",
        )
