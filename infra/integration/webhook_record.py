"""Recording webhook attempts, many in one transaction: the dispatcher's write side.

Attempts that ended while the previous batch was being written are written together: per
tenant of their deliveries one INSERT of the deliveries of fresh events (read from a
subscription's stream, with no row until sent), one INSERT of the attempts and one
UPDATE of the deliveries that had a row (each naming the tenant, so Citus routes it to
one shard; 500 attempts a statement at most), then one UPDATE ending the runs of failures
of the endpoints that answered. A failure is rarer and does more (a longer run of
failures, a pause, disabling), one statement or three per failed attempt. A delivery is
updated only if it is as the attempt found it (pending, the same number of attempts): a
redelivery queued meanwhile keeps its fresh start.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import text

from domain.integration import DisablePolicy, Outcome, next_delay, outcome_of
from domain.shared import grouped, new_id
from infra.db.bulk import execute, positional_values
from infra.db.session import UnitOfWork
from infra.integration.webhook_http import Answer
from infra.platform.outbox import emit


@dataclass(frozen=True, slots=True)
class Fresh:
    """An event read from a subscription's stream, with no delivery row yet: `entry` is
    its place in the stream's window, marked written once its row is."""

    stream: Any
    entry: list[Any]
    event_type: str
    occurred_at: datetime


@dataclass(frozen=True, slots=True)
class Due:
    """A delivery as the dispatcher sends it: a pending row, or a fresh event."""

    tenant_id: uuid.UUID
    id: uuid.UUID
    subscription_tenant_id: uuid.UUID
    subscription_id: uuid.UUID
    event_id: uuid.UUID
    body: str
    attempts: int
    scope_path: str
    fresh: Fresh | None = None


@dataclass(frozen=True, slots=True)
class Finished:
    """An attempt that ended: the answer and what follows from it; `answer` None when the
    delivery was not sent (its webhook is disabled, for `reason`)."""

    due: Due
    at: datetime
    answer: Answer | None
    outcome: Outcome | None
    status: str
    delay: timedelta | None
    reason: str | None = None

    @property
    def pause_seconds(self) -> float | None:
        """How long the endpoint waits when it asked to be slowed down."""
        if self.outcome is not Outcome.THROTTLED or self.answer is None:
            return None
        wait = self.delay.total_seconds() if self.delay else 0.0
        return max(self.answer.retry_after or 0.0, wait)


def finished(due: Due, answer: Answer, *, retry_scale: float) -> Finished:
    outcome = outcome_of(answer.status_code)
    delay = None
    if outcome in (Outcome.FAILED, Outcome.THROTTLED):
        delay = next_delay(due.attempts + 1, scale=retry_scale, retry_after=answer.retry_after)
    status = "delivered" if outcome is Outcome.DELIVERED else "pending" if delay else "failed"
    return Finished(due, datetime.now(UTC), answer, outcome, status, delay)


def not_sent(due: Due, reason: str | None) -> Finished:
    return Finished(due, datetime.now(UTC), None, None, "failed", None, reason)


_ATTEMPT_COLUMNS = (
    ("tenant_id", "uuid"),
    ("id", "uuid"),
    ("delivery_id", "uuid"),
    ("subscription_id", "uuid"),
    ("attempted_at", "timestamptz"),
    ("status_code", "integer"),
    ("latency_ms", "integer"),
    ("response_excerpt", "text"),
    ("error", "text"),
)
_FRESH_COLUMNS = (
    ("tenant_id", "uuid"),
    ("id", "uuid"),
    ("subscription_tenant_id", "uuid"),
    ("subscription_id", "uuid"),
    ("event_id", "uuid"),
    ("event_type", "text"),
    ("occurred_at", "timestamptz"),
    ("body", "text"),
    ("status", "text"),
    ("attempts", "integer"),
    ("next_attempt_at", "timestamptz"),
    ("last_attempt_at", "timestamptz"),
    ("last_status_code", "integer"),
)
_FRESH = (
    "INSERT INTO webhook_delivery ({columns}) VALUES {rows}"
    " ON CONFLICT (tenant_id, subscription_id, event_id) DO NOTHING RETURNING id"
)
_DELIVERY_COLUMNS = (
    ("id", "uuid"),
    ("before", "integer"),
    ("status", "text"),
    ("attempts", "integer"),
    ("next", "timestamptz"),
    ("at", "timestamptz"),
    ("code", "integer"),
    ("sent", "boolean"),
)
_DELIVERIES = (
    "UPDATE webhook_delivery d SET status = v.status, attempts = v.attempts,"
    " next_attempt_at = coalesce(v.next, d.next_attempt_at),"
    " last_attempt_at = CASE WHEN v.sent THEN v.at ELSE d.last_attempt_at END,"
    " last_status_code = CASE WHEN v.sent THEN v.code ELSE d.last_status_code END"
    " FROM (VALUES {rows}) AS v(id, before, status, attempts, next, at, code, sent)"
    " WHERE d.tenant_id = {tenant}::uuid AND d.id = v.id AND d.status = 'pending'"
    " AND d.attempts = v.before"
)
CHUNK = 500  # rows per statement


_STREAKS_END = text(
    "UPDATE webhook_subscription SET failure_streak = 0, failing_since = NULL"
    " WHERE tenant_id = :t AND id = ANY(CAST(:ids AS uuid[])) AND failure_streak <> 0"
)
_STREAK_GROWS = text(
    "UPDATE webhook_subscription SET failure_streak = failure_streak + 1,"
    " failing_since = coalesce(failing_since, CAST(:now AS timestamptz)),"
    " paused_until = coalesce(CAST(:paused AS timestamptz), paused_until)"
    " WHERE tenant_id = :t AND id = :id AND enabled RETURNING failure_streak, failing_since"
)
_DISABLE = text(
    "UPDATE webhook_subscription SET enabled = false, disabled_reason = :reason,"
    " disabled_at = :now, updated_at = :now"
    " WHERE tenant_id = :t AND id = :id AND enabled"
    " RETURNING client_id, url, failure_streak"
)


