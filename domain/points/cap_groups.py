"""A cap group's ledger in memory, settled record by record in the order they arrived.

Accrual reads each cap group a relay round touches once, then hands it that round's
records in event order: a record arriving, a record withdrawn. Each step returns the
entries that bring the group to what its records earn (`settle`) and counts them as
booked, so the next step of the same round sees them, exactly as if every event had been
applied in a transaction of its own.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from domain.points.evaluation import Cause, settle


@dataclass(frozen=True, slots=True)
class Booked:
    """An entry already in the group: its cause, kind, points and the cause's uncapped
    points as the version said (None on entries older than that column)."""

    cause: str
    kind: str
    points: int
    item_points: int | None = None


@dataclass(frozen=True, slots=True)
class Change:
    """An entry to append: `kind` is accrual (the cause's first), adjustment or reversal."""

    cause: str
    kind: str
    points: int
    item_points: int


@dataclass(slots=True)
class CapGroup:
    """A member's entries for one item of one version in one period. With no cap a cause
    earns independently of the others, so the group may then hold only the causes at hand."""

    cap: int | None
    item_points: int
    order: list[str] = field(default_factory=list)
    uncapped: dict[str, int] = field(default_factory=dict)
    booked: dict[str, int] = field(default_factory=dict)
    withdrawn: set[str] = field(default_factory=set)

    @classmethod
    def of(cls, cap: int | None, item_points: int, entries: Iterable[Booked]) -> CapGroup:
        """The group as its entries (in the order they were written) leave it."""
        group = cls(cap, item_points)
        for entry in entries:
            if entry.cause not in group.uncapped:
                group.order.append(entry.cause)
                points = item_points if entry.item_points is None else entry.item_points
                group.uncapped[entry.cause] = points
            group.booked[entry.cause] = group.booked.get(entry.cause, 0) + entry.points
            if entry.kind == "reversal":
                group.withdrawn.add(entry.cause)
        return group

    def add(self, cause: str, points: int | None = None) -> list[Change]:
        """A record arrived, earning `points` before the cap (the item's by default); a
        record the group already holds changes nothing."""
        if cause not in self.uncapped:
            self.order.append(cause)
            self.uncapped[cause] = self.item_points if points is None else points
        return self._settle(None)

    def withdraw(self, cause: str) -> list[Change]:
        """A record was withdrawn: reverse it and apply the cap again to the rest; one
        withdrawn before (or never booked) changes nothing."""
        if cause not in self.uncapped or cause in self.withdrawn:
            return self._settle(None)
        self.withdrawn.add(cause)
        return self._settle(cause)

    def _settle(self, newly_withdrawn: str | None) -> list[Change]:
        causes = [Cause(c, self.uncapped[c], c in self.withdrawn) for c in self.order]
        deltas = settle(causes, self.booked, self.cap)
        if newly_withdrawn is not None:
            deltas.setdefault(newly_withdrawn, 0)
        changes = []
        for cause, delta in deltas.items():
            if cause == newly_withdrawn:
                kind = "reversal"
            elif cause not in self.booked:
                kind = "accrual"
            else:
                kind = "adjustment"
            changes.append(Change(cause, kind, delta, self.uncapped[cause]))
            self.booked[cause] = self.booked.get(cause, 0) + delta
        return changes
