"""The host's records of a 流动党员活动证: arrival first, within the period, dues alone
with a month and an amount, nothing on a closed certificate."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from domain.shared import DomainError
from domain.transfers import HostEntryKind, check_host_entry

FROM, UNTIL, TODAY = date(2026, 10, 1), date(2027, 3, 31), date(2026, 12, 2)


def _check(kind: HostEntryKind, on: date = TODAY, **overrides: Any) -> None:
    given = {
        "state": "issued",
        "valid_from": FROM,
        "valid_until": UNTIL,
        "arrived": True,
        "month_given": kind is HostEntryKind.DUES,
        "amount_given": kind is HostEntryKind.DUES,
        "today": TODAY,
        **overrides,
    }
    check_host_entry(kind, on, **given)


def _code(kind: HostEntryKind, on: date = TODAY, **overrides: Any) -> str:
    with pytest.raises(DomainError) as refused:
        _check(kind, on, **overrides)
    return refused.value.code


def test_each_kind_fits_an_open_certificate_after_arrival() -> None:
    for kind in HostEntryKind:
        _check(kind)
    _check(HostEntryKind.ARRIVAL, FROM, arrived=False)


def test_arrival_comes_first() -> None:
    assert _code(HostEntryKind.ACTIVITY, arrived=False) == "mobile_host_not_arrived"


def test_the_date_lies_within_the_period_and_not_ahead() -> None:
    assert _code(HostEntryKind.ACTIVITY, date(2026, 9, 30)) == "mobile_host_entry_date"
    assert _code(HostEntryKind.ACTIVITY, date(2026, 12, 3)) == "mobile_host_entry_date"


def test_dues_alone_name_a_month_and_an_amount() -> None:
    assert _code(HostEntryKind.DUES, amount_given=False) == "mobile_host_entry_dues"
    assert _code(HostEntryKind.ACTIVITY, amount_given=True) == "mobile_host_entry_dues"
    assert _code(HostEntryKind.OPINION, month_given=True) == "mobile_host_entry_dues"


def test_a_closed_certificate_takes_nothing() -> None:
    assert _code(HostEntryKind.OPINION, state="closed") == "mobile_certificate_closed"
