"""Writing the ledger (积分明细): entries are only appended, the balance moves with them.

Every write to a member's period holds that period's balance row (`FOR UPDATE`), appends
its entries, adds them to the balance and queues `points.awarded` / `points.reversed`, all
in the caller's unit of work. An award writes one entry (`hold_balance`, `append`);
accrual writes a relay round's entries of many members at once (`hold_balances`,
`append_many`): one INSERT … VALUES of the entries per 500 and one UPDATE of the
balances, each naming the tenant, so Citus routes it to the tenant's shard.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from domain.shared import new_id
from infra.db.bulk import execute, insert_values, positional_values
from infra.db.session import UnitOfWork
from infra.members import member_place
from infra.platform.outbox import emit_all, event_row

AWARDED = "points.awarded"
REVERSED = "points.reversed"
CHUNK = 500  # rows per statement


@dataclass(frozen=True, slots=True)
class Entry:
    """A ledger line to append (`point_entry`'s columns); a plain value, cheap to make by
    the thousand."""

    tenant_id: uuid.UUID
    member_id: uuid.UUID
    period: str
    kind: str
    points: int
    cause_type: str
    cause_id: uuid.UUID
    rule_version_id: uuid.UUID | None = None
    rule_version: int | None = None
    item_code: str | None = None
    item_points: int | None = None
    item_cap: int | None = None
    event_id: uuid.UUID | None = None
    id: uuid.UUID = field(default_factory=new_id)


BalanceKey = tuple[uuid.UUID, str]
"""A member's period: (member_id, period)."""

_KEYS = (("member_id", "uuid"), ("period", "text"))
_BALANCE_KEYS = (("tenant_id", "uuid"), *_KEYS)
_ENTRY_COLUMNS = (
    "tenant_id",
    "id",
    "member_id",
    "period",
    "kind",
    "points",
    "rule_version_id",
    "rule_version",
    "item_code",
    "item_points",
    "item_cap",
    "cause_type",
    "cause_id",
    "event_id",
    "created_at",
)
_MOVES = (("member_id", "uuid"), ("period", "text"), ("points", "integer"), ("n", "integer"))


async def hold_balance(
    uow: UnitOfWork, tenant_id: uuid.UUID, member_id: uuid.UUID, period: str
) -> None:
    """Take the period's balance row (made at zero the first time): one writer at a time."""
    await hold_balances(uow, tenant_id, [(member_id, period)])


async def hold_balances(uow: UnitOfWork, tenant_id: uuid.UUID, keys: Sequence[BalanceKey]) -> None:
    """Take these balance rows (made at zero the first time) in one order, members' ids
    then periods byte by byte, so that two writers of overlapping sets never deadlock."""
    ordered = sorted(set(keys))
    for start in range(0, len(ordered), CHUNK):
        chunk = ordered[start : start + CHUNK]
        rows, params = positional_values(_BALANCE_KEYS, [(tenant_id, *key) for key in chunk])
        await execute(
            uow,
            f"INSERT INTO point_balance (tenant_id, member_id, period) VALUES {rows}"  # noqa: S608 - placeholders
            " ON CONFLICT DO NOTHING",
            params,
        )
        rows, params = positional_values(_KEYS, chunk, first=2)
        await execute(
            uow,
            "SELECT 1 FROM point_balance WHERE tenant_id = $1"  # noqa: S608 - placeholders
            f" AND (member_id, period) IN ({rows})"
            ' ORDER BY member_id, period COLLATE "C" FOR UPDATE',
            [tenant_id, *params],
        )


async def append(uow: UnitOfWork, entries: Sequence[Entry]) -> None:
    """Append entries of one member's period (its balance held) and move the balance."""
    if not entries:
        return
    first = entries[0]
    place = await member_place(uow, first.tenant_id, first.member_id)
    placed = {first.member_id: place.organization_id} if place else {}
    await append_many(uow, first.tenant_id, entries, placed)


async def append_many(
    uow: UnitOfWork,
    tenant_id: uuid.UUID,
    entries: Sequence[Entry],
    organizations: Mapping[uuid.UUID, uuid.UUID],
) -> None:
    """Append a tenant's entries (their balances held), move each balance by its own and
    queue an event for each that moved points or reversed a record, placed at the
    member's organization (`organizations`, by member)."""
    if not entries:
        return
    created = datetime.now(UTC)
    await insert_values(uow, "point_entry", _ENTRY_COLUMNS, [_row(e, created) for e in entries])
    moves: dict[BalanceKey, tuple[int, int]] = {}
    for entry in entries:
        points, n = moves.get((entry.member_id, entry.period), (0, 0))
        moves[(entry.member_id, entry.period)] = (points + entry.points, n + 1)
    ordered = sorted(moves.items())
    for start in range(0, len(ordered), CHUNK):
        part = [(*k, *v) for k, v in ordered[start : start + CHUNK]]
        rows, params = positional_values(_MOVES, part, first=2)
        await execute(
            uow,
            "UPDATE point_balance AS b SET points = b.points + v.points,"  # noqa: S608 - placeholders
            " entries = b.entries + v.n, updated_at = now()"
            f" FROM (VALUES {rows}) AS v (member_id, period, points, n)"
            " WHERE b.tenant_id = $1 AND b.member_id = v.member_id AND b.period = v.period",
            [tenant_id, *params],
        )
    await emit_all(
        uow,
        [
            event_row(
                tenant_id=e.tenant_id,
                topic=REVERSED if e.kind == "reversal" else AWARDED,
                aggregate_type="member",
                aggregate_id=e.member_id,
                payload=_payload(e),
                organization_id=organizations.get(e.member_id),
            )
            for e in entries
            if e.points or e.kind == "reversal"
        ],
    )


def _row(entry: Entry, created: datetime) -> tuple[object, ...]:
    return (
        entry.tenant_id,
        entry.id,
        entry.member_id,
        entry.period,
        entry.kind,
        entry.points,
        entry.rule_version_id,
        entry.rule_version,
        entry.item_code,
        entry.item_points,
        entry.item_cap,
        entry.cause_type,
        entry.cause_id,
        entry.event_id,
        created,
    )


def _payload(entry: Entry) -> dict[str, Any]:
    return {
        "entry_id": str(entry.id),
        "member_id": str(entry.member_id),
        "points": entry.points,
        "kind": entry.kind,
        "period": entry.period,
        "item_code": entry.item_code,
        "rule_version": entry.rule_version,
        "cause_type": entry.cause_type,
        "cause_id": str(entry.cause_id),
    }
