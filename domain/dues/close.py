"""The monthly close (月度结算): a month is opened (its bills snapshotted), collected,
reported by each organization holding bills, and closed by the tenant.

An organization reports only when every bill of its month is paid, deferred with a reason
or exempted. A closed month's figures are final: a correction of it (a refund, an
exemption granted later) is an entry of the current month. A payment still lands in its
bill's month, however late its notification, since that is the month it settles.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from domain.dues.ledger import EntryKind
from domain.dues.messages import MESSAGES
from domain.shared.errors import ErrorKind

SETTLING = frozenset({EntryKind.PAYMENT, EntryKind.BACK_PAYMENT})


class MonthStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


def booking_month(kind: EntryKind, bill_month: date, current: date, *, closed: bool) -> date:
    """The month a ledger entry for a bill of `bill_month` is written in."""
    if kind in SETTLING or not closed:
        return bill_month
    return current


def check_open(status: MonthStatus | None) -> None:
    """A month may be opened once."""
    if status is not None:
        raise MESSAGES.error("dues_month_exists", ErrorKind.CONFLICT, status=status.value)


def check_not_closed(status: MonthStatus | None) -> None:
    if status is MonthStatus.CLOSED:
        raise MESSAGES.error("dues_month_closed", ErrorKind.CONFLICT)


def check_reportable(bills: int, unsettled: int) -> None:
    """A report needs bills, each paid, deferred or exempted."""
    if bills == 0:
        raise MESSAGES.error("dues_branch_no_bills", ErrorKind.CONFLICT)
    if unsettled:
        raise MESSAGES.error("dues_branch_not_ready", ErrorKind.CONFLICT, count=unsettled)


def check_closable(unreported: int) -> None:
    if unreported:
        raise MESSAGES.error("dues_month_unreported", ErrorKind.CONFLICT, count=unreported)
