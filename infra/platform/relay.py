"""The outbox relay: hands committed outbox events to the handlers contexts register.

One leader per relay name across workers and hosts (a session advisory lock on a
connection it keeps; if the leader dies its lock goes with its connection and another
worker takes over). Each handler has its own position (transaction id, sequence) and reads
only events of transactions older than every running one (see migration 0012), so an
event whose transaction began earlier but committed later is never skipped. Delivery is at
least once, in commit order per aggregate as far as the transactions touching one aggregate
do not overlap (they take its row lock in turn); a handler applies an event in the event's
tenant scope in the same transaction that records it as processed, so it applies each
event once (a handler whose writes are idempotent by themselves says so, and the relay
records nothing for it). A failing event is parked with a backoff, and the later events of its
aggregate wait behind it for that handler only; other aggregates, tenants and handlers go
on. A handler seen for the first time starts at the beginning of the outbox.

On Citus the same loop runs against the coordinator; only the SQL beneath differs (the
engine is read once per leadership). Positions stay the coordinator's transaction ids:
every write passes the coordinator, which evaluates `xid` and `seq` of an
`INSERT … VALUES` there (the `xid` default refuses to run on a worker), so they order
events of all nodes in one sequence that a shard move leaves unchanged, and per-aggregate
order holds as on PostgreSQL. Positions per worker node were the alternative: each
node's own ids and snapshot, but a shard the rebalancer moves brings another node's ids,
and each event would need stamping on its node by a trigger. What the coordinator's
snapshot does not cover is Citus's two-phase commit, whose prepared parts the workers
commit just after the coordinator: `zhibu_outbox_after` reads below the event feed's bound,
`zhibu_outbox_bound` (infra/platform/sql/citus/), which lowers the snapshot's below every
such transaction a node still holds prepared. Processed events are
recorded with `INSERT … VALUES`, which Citus commits on the tenant's shard in one phase.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import uuid
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec
from psycopg import AsyncConnection
from psycopg.rows import namedtuple_row
from psycopg.types.json import set_json_loads
from sqlalchemy import text

from domain.shared import grouped
from infra.db.session import Database, Scope, UnitOfWork

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RelayedEvent:
    """A committed outbox event as a handler receives it."""

    tenant_id: uuid.UUID
    id: uuid.UUID
    topic: str
    aggregate_type: str
    aggregate_id: str
    payload: dict[str, Any]
    created_at: datetime
    tenant_path: str
    xid: str
    seq: int

    @property
    def aggregate(self) -> tuple[uuid.UUID, str, str]:
        return (self.tenant_id, self.aggregate_type, self.aggregate_id)


RelayHandler = Callable[[UnitOfWork, RelayedEvent], Awaitable[None]]
BatchHandler = Callable[[UnitOfWork, list[RelayedEvent]], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Subscription:
    """What a context registers: its handler and the topics it wants (None: every one)."""

    handler: RelayHandler
    topics: frozenset[str] | None = None

    def wants(self, topic: str) -> bool:
        return self.topics is None or topic in self.topics


@dataclass(frozen=True, slots=True)
class BatchSubscription:
    """A handler given one tenant's fresh events at once, in order: for handlers whose
    cost is a lookup per event that the events of a batch can share."""

    handler: BatchHandler
    topics: frozenset[str] | None = None
    # Applying an event twice changes nothing (the handler checks its own writes), so the
    # relay need not record each event as processed: two rows fewer per check-in.
    idempotent: bool = False

    def wants(self, topic: str) -> bool:
        return self.topics is None or topic in self.topics


AnySubscription = Subscription | BatchSubscription


def retry_delay(attempts: int, *, base: float, cap: float) -> float:
    """Exponential backoff with full jitter in its upper half: a crowd of failures spreads."""
    ceiling = min(cap, base * 2 ** max(attempts - 1, 0))
    return ceiling * random.uniform(0.5, 1.0)  # noqa: S311 - jitter, not a secret


_NEXT_EVENTS = (
    "SELECT tenant_id, id, topic, aggregate_type, aggregate_id, payload, created_at,"
    " tenant_path, xid::text AS xid, seq FROM zhibu_outbox_after(%s::xid8, %s, %s)"
)
_DUE_RETRIES = (
    "SELECT tenant_id, id, topic, aggregate_type, aggregate_id, payload, created_at,"
    " tenant_path, xid::text AS xid, seq, attempts FROM zhibu_outbox_due_retries(%s, %s)"
)


_RECORD_PROCESSED = (
    "INSERT INTO outbox_processed (tenant_id, handler, event_id)"
    " SELECT :t, :h, unnest(CAST(:ids AS uuid[]))"
    " ON CONFLICT DO NOTHING RETURNING event_id"
)


def _record_processed_each(count: int) -> str:
    """On Citus: the rows as VALUES, which it writes on the tenant's shard in one phase (an
    INSERT … SELECT goes through the coordinator and commits in two)."""
    rows = ", ".join(f"(:t, :h, CAST(:id{i} AS uuid))" for i in range(count))
    return (
        f"INSERT INTO outbox_processed (tenant_id, handler, event_id) VALUES {rows}"  # noqa: S608 - placeholders
        " ON CONFLICT DO NOTHING RETURNING event_id"
    )


def _event(row: Any) -> RelayedEvent:
    return RelayedEvent(
        tenant_id=row.tenant_id,
        id=row.id,
        topic=row.topic,
        aggregate_type=row.aggregate_type,
        aggregate_id=row.aggregate_id,
        payload=row.payload,
        created_at=row.created_at,
        tenant_path=row.tenant_path,
        xid=row.xid,
        seq=row.seq,
    )


class Relay:
    """The relay loop; `register` handlers, then `start` it in the app's lifespan."""

    def __init__(
        self,
        db: Database,
        conninfo: str,
        *,
        name: str = "zhibu",
        poll_seconds: float = 0.1,
        batch: int = 500,
        retry_base_seconds: float = 1.0,
        retry_cap_seconds: float = 300.0,
        handler_timeout_seconds: float = 60.0,
    ) -> None:
        self.db = db
        self.conninfo = conninfo
        self.name = name
        self.poll_seconds = poll_seconds
        self.batch = batch
        self.retry_base = retry_base_seconds
        self.retry_cap = retry_cap_seconds
        self.handler_timeout = handler_timeout_seconds
        self.handlers: dict[str, AnySubscription] = {}
        self._positions: dict[str, tuple[str, int]] = {}
        self._task: asyncio.Task[None] | None = None
        self._leading = False
        self._distributed = False

    def register(self, name: str, subscription: AnySubscription) -> None:
        """Subscribe under a stable `name`, which keys its position and processed events."""
        if name in self.handlers:
            raise ValueError(f"relay handler {name!r} is registered twice")
        self.handlers[name] = subscription

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=f"outbox relay {self.name}")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        pause = 1.0
        while True:
            self._leading = False
            try:
                await self._lead()
            except Exception as exc:  # e.g. the database is away: try again, less often
                pause = 1.0 if self._leading else min(pause * 2, 30.0)
                log.warning("outbox relay %s stopped (%r); again in %.0f s", self.name, exc, pause)
                await asyncio.sleep(pause)

    async def _lead(self) -> None:
        """Wait to become the leader, then relay until cancelled or disconnected."""
        async with await AsyncConnection.connect(
            self.conninfo, autocommit=True, row_factory=namedtuple_row
        ) as conn:
            # Every event's payload is parsed here, two per check-in under accrual (its own
            # and its entry's): msgspec's parser, not the standard library's.
            set_json_loads(msgspec.json.decode, conn)
            key = f"zhibu.outbox_relay:{self.name}"
            while True:
                cur = await conn.execute("SELECT pg_try_advisory_lock(hashtext(%s))", (key,))
                row = await cur.fetchone()
                if row is not None and row[0]:
                    break
                await asyncio.sleep(max(self.poll_seconds * 20, 1.0))
            self._leading = True
            self._positions.clear()  # another leader may have moved them meanwhile
            cur = await conn.execute(
                "SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus')"
            )
            row = await cur.fetchone()
            self._distributed = bool(row and row[0])
            while True:
                if not await self.relay_once(conn):
                    await asyncio.sleep(self.poll_seconds)

    async def relay_once(self, conn: AsyncConnection[Any]) -> bool:
        """One round over every handler; True when a handler's batch was full, so more
        events wait. Otherwise the leader pauses a poll interval even while events keep
        coming: under a stream of check-ins the batches grow instead of the rounds.
        Handlers at the same position (the usual case) share one read of the outbox."""
        busy = False
        read: dict[tuple[str, int], list[RelayedEvent]] = {}
        for name, sub in self.handlers.items():
            position = await self._position(conn, name)
            events = read.get(position)
            if events is None:
                events = read[position] = await self._events_after(conn, position)
            if events:
                busy = busy or len(events) >= self.batch
                await self._deliver(conn, name, sub, events)
                last = events[-1]
                await self._save_position(conn, name, (last.xid, last.seq))
            await self._retry_due(conn, name, sub)
        return busy

    async def _position(self, conn: AsyncConnection[Any], name: str) -> tuple[str, int]:
        position = self._positions.get(name)
        if position is None:
            await conn.execute(
                "INSERT INTO outbox_relay_position (handler) VALUES (%s)"
                " ON CONFLICT (handler) DO NOTHING",
                (name,),
            )
            cur = await conn.execute(
                "SELECT xid::text AS xid, seq FROM outbox_relay_position WHERE handler = %s",
                (name,),
            )
            row = await cur.fetchone()
            assert row is not None
            position = self._positions[name] = (row.xid, row.seq)
        return position

    async def _events_after(
        self, conn: AsyncConnection[Any], position: tuple[str, int]
    ) -> list[RelayedEvent]:
        cur = await conn.execute(_NEXT_EVENTS, (*position, self.batch))
        return [_event(row) for row in await cur.fetchall()]

    async def _save_position(
        self, conn: AsyncConnection[Any], name: str, position: tuple[str, int]
    ) -> None:
        await conn.execute(
            "UPDATE outbox_relay_position SET xid = %s::xid8, seq = %s, updated_at = now()"
            " WHERE handler = %s",
            (*position, name),
        )
        self._positions[name] = position

    async def _deliver(
        self,
        conn: AsyncConnection[Any],
        name: str,
        sub: AnySubscription,
        events: list[RelayedEvent],
    ) -> None:
        """Apply a batch per tenant in one transaction, or event by event if that fails."""
        wanted = [e for e in events if sub.wants(e.topic)]
        if not wanted:
            return
        cur = await conn.execute(
            "SELECT tenant_id, aggregate_type, aggregate_id FROM zhibu_outbox_parked(%s)", (name,)
        )
        parked = {tuple(row) for row in await cur.fetchall()}
        for tenant_events in grouped(wanted, lambda e: e.tenant_id).values():
            waiting = [e for e in tenant_events if e.aggregate in parked]
            ready = [e for e in tenant_events if e.aggregate not in parked]
            if ready:
                try:
                    await self._apply_in_scope(name, sub, ready)
                    ready = []
                except Exception:
                    log.info("relay handler %s failed on a batch; one by one", name)
            for event in ready:
                if event.aggregate in parked:
                    waiting.append(event)
                    continue
                try:
                    await self._apply_in_scope(name, sub, [event])
                except Exception as exc:
                    log.warning("relay handler %s failed on event %s: %r", name, event.id, exc)
                    parked.add(event.aggregate)
                    await self._park(event, name, attempts=1, error=repr(exc))
            for event in waiting:
                await self._park(event, name, attempts=0, error=None)

    async def _retry_due(self, conn: AsyncConnection[Any], name: str, sub: AnySubscription) -> None:
        cur = await conn.execute(_DUE_RETRIES, (name, self.batch))
        rows = await cur.fetchall()
        stuck: set[tuple[uuid.UUID, str, str]] = set()
        for row in rows:
            event = _event(row)
            if event.aggregate in stuck:
                continue
            try:
                await self._apply_in_scope(name, sub, [event], retried=True)
            except Exception as exc:
                log.warning("relay handler %s failed again on event %s: %r", name, event.id, exc)
                stuck.add(event.aggregate)
                await self._park(event, name, attempts=row.attempts + 1, error=repr(exc))

    async def _park(
        self, event: RelayedEvent, name: str, *, attempts: int, error: str | None
    ) -> None:
        """Keep `event` for a later attempt (after a backoff when it failed)."""
        delay = retry_delay(attempts, base=self.retry_base, cap=self.retry_cap) if attempts else 0
        async with self._tenant_uow(event) as uow:
            await uow.session.execute(
                text(
                    "INSERT INTO outbox_retry (tenant_id, handler, event_id, xid, seq,"
                    " aggregate_type, aggregate_id, attempts, next_attempt_at, last_error)"
                    " VALUES (:t, :h, :e, CAST(:xid AS xid8), :seq, :at, :ai, :n, :next, :err)"
                    " ON CONFLICT (tenant_id, handler, event_id) DO UPDATE"
                    " SET attempts = excluded.attempts, next_attempt_at = excluded.next_attempt_at,"
                    "     last_error = excluded.last_error"
                ),
                {
                    "t": event.tenant_id,
                    "h": name,
                    "e": event.id,
                    "xid": event.xid,
                    "seq": event.seq,
                    "at": event.aggregate_type,
                    "ai": event.aggregate_id,
                    "n": attempts,
                    "next": datetime.now(UTC) + timedelta(seconds=delay),
                    "err": error,
                },
            )

    def _tenant_uow(self, event: RelayedEvent) -> AbstractAsyncContextManager[UnitOfWork]:
        return self.db.unit_of_work(Scope(event.tenant_path))

    async def _apply_in_scope(
        self, name: str, sub: AnySubscription, events: list[RelayedEvent], *, retried: bool = False
    ) -> None:
        """Apply one tenant's events in one transaction; a hung handler counts as failed."""
        async with asyncio.timeout(self.handler_timeout), self._tenant_uow(events[0]) as uow:
            if retried:
                await uow.session.execute(
                    text(
                        "DELETE FROM outbox_retry"
                        " WHERE tenant_id = :t AND handler = :h AND event_id = ANY(:ids)"
                    ),
                    {"t": events[0].tenant_id, "h": name, "ids": [e.id for e in events]},
                )
            await self._apply(uow, name, sub, events)

    async def _apply(
        self, uow: UnitOfWork, name: str, sub: AnySubscription, events: list[RelayedEvent]
    ) -> None:
        """Record the events as processed by `name` and apply those not processed before."""
        if isinstance(sub, BatchSubscription) and sub.idempotent:
            await sub.handler(uow, events)
            return
        params: dict[str, Any] = {"t": events[0].tenant_id, "h": name}
        if self._distributed:
            statement = _record_processed_each(len(events))
            params.update((f"id{i}", e.id) for i, e in enumerate(events))
        else:
            statement = _RECORD_PROCESSED
            params["ids"] = [e.id for e in events]
        result = await uow.session.execute(text(statement), params)
        fresh = set(result.scalars())
        new = [event for event in events if event.id in fresh]
        if isinstance(sub, BatchSubscription):
            if new:
                await sub.handler(uow, new)
            return
        for event in new:
            await sub.handler(uow, event)
