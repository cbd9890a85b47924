"""The dues ledger (党费台账): every movement of money is an append-only entry in fen.

Signs: what a member owes is positive (a charge), what settles it negative (a payment, an
exemption); a refund gives back, so it is positive again. A bill's balance is the sum of
its entries; a member's paid-to month (党费交至) is the last month of the unbroken run of
settled bills from their first.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from enum import StrEnum


class EntryKind(StrEnum):
    CHARGE = "charge"
    PAYMENT = "payment"
    REFUND = "refund"
    EXEMPTION = "exemption"
    BACK_PAYMENT = "back_payment"


def charge_entries(standard_fen: int, amount_fen: int) -> list[tuple[EntryKind, int]]:
    """A new bill's entries: the charge at the standard, less any relief granted."""
    entries = [(EntryKind.CHARGE, standard_fen)]
    if amount_fen < standard_fen:
        entries.append((EntryKind.EXEMPTION, amount_fen - standard_fen))
    return entries


def paid_to(balances: Mapping[date, int]) -> date | None:
    """The last month of the run of settled months from the first billed one; None when
    the first is still open (or nothing was billed)."""
    last: date | None = None
    for month in sorted(balances):
        if balances[month] > 0:
            break
        last = month
    return last
