"""Members checking themselves in: the most frequent write, committed in groups.

Check-ins come in bursts: a whole branch scans the code in the first minute of a meeting.
The check-ins of one tenant that arrive while earlier ones are being written are written
together (group commit): one message begins the transaction, sets the scope and reads
every member's context (`zhibu_self_checkin_contexts`, in sql/);
`domain.activities` decides each item; one message writes the accepted ones with their
outbox events, audit events and stored Idempotency-Key responses, built by
`checkin_records` exactly as the unit of work builds them (`zhibu_record_self_checkins`
only inserts them), and commits. Every request answers only once its own
check-in is committed. With nobody else checking in, a group is a single check-in and
nothing waits. The general path (`checkin.check_in`) serves secretaries marking others.

Grouping changes nothing a member can observe: row-level security applies to the
functions as to any statement (a group shares one tenant path), each item gets its own
result, a member has at most one item in a group, and a group that fails as a whole is
written again item by item.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import msgspec
from psycopg.errors import UniqueViolation

from domain.activities import CheckinDecision, CheckinMethod, CheckinOutcome, evaluate_checkin
from domain.shared import DomainError, new_id
from infra.activities.checkin import (
    CheckinInput,
    CheckinView,
    _not_a_member,
    _reject,
    _rules,
    _source,
    checkin_attempt,
)
from infra.activities.checkin_records import hot_path_item
from infra.activities.visibility import not_found
from infra.db.session import Actor, Database, LeanTransaction, Scope, database_unreachable
from infra.platform.idempotency import STORED_SQL, StoredResponse, stored_response, stored_row

_CONTEXTS_SQL = "SELECT * FROM zhibu_self_checkin_contexts(%(items)s)"
_RECORD_SQL = "SELECT zhibu_record_self_checkins(%(items)s) AS id"

Outcome = tuple[StoredResponse, bool]  # the response, and whether it is a replay


@dataclass(frozen=True, slots=True)
class IdempotencyRequest:
    key: str
    fingerprint: bytes


@dataclass(slots=True)
class _Item:
    actor: Actor
    activity_id: uuid.UUID
    data: CheckinInput
    now: datetime
    idempotency: IdempotencyRequest | None
    future: asyncio.Future[Outcome]
    write: dict[str, Any] = field(default_factory=dict)
    body: bytes = b""
    checkin_id: uuid.UUID | None = None

    def settle(self, outcome: Outcome | BaseException) -> None:
        if self.future.done():  # the client went away; its check-in still counts
            return
        if isinstance(outcome, BaseException):
            self.future.set_exception(outcome)
        else:
            self.future.set_result(outcome)


class CheckinDesk:
    """Takes members' own check-ins and writes them in groups, one tenant path per group.

    At most `max_in_flight` groups of a tenant path are written at once per worker;
    whatever arrives meanwhile waits and forms the next group. One measured best on
    bench.checkin once its tables carry statistics (session 11: ratio 0.66–0.81 against
    0.59 with two, groups of eight either way): half the transactions contend for two
    cores. Two had measured best while stale plans scanned the stored keys.
    """

    def __init__(
        self,
        db: Database,
        *,
        secret: bytes,
        render: Callable[[CheckinView], bytes],
        max_group: int = 64,
        max_in_flight: int = 1,
    ) -> None:
        self._db = db
        self._secret = secret
        self._render = render
        self._max_group = max_group
        self._max_in_flight = max_in_flight
        self._waiting: dict[str, list[_Item]] = {}
        self._in_flight: dict[str, int] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    async def check_in(
        self,
        actor: Actor,
        tenant_path: str,
        activity_id: uuid.UUID,
        data: CheckinInput,
        *,
        now: datetime,
        idempotency: IdempotencyRequest | None,
    ) -> Outcome:
        """Check the calling member in: the 201 response, or (replayed) the stored one."""
        assert actor.user_id is not None
        assert actor.tenant_id is not None
        future: asyncio.Future[Outcome] = asyncio.get_running_loop().create_future()
        self._waiting.setdefault(tenant_path, []).append(
            _Item(actor, activity_id, data, now, idempotency, future)
        )
        self._dispatch(tenant_path)
        return await future

    def _dispatch(self, tenant_path: str) -> None:
        waiting = self._waiting.get(tenant_path)
        while waiting and self._in_flight.get(tenant_path, 0) < self._max_in_flight:
            group: list[_Item] = []
            later: list[_Item] = []
            users: set[uuid.UUID | None] = set()
            for item in waiting:
                if len(group) < self._max_group and item.actor.user_id not in users:
                    users.add(item.actor.user_id)
                    group.append(item)
                else:
                    later.append(item)
            waiting[:] = later
            self._in_flight[tenant_path] = self._in_flight.get(tenant_path, 0) + 1
            task = asyncio.create_task(self._run(tenant_path, group))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        if not waiting:
            self._waiting.pop(tenant_path, None)

    async def _run(self, tenant_path: str, group: list[_Item]) -> None:
        try:
            try:
                await self._write(tenant_path, group)
            except Exception as error:
                if len(group) == 1 or database_unreachable(error):
                    for item in group:  # alone, each would wait for a connection in turn
                        item.settle(error)
                else:  # one item spoiled the group: the others on their own
                    for item in group:
                        if not item.future.done():
                            await self._run_alone(tenant_path, item)
        finally:
            self._in_flight[tenant_path] -= 1
            if not self._in_flight[tenant_path]:
                del self._in_flight[tenant_path]
            self._dispatch(tenant_path)

    async def _run_alone(self, tenant_path: str, item: _Item) -> None:
        try:
            await self._write(tenant_path, [item])
        except Exception as error:
            item.settle(error)

    async def _write(self, tenant_path: str, group: list[_Item]) -> None:
        async with self._db.lean_transaction(Scope(tenant_path)) as tx:
            (rows,) = await tx.send([(_CONTEXTS_SQL, {"items": _context_items(group)})])
            found = {row.ord: row for row in rows}
            accepted = [item for i, item in enumerate(group) if self._decide(item, found.get(i))]
            if not accepted:
                return
            items = msgspec.json.encode([item.write for item in accepted]).decode()
            try:
                (written,) = await tx.send([(_RECORD_SQL, {"items": items})], commit=True)
            except UniqueViolation:  # a key stored meanwhile by another request
                if len(group) > 1:
                    raise
                await tx.rollback()
                written = []
            inserted = {row.id for row in written}
            lost = []
            for item in accepted:
                if item.checkin_id in inserted:
                    item.settle((StoredResponse(201, item.body), False))
                else:
                    lost.append(item)
            if lost:
                await self._settle_lost(tx, lost)

    def _decide(self, item: _Item, found: Any) -> bool:
        """Settle the item unless it is to be written; True if it is."""
        try:
            if found is None:
                raise _not_a_member()
            if item.idempotency is not None and found.key_fingerprint is not None:
                item.settle(
                    (
                        stored_response(
                            found.key_fingerprint,
                            found.key_status,
                            found.key_body,
                            item.idempotency.fingerprint,
                        ),
                        True,
                    )
                )
                return False
            ctx = (
                None
                if found.id is None
                else _rules(found, found.member_id, self._secret, found.settings)
            )
            if ctx is None or not ctx.visible:
                raise not_found()
            decision = evaluate_checkin(
                ctx.rules,
                checkin_attempt(item.data, found.member_id, CheckinMethod.SELF),
                now=item.now,
            )
            if not decision.accepted:
                raise _reject(decision)
        except DomainError as error:
            item.settle(error)
            return False
        assert item.actor.user_id is not None  # checked by check_in()
        row = {
            "tenant_id": ctx.tenant_id,
            "id": new_id(),
            "activity_id": item.activity_id,
            "member_id": found.member_id,
            "source": _source(CheckinMethod.SELF, ctx.rules, offline=False),
            "occurred_at": decision.effective_at,
            "recorded_at": item.now,
            "recorded_by": item.actor.user_id,
            "client_id": None,
            "latitude": item.data.latitude,
            "longitude": item.data.longitude,
            "accuracy_m": item.data.accuracy_m,
            "distance_m": decision.distance_m,
        }
        view = CheckinView(
            id=row["id"],
            activity_id=item.activity_id,
            member_id=found.member_id,
            source=row["source"],
            occurred_at=decision.effective_at,
            recorded_at=item.now,
            recorded_by=item.actor.user_id,
            client_id=None,
            distance_m=decision.distance_m,
        )
        item.body = self._render(view)
        item.checkin_id = row["id"]
        item.write = hot_path_item(row, item.actor, _stored(item))
        return True

    async def _settle_lost(self, tx: LeanTransaction, lost: list[_Item]) -> None:
        """Accepted but not written: a concurrent request of the same member won the race.

        That was the same request's first try if the same key is now stored (replay it);
        otherwise the member is already checked in.
        """
        for item in lost:
            response: Outcome | BaseException = _reject(
                CheckinDecision(CheckinOutcome.DUPLICATE, item.now)
            )
            if item.idempotency is not None:
                (stored,) = await tx.send(
                    [
                        (
                            STORED_SQL,
                            {
                                "tenant_id": item.actor.tenant_id,
                                "user_id": item.actor.user_id,
                                "key": item.idempotency.key,
                            },
                        )
                    ],
                    commit=True,
                )
                if stored:
                    row = stored[0]
                    try:
                        response = (
                            stored_response(
                                row.fingerprint,
                                row.status_code,
                                row.body,
                                item.idempotency.fingerprint,
                            ),
                            True,
                        )
                    except DomainError as error:
                        response = error
            item.settle(response)


def _context_items(group: list[_Item]) -> str:
    return msgspec.json.encode(
        [
            {
                "ord": i,
                "tenant_id": item.actor.tenant_id,
                "user_id": item.actor.user_id,
                "activity_id": item.activity_id,
                "key": item.idempotency.key if item.idempotency else None,
            }
            for i, item in enumerate(group)
        ]
    ).decode()


def _stored(item: _Item) -> dict[str, Any] | None:
    """The Idempotency-Key row to write with the check-in, if a key was sent."""
    if item.idempotency is None:
        return None
    assert item.actor.tenant_id is not None
    assert item.actor.user_id is not None
    return stored_row(
        tenant_id=item.actor.tenant_id,
        user_id=item.actor.user_id,
        key=item.idempotency.key,
        fingerprint=item.idempotency.fingerprint,
        response=StoredResponse(201, item.body),
    )
