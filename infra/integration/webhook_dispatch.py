"""The webhook dispatcher: sends each subscription its events, records the attempts, retries.

One leader per deployment (a session advisory lock, as the relay), in the background of
an API worker and never on a request. Each enabled subscription has a stream, a cursor
over the outbox (infra/integration/webhook_stream.py): the dispatcher reads its next
events when its endpoint has room, so events cost an endpoint nothing until it takes
them. Deliveries that have a row and are due again (retries, redeliveries) are read ahead
too (`zhibu_webhook_due` over all endpoints but paused and well-stocked ones,
`zhibu_webhook_due_of` for those that ran dry). Both go into a backlog per endpoint,
each sent in a task of its own, at most `endpoint_concurrency` at once per endpoint and
`max_in_flight` in all, each within a timeout: a slow or dead receiver holds only its own
slots. Ended attempts are recorded in batches by one recorder
(infra/integration/webhook_record.py) on at most `DATABASE_CONNECTIONS` of the worker's
connections; until its attempt is recorded a delivery is neither read nor sent again, and
an endpoint whose attempt failed sends nothing more until that failure is recorded (its
run of failures, pause or disabling decided). A dispatcher that dies before recording an
attempt recorded nothing (nor moved the stream's cursor), so its successor sends the
event again with the same `webhook-id` (at least once).

Deliveries are signed per Standard Webhooks v1 by the `standardwebhooks` library, once per
live secret: during a rotation's overlap `webhook-signature` carries two.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections import Counter, deque
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from psycopg import AsyncConnection
from psycopg.rows import namedtuple_row
from sqlalchemy import or_, select, text
from standardwebhooks import Webhook as Signer

from domain.integration import DisablePolicy, Outcome
from domain.shared import grouped
from infra.db.session import Database, Scope
from infra.integration.tables import WebhookSecretRow, WebhookSubscriptionRow
from infra.integration.webhook_http import DeliveryClient, delivery_client, post
from infra.integration.webhook_record import (
    Due,
    Finished,
    finished,
    not_sent,
    record,
)
from infra.integration.webhook_stream import STREAMS, Stream, read, save
from infra.integration.webhooks import reveal_secret
from infra.protection import FieldProtector
from infra.settings import Settings

log = logging.getLogger(__name__)

_DUE = (
    "SELECT tenant_id, id, subscription_tenant_id, subscription_id, event_id, body, attempts"
    " FROM zhibu_webhook_due(%s, %s, %s::uuid[])"
)
_DUE_OF = (
    "SELECT tenant_id, id, subscription_tenant_id, subscription_id, event_id, body, attempts"
    " FROM zhibu_webhook_due_of(%s::uuid[], %s)"
)
_BOUND = "SELECT zhibu_outbox_bound(%s::xid8)::text"
DISCOVER_SECONDS = 1.0
ENDPOINT_CACHE_SECONDS = 1.0
DATABASE_CONNECTIONS = 2
RECORD_SECONDS = 0.05
CURSOR_SAVE_SECONDS = 10.0  # a cursor moved by no delivery (nothing of its types) waits
USER_AGENT = "Zhibu-Webhooks/1"


@dataclass(frozen=True, slots=True)
class DispatchConfig:
    allow_private: bool
    timeout: float
    endpoint_concurrency: int
    max_in_flight: int
    retry_scale: float
    disable: DisablePolicy
    poll_seconds: float

    @classmethod
    def from_settings(cls, settings: Settings) -> DispatchConfig:
        return cls(
            allow_private=settings.webhook_allow_private,
            timeout=settings.webhook_timeout_seconds,
            endpoint_concurrency=settings.webhook_endpoint_concurrency,
            max_in_flight=settings.webhook_max_in_flight,
            retry_scale=settings.webhook_retry_scale,
            disable=DisablePolicy(
                settings.webhook_disable_after_failures, settings.webhook_disable_after_seconds
            ),
            poll_seconds=settings.webhook_poll_seconds,
        )


@dataclass(frozen=True, slots=True)
class Endpoint:
    url: str
    enabled: bool
    disabled_reason: str | None
    signers: tuple[Signer, ...]
    loaded: float

    def headers(self, message_id: str, body: str, now: datetime) -> dict[str, str]:
        return {
            "webhook-id": message_id,
            "webhook-timestamp": str(int(now.timestamp())),
            "webhook-signature": " ".join(s.sign(message_id, now, body) for s in self.signers),
            "content-type": "application/json",
            "user-agent": USER_AGENT,
        }


class WebhookDispatcher:
    """`start` it in the app's lifespan; `stop` ends it and every attempt in flight."""

    def __init__(
        self,
        db: Database,
        conninfo: str,
        *,
        protector: FieldProtector,
        config: DispatchConfig,
        name: str = "zhibu",
    ) -> None:
        self.db = db
        self.conninfo = conninfo
        self.protector = protector
        self.config = config
        self.name = name
        self._task: asyncio.Task[None] | None = None
        self._attempts: set[asyncio.Task[None]] = set()
        self._backlog: dict[uuid.UUID, deque[Due]] = {}  # endpoint → deliveries read ahead
        self._known: dict[uuid.UUID, uuid.UUID] = {}  # delivery → endpoint, until recorded
        self._sending: dict[uuid.UUID, int] = {}  # endpoint → requests open
        self._settling: set[uuid.UUID] = set()  # endpoints with a failure not yet recorded
        self._finished: list[Finished] = []
        self._recorded_meanwhile: set[uuid.UUID] | None = None  # during a read ahead
        self._drained: set[uuid.UUID] = set()  # endpoints that sent all they had read
        self._read_at = 0.0
        self._paused: dict[uuid.UUID, float] = {}
        self._endpoints: dict[uuid.UUID, Endpoint] = {}
        self._loading: dict[uuid.UUID, asyncio.Future[Endpoint]] = {}
        self._paths: dict[uuid.UUID, str] = {}  # tenant id → path, which never changes
        self._streams: dict[uuid.UUID, Stream] = {}  # endpoint → its cursor and window
        self._wake = asyncio.Event()  # a slot freed or a batch recorded
        self._ended = asyncio.Event()  # attempts wait to be recorded
        # Records and endpoint reads take at most this many of the worker's database
        # connections, so requests never wait for a pool the dispatcher drained.
        self._connections = asyncio.Semaphore(DATABASE_CONNECTIONS)

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=f"webhook dispatcher {self.name}")

    async def stop(self) -> None:
        tasks = [t for t in (self._task, *self._attempts) if t is not None]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._task = None
        self._attempts.clear()
        self._forget()

    def _forget(self) -> None:
        """What is not recorded is forgotten: those deliveries are still pending."""
        self._backlog.clear()
        self._known.clear()
        self._sending.clear()
        self._settling.clear()
        self._finished.clear()
        self._drained.clear()
        self._streams.clear()

    async def _run(self) -> None:
        pause = 1.0
        while True:
            try:
                await self._lead()
            except Exception as exc:  # e.g. the database is away: try again, less often
                log.warning("webhook dispatcher stopped (%r); again in %.0f s", exc, pause)
                await asyncio.sleep(pause)
                pause = min(pause * 2, 30.0)

    async def _lead(self) -> None:
        async with await AsyncConnection.connect(
            self.conninfo, autocommit=True, row_factory=namedtuple_row
        ) as conn:
            key = f"zhibu.webhooks:{self.name}"
            while True:
                cur = await conn.execute("SELECT pg_try_advisory_lock(hashtext(%s))", (key,))
                row = await cur.fetchone()
                if row is not None and row[0]:
                    break
                await asyncio.sleep(1.0)
            recorder = asyncio.create_task(self._recorder(), name=f"webhook records {self.name}")
            try:
                async with delivery_client(
                    allow_private=self.config.allow_private,
                    connections=self.config.max_in_flight,
                ) as http:
                    while True:
                        self._wake.clear()
                        if not await self._round(conn, http):
                            with contextlib.suppress(TimeoutError):
                                async with asyncio.timeout(self.config.poll_seconds):
                                    await self._wake.wait()
            finally:
                recorder.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await recorder

    async def _round(self, conn: AsyncConnection[Any], http: DeliveryClient) -> bool:
        """Read ahead, then start an attempt for each delivery whose endpoint has room;
        True if any started. The endpoints that sent all they had read are read for at
        once, one by one along an index; every endpoint is looked at every poll when
        idle, every `DISCOVER_SECONDS` when busy (that read ranks every pending delivery,
        tens of thousands behind slow receivers)."""
        now = time.monotonic()
        self._paused = {k: until for k, until in self._paused.items() if until > now}
        for endpoint in self._paused:
            self._unread(endpoint)
        ahead = self.config.max_in_flight
        full = {e for e, q in self._backlog.items() if len(q) >= ahead // 2}
        skip = self._paused.keys() | self._settling | full
        hungry, self._drained = self._drained - skip, set()
        if hungry:
            known = Counter(e for e in self._known.values() if e in hungry)
            most = max(known.values(), default=0)
            await self._read(conn, _DUE_OF, (list(hungry), most + ahead))
        busy = bool(self._backlog or self._attempts)
        if now - self._read_at >= (DISCOVER_SECONDS if busy else self.config.poll_seconds):
            self._read_at = now
            # Half a window read is enough for an endpoint (a slow one would fill the
            # memory); the query counts the deliveries known (still pending) among its
            # rows per endpoint and in all, hence the margins.
            known = Counter(e for e in self._known.values() if e not in skip)
            limits = (sum(known.values()) + 2 * ahead, max(known.values(), default=0) + ahead)
            await self._read(conn, _DUE, (*limits, list(skip)))
            await self._discover(conn)
        await self._read_streams(conn, skip)
        return self._start(http)

    def _unread(self, endpoint: uuid.UUID) -> None:
        """A paused endpoint's pending rows are read again when it resumes; the events of
        its stream stay in its backlog (the stream's window waits for them)."""
        queue = self._backlog.pop(endpoint, ())
        kept = deque(d for d in queue if d.fresh is not None)
        for due in queue:
            if due.fresh is None:
                self._known.pop(due.id, None)
        if kept:
            self._backlog[endpoint] = kept

    async def _discover(self, conn: AsyncConnection[Any]) -> None:
        """Start a stream per enabled subscription, end those of the others, and save the
        cursors that moved past events of no interest a while ago."""
        cur = await conn.execute(STREAMS)
        seen = set()
        for row in await cur.fetchall():
            seen.add(row.id)
            stream = self._streams.get(row.id)
            if stream is None:
                self._streams[row.id] = Stream.of(row)
            else:
                stream.types = tuple(row.event_types)
                stream.within = None  # the organization's subtree as the tree stands now
        for endpoint in [e for e in self._streams if e not in seen]:
            self._drop(self._streams[endpoint])
        now = time.monotonic()
        idle = [
            s
            for s in self._streams.values()
            if not s.window and s.read_to > s.saved and now - s.saved_at >= CURSOR_SAVE_SECONDS
        ]
        for path, streams in grouped(idle, lambda s: s.tenant_path).items():
            async with self._connections, self.db.unit_of_work(Scope(path)) as uow:
                moved = await save(uow, streams)
            self._saved(moved)

    async def _read_streams(self, conn: AsyncConnection[Any], skip: set[uuid.UUID]) -> None:
        """The next events of each stream whose endpoint has room, half a window at a
        time; a stream that read all there was waits a poll, and reads again only once
        the outbox's bound has moved past where it read to (nothing was committed since,
        the usual answer when idle: one statement for all the streams)."""
        now = time.monotonic()
        ahead = self.config.max_in_flight
        ready = []
        for stream in self._streams.values():
            stream.cursor()
            if not (
                stream.id in skip
                or now < stream.idle_until
                or len(self._backlog.get(stream.id, ())) >= self.config.endpoint_concurrency
                or len(stream.window) >= ahead
            ):
                ready.append(stream)
        if not ready:
            return
        after = min(s.read_to for s in ready)
        cur = await conn.execute(_BOUND, (str(after[0]),))
        row = await cur.fetchone()
        bound = (int(row[0]), 0) if row else after
        for stream in ready:
            if stream.read_to >= bound:
                stream.idle_until = now + self.config.poll_seconds
                continue
            async with self._connections:
                dues = await read(self.db, stream, limit=ahead // 2, poll=self.config.poll_seconds)
            if dues and self._streams.get(stream.id) is stream:
                self._backlog.setdefault(stream.id, deque()).extend(dues)

    def _drop(self, stream: Stream) -> None:
        """Forget a stream and the events it read: a new one starts at the saved cursor."""
        if self._streams.get(stream.id) is stream:
            del self._streams[stream.id]
        queue = self._backlog.pop(stream.id, ())
        kept = deque(d for d in queue if d.fresh is None or d.fresh.stream is not stream)
        if kept:
            self._backlog[stream.id] = kept

    def _saved(self, moved: list[tuple[Stream, tuple[int, int]]]) -> None:
        now = time.monotonic()
        for stream, at in moved:
            stream.saved, stream.saved_at = at, now

    async def _read(self, conn: AsyncConnection[Any], query: str, params: tuple[Any, ...]) -> None:
        """Add the due deliveries the query finds that are not known yet to the backlog."""
        self._recorded_meanwhile = recorded = set()
        try:
            cur = await conn.execute(query, params)
            rows = await cur.fetchall()
        finally:
            self._recorded_meanwhile = None
        for row in rows:
            # A delivery recorded while the query ran may be in it, as it was before.
            if row.id in self._known or row.id in recorded:
                continue
            due = Due(*row, await self._path(conn, row.subscription_tenant_id))
            self._known[due.id] = due.subscription_id
            self._backlog.setdefault(due.subscription_id, deque()).append(due)

    def _start(self, http: DeliveryClient) -> bool:
        started = False
        for endpoint, queue in list(self._backlog.items()):
            if endpoint in self._settling or endpoint in self._paused:
                continue
            while (
                queue
                and self._sending.get(endpoint, 0) < self.config.endpoint_concurrency
                and len(self._attempts) < self.config.max_in_flight
            ):
                due = queue.popleft()
                self._sending[endpoint] = self._sending.get(endpoint, 0) + 1
                task = asyncio.create_task(self._attempt(http, due))
                self._attempts.add(task)
                task.add_done_callback(self._attempts.discard)
                started = True
            if not queue:
                del self._backlog[endpoint]
                self._drained.add(endpoint)
        return started

    async def _path(self, conn: AsyncConnection[Any], tenant_id: uuid.UUID) -> str:
        """A tenant's path, asked of tenancy once (apart from the due deliveries' read: on
        Citus a function over the shards may not call another that reads a table)."""
        path = self._paths.get(tenant_id)
        if path is None:
            cur = await conn.execute("SELECT zhibu_tenant_path(%s)", (tenant_id,))
            row = await cur.fetchone()
            path = self._paths[tenant_id] = row[0] if row else ""
        return path

    async def _attempt(self, http: DeliveryClient, due: Due) -> None:
        done: Finished | None = None
        try:
            endpoint = await self._endpoint(due)
            if not endpoint.enabled:
                done = not_sent(due, endpoint.disabled_reason)
                return
            now = datetime.now(UTC)
            message_id = str(due.event_id)
            answer = await post(
                http,
                endpoint.url,
                due.body.encode(),
                endpoint.headers(message_id, due.body, now),
                seconds=self.config.timeout,
            )
            done = finished(due, answer, retry_scale=self.config.retry_scale)
            if done.outcome is not Outcome.DELIVERED:
                self._settling.add(due.subscription_id)
            pause = done.pause_seconds
            if pause is not None:
                self._paused[due.subscription_id] = time.monotonic() + pause
        except Exception:
            log.exception("webhook delivery %s failed unrecorded; it stays pending", due.id)
        finally:
            left = self._sending.get(due.subscription_id, 1) - 1
            if left > 0:
                self._sending[due.subscription_id] = left
            else:
                self._sending.pop(due.subscription_id, None)
            if done is None:
                self._known.pop(due.id, None)
                if due.fresh is not None:
                    self._drop(due.fresh.stream)
            else:
                self._finished.append(done)
                self._ended.set()
            self._wake.set()

    async def _recorder(self) -> None:
        """Records what ended while the last batch was written, as one batch per scope,
        at most one batch every `RECORD_SECONDS`: a fast endpoint's attempts end a few
        milliseconds apart, and a transaction (and its commit's flush) per handful of them
        cost the database more than their rows."""
        began = 0.0
        while True:
            await self._ended.wait()
            wait = began + RECORD_SECONDS - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            began = time.monotonic()
            self._ended.clear()
            batch, self._finished = self._finished, []
            try:
                for path, group in grouped(batch, lambda f: f.due.scope_path).items():
                    streams = {f.due.fresh.stream for f in group if f.due.fresh is not None}
                    async with self._connections, self.db.unit_of_work(Scope(path)) as uow:
                        await record(uow, group, self.config.disable)
                        live = [s for s in streams if self._streams.get(s.id) is s]
                        moved = await save(uow, live)
                    self._saved(moved)
            except Exception:
                log.exception("%d webhook attempts could not be recorded; sent again", len(batch))
                for f in batch:
                    if f.due.fresh is not None:
                        self._drop(f.due.fresh.stream)
            finally:
                for f in batch:
                    self._known.pop(f.due.id, None)
                    if self._recorded_meanwhile is not None:
                        self._recorded_meanwhile.add(f.due.id)
                    if f.outcome is not Outcome.DELIVERED:
                        self._settling.discard(f.due.subscription_id)
                        self._endpoints.pop(f.due.subscription_id, None)
                self._wake.set()

    async def _endpoint(self, due: Due) -> Endpoint:
        """The subscription's URL, state and signers, kept for a second per endpoint; the
        attempts that find it stale together wait for one read (the endpoint's slots
        mostly free up together)."""
        cached = self._endpoints.get(due.subscription_id)
        if cached is not None and time.monotonic() - cached.loaded < ENDPOINT_CACHE_SECONDS:
            return cached
        loading = self._loading.get(due.subscription_id)
        if loading is None:
            loading = asyncio.ensure_future(self._load_endpoint(due))
            self._loading[due.subscription_id] = loading
            loading.add_done_callback(lambda _: self._loading.pop(due.subscription_id, None))
        return await asyncio.shield(loading)

    async def _load_endpoint(self, due: Due) -> Endpoint:
        async with self._connections, self.db.unit_of_work(Scope(due.scope_path)) as uow:
            row = await uow.session.get(
                WebhookSubscriptionRow, (due.subscription_tenant_id, due.subscription_id)
            )
            secrets = (
                await uow.session.execute(
                    select(WebhookSecretRow.secret).where(
                        WebhookSecretRow.tenant_id == due.subscription_tenant_id,  # type: ignore[arg-type]
                        WebhookSecretRow.subscription_id == due.subscription_id,  # type: ignore[arg-type]
                        or_(
                            WebhookSecretRow.expires_at.is_(None),  # type: ignore[union-attr]
                            WebhookSecretRow.expires_at > text("now()"),  # type: ignore[operator]
                        ),
                    )
                )
            ).scalars()
            signers = tuple(Signer(reveal_secret(self.protector, s)) for s in secrets)
        endpoint = Endpoint(
            url=row.url if row else "",
            enabled=bool(row and row.enabled and signers),
            disabled_reason=row.disabled_reason if row else "deleted",
            signers=signers,
            loaded=time.monotonic(),
        )
        self._endpoints[due.subscription_id] = endpoint
        return endpoint
