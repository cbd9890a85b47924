"""What makes a transfer late (domain-rules §2): an approval waiting longer than the
tenant allows, a letter close to its expiry, a paper receipt not back within a month."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

LETTER_NEAR_EXPIRY = timedelta(days=7)
RECEIPT_WITHIN = timedelta(days=30)


@dataclass(frozen=True, slots=True)
class Deadlines:
    """The cut-off times a queue compares with: earlier than these is overdue."""

    approval_waiting_since: datetime
    letter_expires_before: datetime
    receipt_sent_before: datetime


def deadlines(now: datetime, *, approval_overdue_days: int) -> Deadlines:
    return Deadlines(
        approval_waiting_since=now - timedelta(days=approval_overdue_days),
        letter_expires_before=now + LETTER_NEAR_EXPIRY,
        receipt_sent_before=now - RECEIPT_WITHIN,
    )
