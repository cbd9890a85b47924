"""流动党员活动证 (domain-rules §2): a member away for at most six months takes part in
branch life at a host organization, with no vote there, without a transfer. The host
records their arrival first, then the organizational life they attend and the dues they
pay there, and its opinion when they leave; the issuing branch reads those records."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

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


class HostEntryKind(StrEnum):
    """What the host organization records: 报到, 参加组织生活, 交纳党费, 鉴定意见."""

    ARRIVAL = "arrival"
    ACTIVITY = "activity"
    DUES = "dues"
    OPINION = "opinion"


def check_host_entry(
    kind: HostEntryKind,
    on: date,
    *,
    state: str,
    valid_from: date,
    valid_until: date,
    arrived: bool,
    month_given: bool,
    amount_given: bool,
    today: date,
) -> None:
    """On an open certificate, within its period and not in the future, after the arrival;
    a dues entry (and only one) names its month and amount."""
    check_open(state)
    if kind is not HostEntryKind.ARRIVAL and not arrived:
        raise MESSAGES.error("mobile_host_not_arrived", ErrorKind.CONFLICT)
    if not valid_from <= on <= min(valid_until, today):
        raise MESSAGES.error("mobile_host_entry_date")
    dues = kind is HostEntryKind.DUES
    if month_given != dues or amount_given != dues:
        raise MESSAGES.error("mobile_host_entry_dues")
