"""A cap group settled record by record in memory: by hand, and by hypothesis against the
same records cut into relay rounds of any size (each round reading back what the earlier
ones wrote), which must write the very same entries."""

from __future__ import annotations

from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.points import Booked, CapGroup, Cause, Change, capped


def test_a_round_reaches_the_cap_and_a_withdrawal_applies_it_again() -> None:
    group = CapGroup(cap=12, item_points=3)
    written = [change for n in range(5) for change in group.add(f"c{n}")]
    assert [(c.cause, c.kind, c.points) for c in written] == [
        ("c0", "accrual", 3),
        ("c1", "accrual", 3),
        ("c2", "accrual", 3),
        ("c3", "accrual", 3),
        ("c4", "accrual", 0),
    ]
    assert group.withdraw("c1") == [
        Change("c1", "reversal", -3, 3),
        Change("c4", "adjustment", 3, 3),
    ]
    assert group.withdraw("c1") == []
    assert group.add("c1") == []  # a withdrawn record replayed stays withdrawn


def test_a_group_read_back_continues_where_it_stopped() -> None:
    rows = [
        Booked("a", "accrual", 5, 5),
        Booked("b", "accrual", 5, 5),
        Booked("c", "accrual", 2, 5),
    ]
    group = CapGroup.of(12, 5, rows)
    assert group.add("b") == []
    assert group.add("d", 4) == [Change("d", "accrual", 0, 4)]
    # a is gone: b 5, then c its full 5 and d what is left of 12, 2
    assert group.withdraw("a") == [
        Change("a", "reversal", -5, 5),
        Change("c", "adjustment", 3, 5),
        Change("d", "adjustment", 2, 4),
    ]


ops = st.lists(st.tuples(st.booleans(), st.integers(0, 7), st.integers(1, 6)), max_size=30)


def _apply(group: CapGroup, op: tuple[bool, int, int]) -> list[Change]:
    withdraw, n, points = op
    return group.withdraw(f"r{n}") if withdraw else group.add(f"r{n}", points)


@settings(max_examples=300)
@given(ops=ops, cuts=st.lists(st.integers(0, 30), max_size=6), cap=st.none() | st.integers(4, 15))
def test_rounds_of_any_size_write_what_one_event_at_a_time_writes(
    ops: list[tuple[bool, int, int]], cuts: list[int], cap: int | None
) -> None:
    added: set[int] = set()
    ordered = []
    for withdraw, n, points in ops:  # as the outbox has them: a withdrawal after its record
        if not withdraw:
            added.add(n)
        if not withdraw or n in added:
            ordered.append((withdraw, n, points))
    ops = ordered
    one_by_one: list[Change] = []
    for op in ops:  # a round per event
        written = [Booked(c.cause, c.kind, c.points, c.item_points) for c in one_by_one]
        one_by_one.extend(_apply(CapGroup.of(cap, 3, written), op))
    bounds = sorted({0, len(ops), *(c for c in cuts if c < len(ops))})
    in_rounds: list[Change] = []
    for start, end in pairwise(bounds):
        round_ops = ops[start:end]
        mine = {f"r{n}" for _, n, _ in round_ops}
        written = [
            Booked(c.cause, c.kind, c.points, c.item_points)
            for c in in_rounds
            if cap is not None or c.cause in mine  # with no cap, only the round's own
        ]
        group = CapGroup.of(cap, 3, written)
        for op in round_ops:
            in_rounds.extend(_apply(group, op))
    assert in_rounds == one_by_one
    # what the ledger holds is what the records left earn, caps in arrival order
    booked: dict[str, int] = {}
    for change in in_rounds:
        booked[change.cause] = booked.get(change.cause, 0) + change.points
    replayed = CapGroup.of(
        cap, 3, [Booked(c.cause, c.kind, c.points, c.item_points) for c in in_rounds]
    )
    live = [Cause(k, replayed.uncapped[k], k in replayed.withdrawn) for k in replayed.order]
    assert booked == capped(live, cap)
    # and the whole sequence handed over again adds nothing
    assert [c for op in ops for c in _apply(replayed, op)] == []