async def record(uow: UnitOfWork, batch: list[Finished], disable: DisablePolicy) -> None:
    """Write `batch`, attempts all in the scope of `uow` (which covers their tenants).
    Only attempts written count towards an endpoint's failure run, as its log shows it."""
    logged: list[Finished] = []
    for tenant_id, group in grouped(batch, lambda f: f.due.tenant_id).items():
        logged += await _write(uow, tenant_id, group)
    answered = [f for f in logged if f.outcome is Outcome.DELIVERED]
    for tenant_id, group in grouped(answered, lambda f: f.due.subscription_tenant_id).items():
        ids = list({f.due.subscription_id for f in group})
        await uow.session.execute(_STREAKS_END, {"t": tenant_id, "ids": ids})
    for f in logged:
        if f.outcome is not None and f.outcome is not Outcome.DELIVERED:
            await _judge(uow, f, disable)


async def _write(uow: UnitOfWork, tenant_id: uuid.UUID, group: list[Finished]) -> list[Finished]:
    """Write the group's attempts; the attempts written."""
    logged: list[Finished] = []
    for start in range(0, len(group), CHUNK):
        chunk = group[start : start + CHUNK]
        fresh = [f for f in chunk if f.due.fresh is not None]
        written = await _insert(uow, fresh) if fresh else set()
        # An event sent again after a restart already has its row: its attempt is dropped.
        kept = [f for f in chunk if f.due.fresh is None or f.due.id in written]
        if kept:
            await _attempts(uow, tenant_id, kept)
            logged += kept
        old = [f for f in chunk if f.due.fresh is None]
        if old:
            await _update(uow, tenant_id, old)
        for f in fresh:
            assert f.due.fresh is not None
            f.due.fresh.entry[1] = True
    return logged


def _next(f: Finished) -> datetime | None:
    return None if f.answer is None else f.at + f.delay if f.delay else f.at


async def _insert(uow: UnitOfWork, chunk: list[Finished]) -> set[uuid.UUID]:
    """The rows of fresh events' deliveries, as their first attempt left them."""
    rows = []
    for f in chunk:
        due, fresh = f.due, f.due.fresh
        assert fresh is not None
        rows.append(
            (
                due.tenant_id,
                due.id,
                due.subscription_tenant_id,
                due.subscription_id,
                due.event_id,
                fresh.event_type,
                fresh.occurred_at,
                due.body,
                f.status,
                1 if f.answer else 0,
                _next(f) or f.at,
                f.at if f.answer else None,
                f.answer.status_code if f.answer else None,
            )
        )
    clause, params = positional_values(_FRESH_COLUMNS, rows)
    columns = ", ".join(name for name, _ in _FRESH_COLUMNS)
    found = await execute(uow, _FRESH.format(columns=columns, rows=clause), params)
    return {r[0] for r in found}


async def _attempts(uow: UnitOfWork, tenant_id: uuid.UUID, chunk: list[Finished]) -> None:
    attempts = [
        (
            tenant_id,
            new_id(),
            f.due.id,
            f.due.subscription_id,
            f.at,
            f.answer.status_code if f.answer else None,
            f.answer.latency_ms if f.answer else 0,
            f.answer.excerpt if f.answer else "",
            f.answer.error if f.answer else f"not sent: the webhook is disabled ({f.reason})",
        )
        for f in chunk
    ]
    rows, params = positional_values(_ATTEMPT_COLUMNS, attempts)
    columns = ", ".join(name for name, _ in _ATTEMPT_COLUMNS)
    await execute(uow, f"INSERT INTO webhook_attempt ({columns}) VALUES {rows}", params)  # noqa: S608


async def _update(uow: UnitOfWork, tenant_id: uuid.UUID, chunk: list[Finished]) -> None:
    deliveries = [
        (
            f.due.id,
            f.due.attempts,
            f.status,
            f.due.attempts + (1 if f.answer else 0),
            _next(f),
            f.at,
            f.answer.status_code if f.answer else None,
            f.answer is not None,
        )
        for f in chunk
    ]
    rows, params = positional_values(_DELIVERY_COLUMNS, deliveries)
    tenant = f"${len(params) + 1}"
    await execute(uow, _DELIVERIES.format(rows=rows, tenant=tenant), [*params, tenant_id])


async def _judge(uow: UnitOfWork, f: Finished, disable: DisablePolicy) -> None:
    """On failure extend the endpoint's run of failures, pause it when asked to slow down,
    disable it on 410 or after a long run of failures."""
    due = f.due
    key = {"t": due.subscription_tenant_id, "id": due.subscription_id}
    if f.outcome is Outcome.GONE:
        await _disable(uow, due, "gone", f.at)
        return
    pause = f.pause_seconds
    paused_until = None if pause is None else f.at + timedelta(seconds=pause)
    found = (
        await uow.session.execute(_STREAK_GROWS, {**key, "now": f.at, "paused": paused_until})
    ).first()
    if found is not None and disable.disables(found[0], f.at - found[1]):
        await _disable(uow, due, "failing", f.at)


async def _disable(uow: UnitOfWork, due: Due, reason: str, now: datetime) -> None:
    """Disabled, audited, and told to the tenant's administrators through the outbox."""
    found = (
        await uow.session.execute(
            _DISABLE,
            {
                "reason": reason,
                "now": now,
                "t": due.subscription_tenant_id,
                "id": due.subscription_id,
            },
        )
    ).first()
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
        organization_id=None,  # for the tenant's administrators
    )
