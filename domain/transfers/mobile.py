"""流动党员活动证 (domain-rules §2): a member away for at most six months takes part in
branch life at a host organization, with no vote there, without a transfer."""

from __future__ import annotations

from datetime import date

from domain.shared.errors import ErrorKind
from domain.transfers.messages import MESSAGES

MAX_MONTHS = 6


def six_months_after(day: date) -> date:
    """The same day six months on, or the month's last day when that day does not exist."""
    month = day.month - 1 + MAX_MONTHS
    year, month = day.year + month // 12, month % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return date(year, month, candidate)
        except ValueError:
            continue
    raise AssertionError("a month has at least 28 days")


def check_period(valid_from: date, valid_until: date) -> None:
    if not valid_from <= valid_until <= six_months_after(valid_from):
        raise MESSAGES.error("mobile_certificate_period")


def check_open(state: str) -> None:
    if state != "issued":
        raise MESSAGES.error("mobile_certificate_closed", ErrorKind.CONFLICT)
