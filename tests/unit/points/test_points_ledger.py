"""Caps in arrival order, reversals, and re-processing, by hand and by hypothesis."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.points import Cause, capped, period_end, settle, within


def test_a_cap_of_12_stops_the_fifth_meeting_at_3_points_each() -> None:
    causes = [Cause(f"c{i}", 3) for i in range(5)]
    assert capped(causes, 12) == {"c0": 3, "c1": 3, "c2": 3, "c3": 3, "c4": 0}


def test_a_partial_cap_gives_what_is_left() -> None:
    assert capped([Cause("a", 5), Cause("b", 5), Cause("c", 5)], 12) == {"a": 5, "b": 5, "c": 2}


def test_withdrawing_an_earlier_record_lets_a_capped_one_earn() -> None:
    booked = {"c0": 3, "c1": 3, "c2": 3, "c3": 3, "c4": 0}
    causes = [Cause(f"c{i}", 3, withdrawn=i == 1) for i in range(5)]
    # the withdrawn one is reversed, the fifth now earns: two entries, nothing edited
    assert settle(causes, booked, 12) == {"c1": -3, "c4": 3}


def test_a_new_record_is_booked_even_at_zero_and_again_never() -> None:
    booked = {"c0": 3, "c1": 3, "c2": 3, "c3": 3}
    causes = [Cause(f"c{i}", 3) for i in range(5)]
    assert settle(causes, booked, 12) == {"c4": 0}
    assert settle(causes, {**booked, "c4": 0}, 12) == {}


def test_deductions_are_capped_by_size() -> None:
    assert capped([Cause("a", -5), Cause("b", -5), Cause("c", -5)], 10) == {
        "a": -5,
        "b": -5,
        "c": 0,
    }


def test_periods_within_a_year() -> None:
    assert within("2026-05", "2026")
    assert within("2026-Q2", "2026")
    assert within("2026", "2026")
    assert within("2026-05", "2026-Q2")
    assert not within("2026-07", "2026-Q2")
    assert not within("2025", "2026")
    assert not within("2026", "2026-05")


def test_period_ends() -> None:
    assert period_end("2026") == date(2026, 12, 31)
    assert period_end("2026-Q1") == date(2026, 3, 31)
    assert period_end("2026-Q4") == date(2026, 12, 31)
    assert period_end("2026-02") == date(2026, 2, 28)


@dataclass
class Ledger:
    """A ledger that only appends what `settle` says, like the real one."""

    cap: int | None
    order: list[str] = field(default_factory=list)
    nominal: dict[str, int] = field(default_factory=dict)
    withdrawn: set[str] = field(default_factory=set)
    entries: list[tuple[str, int]] = field(default_factory=list)
    balance: int = 0

    def booked(self) -> dict[str, int]:
        sums: dict[str, int] = {}
        for key, points in self.entries:
            sums[key] = sums.get(key, 0) + points
        return sums

    def apply(self) -> None:
        causes = [Cause(k, self.nominal[k], k in self.withdrawn) for k in self.order]
        for key, delta in settle(causes, self.booked(), self.cap).items():
            self.entries.append((key, delta))
            self.balance += delta

    def record(self, key: str, points: int) -> None:
        if key not in self.nominal:
            self.order.append(key)
            self.nominal[key] = points
        self.apply()

    def withdraw(self, key: str) -> None:
        if key in self.nominal:
            self.withdrawn.add(key)
        self.apply()


ops = st.lists(
    st.tuples(st.sampled_from(["record", "withdraw", "replay"]), st.integers(0, 9)),
    max_size=40,
)


@settings(max_examples=300)
@given(ops=ops, points=st.integers(1, 6), cap=st.none() | st.integers(6, 20))
def test_any_sequence_keeps_balance_cap_and_idempotence(
    ops: list[tuple[str, int]], points: int, cap: int | None
) -> None:
    ledger = Ledger(cap)
    for op, n in ops:
        key = f"checkin-{n}"
        before = list(ledger.entries)
        if op == "record":
            ledger.record(key, points)
        elif op == "withdraw":
            ledger.withdraw(key)
        else:  # re-processing whatever arrived already changes nothing
            if key in ledger.nominal:
                ledger.record(key, points)
                ledger.apply()
            assert ledger.entries == before
        assert ledger.balance == sum(p for _, p in ledger.entries)
        assert cap is None or ledger.balance <= cap
        assert all(v >= 0 for v in ledger.booked().values())
        # the ledger holds exactly what the remaining records earn, in arrival order
        live = [Cause(k, ledger.nominal[k], k in ledger.withdrawn) for k in ledger.order]
        assert ledger.booked() == capped(live, cap)
    # a withdrawn record keeps its history: it was booked, then reversed, never edited
    for key in ledger.withdrawn:
        assert ledger.booked()[key] == 0
