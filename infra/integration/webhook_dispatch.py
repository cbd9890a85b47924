"""The webhook dispatcher: sends pending deliveries, records each attempt, retries.

One leader per deployment (a session advisory lock, as the relay), in the background of
an API worker and never on a request. Each round asks `zhibu_webhook_due` for due
deliveries (at most a few per endpoint, none of a paused one) and sends each in a task of
its own, at most `endpoint_concurrency` at once per endpoint and `max_in_flight` in all,
each within a timeout: a slow or dead receiver holds only its own slots. An attempt is
recorded after it ends, in the subscription's scope, which covers the delivery's tenant;
a dispatcher that dies mid-attempt recorded nothing, so its successor sends the delivery
again with the same `webhook-id` (at least once).

Deliveries are signed per Standard Webhooks v1 by the `standardwebhooks` library, once per
live secret: during a rotation's overlap `webhook-signature` carries two.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from psycopg import AsyncConnection
from psycopg.rows import namedtuple_row
from sqlalchemy import or_, select, text
from standardwebhooks import Webhook as Signer

from domain.integration import DisablePolicy, Outcome, next_delay, outcome_of
from domain.shared import new_id
from infra.db.session import Database, Scope, UnitOfWork
from infra.integration.tables import WebhookAttemptRow, WebhookSecretRow, WebhookSubscriptionRow
from infra.integration.webhook_http import Answer, delivery_client, post
from infra.integration.webhooks import reveal_secret
from infra.platform.outbox import emit
from infra.protection import FieldProtector
from infra.settings import Settings

log = logging.getLogger(__name__)

_DUE = (
    "SELECT tenant_id, id, subscription_tenant_id, subscription_id, event_id, body, attempts"
    " FROM zhibu_webhook_due(%s, %s, %s::uuid[])"
)
_STREAK_ENDS = text(
    "UPDATE webhook_subscription SET failure_streak = 0, failing_since = NULL"
    " WHERE tenant_id = :t AND id = :id AND failure_streak <> 0"
)
_STREAK_GROWS = text(
    "UPDATE webhook_subscription SET failure_streak = failure_streak + 1,"
    " failing_since = coalesce(failing_since, CAST(:now AS timestamptz)),"
    " paused_until = coalesce(CAST(:paused AS timestamptz), paused_until)"
    " WHERE tenant_id = :t AND id = :id AND enabled RETURNING failure_streak, failing_since"
)
_DROPPED = text(
    "UPDATE webhook_delivery SET status = 'failed'"
    " WHERE tenant_id = :t AND id = :id AND status = 'pending' AND attempts = :before"
)
ENDPOINT_CACHE_SECONDS = 1.0
DATABASE_CONNECTIONS = 2
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
class Due:
    tenant_id: uuid.UUID
    id: uuid.UUID
    subscription_tenant_id: uuid.UUID
    subscription_id: uuid.UUID
    event_id: uuid.UUID
    body: str
    attempts: int
    scope_path: str


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
        self._in_flight: set[uuid.UUID] = set()
        self._per_endpoint: dict[uuid.UUID, int] = {}
        self._paused: dict[uuid.UUID, float] = {}
        self._endpoints: dict[uuid.UUID, Endpoint] = {}
        self._paths: dict[uuid.UUID, str] = {}  # tenant id → path, which never changes
        # Attempts end in bursts; their records take at most this many of the worker's
        # database connections, so requests never wait for a pool the dispatcher drained.
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
        self._in_flight.clear()
        self._per_endpoint.clear()

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
            async with delivery_client(
                allow_private=self.config.allow_private,
                timeout=self.config.timeout,
                connections=self.config.max_in_flight,
            ) as http:
                while True:
                    if not await self._round(conn, http):
                        await asyncio.sleep(self.config.poll_seconds)

    async def _round(self, conn: AsyncConnection[Any], http: httpx.AsyncClient) -> bool:
        """Start an attempt for each due delivery that has room; True if any started."""
        now = time.monotonic()
        self._paused = {k: until for k, until in self._paused.items() if until > now}
        room = self.config.max_in_flight - len(self._in_flight)
        if room <= 0:
            return False
        cur = await conn.execute(
            _DUE,
            (room + len(self._in_flight), self.config.endpoint_concurrency, list(self._paused)),
        )
        started = False
        for row in await cur.fetchall():
            due = Due(*row, await self._path(conn, row.subscription_tenant_id))
            taken = self._per_endpoint.get(due.subscription_id, 0)
            if due.id in self._in_flight or taken >= self.config.endpoint_concurrency:
                continue
            if len(self._in_flight) >= self.config.max_in_flight:
                break
            self._in_flight.add(due.id)
            self._per_endpoint[due.subscription_id] = taken + 1
            task = asyncio.create_task(self._attempt(http, due))
            self._attempts.add(task)
            task.add_done_callback(self._attempts.discard)
            started = True
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

    async def _attempt(self, http: httpx.AsyncClient, due: Due) -> None:
        try:
            endpoint = await self._endpoint(due)
            if not endpoint.enabled:
                await self._drop(due, endpoint.disabled_reason)
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
            await self._record(due, answer)
        except Exception:
            log.exception("webhook delivery %s could not be recorded; it stays pending", due.id)
        finally:
            self._in_flight.discard(due.id)
            left = self._per_endpoint.get(due.subscription_id, 1) - 1
            if left > 0:
                self._per_endpoint[due.subscription_id] = left
            else:
                self._per_endpoint.pop(due.subscription_id, None)

    async def _endpoint(self, due: Due) -> Endpoint:
        """The subscription's URL, state and signers, kept for a second per endpoint."""
        cached = self._endpoints.get(due.subscription_id)
        if cached is not None and time.monotonic() - cached.loaded < ENDPOINT_CACHE_SECONDS:
            return cached
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

    async def _record(self, due: Due, answer: Answer) -> None:
        now = datetime.now(UTC)
        outcome = outcome_of(answer.status_code)
        attempts = due.attempts + 1
        delay = None
        if outcome in (Outcome.FAILED, Outcome.THROTTLED):
            delay = next_delay(
                attempts, scale=self.config.retry_scale, retry_after=answer.retry_after
            )
        status = "delivered" if outcome is Outcome.DELIVERED else "pending" if delay else "failed"
        async with self._connections, self.db.unit_of_work(Scope(due.scope_path)) as uow:
            uow.session.add(
                WebhookAttemptRow(
                    tenant_id=due.tenant_id,
                    id=new_id(),
                    delivery_id=due.id,
                    subscription_id=due.subscription_id,
                    attempted_at=now,
                    status_code=answer.status_code,
                    latency_ms=answer.latency_ms,
                    response_excerpt=answer.excerpt,
                    error=answer.error,
                )
            )
            await uow.session.execute(
                text(
                    "UPDATE webhook_delivery SET status = :status, attempts = :attempts,"
                    " next_attempt_at = :next, last_attempt_at = :now, last_status_code = :code"
                    " WHERE tenant_id = :t AND id = :id AND status = 'pending'"
                    " AND attempts = :before"
                ),
                {
                    "status": status,
                    "attempts": attempts,
                    "next": now + delay if delay else now,
                    "now": now,
                    "code": answer.status_code,
                    "t": due.tenant_id,
                    "id": due.id,
                    "before": due.attempts,
                },
            )
            await self._judge_endpoint(uow, due, outcome, answer, delay, now)

    async def _drop(self, due: Due, reason: str | None) -> None:
        """A delivery of a disabled webhook fails unsent (a redelivery can queue it again)."""
        async with self._connections, self.db.unit_of_work(Scope(due.scope_path)) as uow:
            uow.session.add(
                WebhookAttemptRow(
                    tenant_id=due.tenant_id,
                    id=new_id(),
                    delivery_id=due.id,
                    subscription_id=due.subscription_id,
                    attempted_at=datetime.now(UTC),
                    latency_ms=0,
                    error=f"not sent: the webhook is disabled ({reason})",
                )
            )
            await uow.session.execute(
                _DROPPED, {"t": due.tenant_id, "id": due.id, "before": due.attempts}
            )

    async def _judge_endpoint(
        self,
        uow: UnitOfWork,
        due: Due,
        outcome: Outcome,
        answer: Answer,
        delay: timedelta | None,
        now: datetime,
    ) -> None:
        """Reset its run of failures on success; on failure extend it, pause the endpoint
        when asked to slow down, disable it on 410 or after a long run of failures."""
        key = {"t": due.subscription_tenant_id, "id": due.subscription_id}
        if outcome is Outcome.DELIVERED:
            await uow.session.execute(_STREAK_ENDS, key)
            return
        if outcome is Outcome.GONE:
            await self._disable(uow, due, "gone", now)
            return
        paused_until = None
        if outcome is Outcome.THROTTLED:
            wait = max(answer.retry_after or 0.0, delay.total_seconds() if delay else 0.0)
            paused_until = now + timedelta(seconds=wait)
            self._paused[due.subscription_id] = time.monotonic() + wait
        found = (
            await uow.session.execute(_STREAK_GROWS, {**key, "now": now, "paused": paused_until})
        ).first()
        if found is not None and self.config.disable.disables(found[0], now - found[1]):
            await self._disable(uow, due, "failing", now)

    async def _disable(self, uow: UnitOfWork, due: Due, reason: str, now: datetime) -> None:
        """Disabled, audited, and told to the tenant's administrators through the outbox."""
        found = (
            await uow.session.execute(
                text(
                    "UPDATE webhook_subscription SET enabled = false, disabled_reason = :reason,"
                    " disabled_at = :now, updated_at = :now"
                    " WHERE tenant_id = :t AND id = :id AND enabled"
                    " RETURNING client_id, url, failure_streak"
                ),
                {
                    "reason": reason,
                    "now": now,
                    "t": due.subscription_tenant_id,
                    "id": due.subscription_id,
                },
            )
        ).first()
        self._endpoints.pop(due.subscription_id, None)
        if found is None:
            return
        detail = {
            "webhook_id": str(due.subscription_id),
            "client_id": str(found[0]),
            "url": found[1],
            "reason": reason,
            "failure_streak": found[2],
        }
        uow.audit(
            "webhook.disable",
            "webhook",
            due.subscription_id,
            tenant_id=due.subscription_tenant_id,
            detail=detail,
        )
        emit(
            uow,
            tenant_id=due.subscription_tenant_id,
            topic="webhook.disabled",
            aggregate_type="webhook",
            aggregate_id=due.subscription_id,
            payload=detail,
        )
