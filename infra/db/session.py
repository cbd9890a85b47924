"""Engine, tenant-scoped transactions and the unit of work.

Every request runs in one transaction whose first statement sets the caller's scope
with `zhibu_set_scope(path, user)` (transaction-local, bound as parameters; on Citus the
function uses `SET LOCAL`, which reaches the workers, see migration 0017), so row-level
security decides what exists. The change, its audit events and its outbox events commit
together or not at all.
"""

from __future__ import annotations

import asyncio
import logging
import math
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import psycopg
from psycopg import AsyncClientCursor as ClientCursor
from psycopg import AsyncConnection
from psycopg.pq import TransactionStatus
from psycopg.rows import namedtuple_row
from psycopg_pool import AsyncConnectionPool
from sqlalchemy import column, insert, table, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from domain.shared import new_id
from infra.db.routing import SCOPE_TENANTS, RoutedSession, routed_ids

log = logging.getLogger(__name__)

_SET_SCOPE_RAW = "SELECT zhibu_set_scope(%(tenant_path)s, %(user_id)s)"
# The scope, and the same tenant list returned, which the session's statements name (routing)
_SET_SCOPE = text(
    "SELECT zhibu_set_scope(:tenant_path, :user_id), zhibu_tenant_ids_under(:tenant_path)"
)
_IS_CITUS = "SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus')"


# The audit trail every unit of work writes, whatever its context (tenancy maps and lists it).
_AUDIT_EVENT = table(
    "audit_event",
    *(
        column(name)
        for name in (
            "tenant_id",
            "id",
            "occurred_at",
            "actor_id",
            "actor_name",
            "action",
            "resource_type",
            "resource_id",
            "outcome",
            "client_addr",
            "request_id",
        )
    ),
    column("detail", JSONB),
)


@dataclass(frozen=True, slots=True)
class Scope:
    """Whose transaction this is: the subtree it may see and who acts."""

    tenant_path: str
    user_id: uuid.UUID | None = None


@dataclass(frozen=True, slots=True)
class Actor:
    """Who did it and from where, as recorded in the audit trail."""

    user_id: uuid.UUID | None
    name: str | None
    tenant_id: uuid.UUID | None
    client_addr: str | None
    request_id: str | None


@dataclass(slots=True)
class AuditRecord:
    action: str
    resource_type: str
    resource_id: str | None
    outcome: str
    tenant_id: uuid.UUID
    detail: dict[str, Any] = field(default_factory=dict)


class UnitOfWork:
    """One transaction: the session, plus audit events written just before commit."""

    def __init__(
        self,
        session: AsyncSession,
        actor: Actor | None,
        scope: Scope | None = None,
        *,
        distributed: bool = False,
    ) -> None:
        self.session = session
        self.actor = actor
        self.scope = scope
        # On Citus, where a few reads take another shape (see infra.members.queries).
        self.distributed = distributed
        self._audit: list[AuditRecord] = []
        self._after_commit: list[Callable[[], None]] = []
        self.deferred_error: Exception | None = None
        self.kept: list[Callable[[UnitOfWork], Awaitable[None]]] = []
        self.kept_apart: list[Callable[[UnitOfWork], Awaitable[None]]] = []

    async def refresh_scope(self) -> None:
        """Recompute the visible tenants, e.g. after creating one inside this transaction."""
        if self.scope is not None:
            await set_scope(self.session, self.scope)

    def after_commit(self, callback: Callable[[], None]) -> None:
        """Run `callback` once this transaction has committed (never after a rollback)."""
        self._after_commit.append(callback)

    def committed(self) -> None:
        for callback in self._after_commit:
            callback()
        self._after_commit.clear()

    def fail_after_commit(self, error: Exception) -> None:
        """Commit what was recorded (a failed login, a revoked session), then raise `error`."""
        self.deferred_error = error

    def keep(self, step: Callable[[UnitOfWork], Awaitable[None]]) -> None:
        """Record something whatever becomes of this transaction (a probe of the platform's
        身份证号 directory): `step` runs just before the commit, or after a rollback in a
        transaction of its own, with the same scope and actor."""
        self.kept.append(step)

    def keep_apart(self, step: Callable[[UnitOfWork], Awaitable[None]]) -> None:
        """As `keep`, but `step` always runs in a transaction of its own once this one has
        ended: for a write as another role (a SECURITY DEFINER function), which Citus does
        not allow in one transaction with the app role's writes to the same shards."""
        self.kept_apart.append(step)

    def audit(
        self,
        action: str,
        resource_type: str,
        resource_id: object | None = None,
        *,
        tenant_id: uuid.UUID | None = None,
        outcome: str = "success",
        detail: dict[str, Any] | None = None,
    ) -> None:
        tid = tenant_id or (self.actor.tenant_id if self.actor else None)
        if tid is None:
            raise ValueError("an audit event needs a tenant")
        self._audit.append(
            AuditRecord(
                action=action,
                resource_type=resource_type,
                resource_id=None if resource_id is None else str(resource_id),
                outcome=outcome,
                tenant_id=tid,
                detail=detail or {},
            )
        )

    def take_audit(self) -> list[dict[str, Any]]:
        """The audit rows recorded so far, handed to a SQL function that writes them in this
        transaction itself (a transfer door); the unit of work then writes none of them."""
        rows = [audit_row(self.actor, rec) for rec in self._audit]
        self._audit.clear()
        return rows

    async def flush_audit(self) -> None:
        if not self._audit:
            return
        await write_audit(self.session, self.actor, self._audit)
        self._audit.clear()


async def write_audit(
    session: AsyncSession, actor: Actor | None, records: list[AuditRecord]
) -> None:
    await session.flush()
    now = datetime.now(UTC)
    await session.execute(
        insert(_AUDIT_EVENT), [{**audit_row(actor, rec), "occurred_at": now} for rec in records]
    )


def audit_row(actor: Actor | None, rec: AuditRecord) -> dict[str, Any]:
    """The audit_event columns of a record: the unit of work's and the hot path's writes."""
    return {
        "tenant_id": rec.tenant_id,
        "id": new_id(),
        "actor_id": actor.user_id if actor else None,
        "actor_name": actor.name if actor else None,
        "action": rec.action,
        "resource_type": rec.resource_type,
        "resource_id": rec.resource_id,
        "outcome": rec.outcome,
        "client_addr": actor.client_addr if actor else None,
        "request_id": actor.request_id if actor else None,
        "detail": rec.detail,
    }


class Database:
    def __init__(self, url: str, *, pool_size: int = 10, acquire_timeout: float = 3.0) -> None:
        # A connection that cannot be had within `acquire_timeout` (server down, pool busy)
        # fails the request at once (503) rather than after 30 s; libpq waits at least 2 s.
        connect_timeout = max(2, math.ceil(acquire_timeout))
        self.engine: AsyncEngine = create_async_engine(
            url,
            pool_size=pool_size,
            # No overflow: connections opened and closed per burst cost far more than
            # waiting a moment for a pooled one (measured: the /me benchmark spent its time
            # forking PostgreSQL backends). DB_POOL_SIZE sets the size.
            max_overflow=0,
            pool_timeout=acquire_timeout,
            pool_recycle=1800,
            connect_args={"connect_timeout": connect_timeout},
            # statement parameters (search terms, identifiers) stay out of error logs
            hide_parameters=True,
        )
        self._sessions = async_sessionmaker(
            self.engine, expire_on_commit=False, autoflush=False, sync_session_class=RoutedSession
        )
        self._lean: AsyncConnectionPool[AsyncConnection[Any]] = AsyncConnectionPool(
            self.engine.url.set(drivername="postgresql").render_as_string(hide_password=False),
            min_size=1,
            max_size=pool_size,
            kwargs={"autocommit": True, "connect_timeout": connect_timeout},
            timeout=acquire_timeout,
            open=False,
        )
        self._lean_open = False
        self._lean_opening = asyncio.Lock()
        self._distributed: bool | None = None  # on Citus; known from the first connection

    @asynccontextmanager
    async def unit_of_work(
        self, scope: Scope | None, actor: Actor | None = None
    ) -> AsyncIterator[UnitOfWork]:
        uow: UnitOfWork | None = None
        try:
            async with self._sessions() as session, session.begin():
                if scope is not None:
                    await set_scope(session, scope)
                uow = UnitOfWork(session, actor, scope, distributed=await self._citus(session))
                yield uow
                for step in uow.kept:
                    await step(uow)
                await uow.flush_audit()
        except BaseException:
            if uow is not None:
                if uow.kept:
                    await self._keep_apart(scope, actor, uow.kept)
                for step in uow.kept_apart:
                    await self._keep_apart(scope, actor, [step])
            raise
        assert uow is not None
        for step in uow.kept_apart:
            await self._keep_apart(scope, actor, [step])
        uow.committed()
        if uow.deferred_error is not None:
            raise uow.deferred_error

    async def _keep_apart(
        self,
        scope: Scope | None,
        actor: Actor | None,
        steps: list[Callable[[UnitOfWork], Awaitable[None]]],
    ) -> None:
        try:
            async with self._sessions() as session, session.begin():
                if scope is not None:
                    await set_scope(session, scope)
                uow = UnitOfWork(session, actor, scope, distributed=await self._citus(session))
                for step in steps:
                    await step(uow)
                await uow.flush_audit()
        except Exception:  # the request's own answer stands; never mask it
            log.exception("could not record what had to be kept")

    async def _citus(self, session: AsyncSession) -> bool:
        """Whether the database is a Citus coordinator (asked once per process)."""
        if self._distributed is None:
            self._distributed = bool(await session.scalar(text(_IS_CITUS)))
        return self._distributed

    @asynccontextmanager
    async def lean_transaction(self, scope: Scope) -> AsyncIterator[LeanTransaction]:
        """A scoped transaction sent as whole messages, for the hottest write paths.

        Each `send` is one simple-protocol message, one round trip: the first carries
        `BEGIN` and the scope, the last `COMMIT`. Parameters are bound client-side by
        psycopg; statements that must not be planned on every call belong in SQL functions,
        whose plans PostgreSQL keeps per connection. Row-level security applies exactly as
        in a unit of work. An exception before the commit rolls everything back.
        """
        async with self._lean_connection() as conn:
            tx = LeanTransaction(conn, scope)
            try:
                yield tx
            finally:
                await tx.rollback()

    @asynccontextmanager
    async def _lean_connection(self) -> AsyncIterator[AsyncConnection[Any]]:
        if not self._lean_open:
            async with self._lean_opening:  # the first requests of a worker arrive together
                if not self._lean_open:
                    await self._lean.open()
                    async with self._lean.connection() as conn:
                        cur = await conn.execute(_IS_CITUS)
                        row = await cur.fetchone()
                        self._distributed = bool(row and row[0])
                    self._lean_open = True
        async with self._lean.connection() as conn:
            yield conn

    async def fetch_scoping(self, query: str, params: dict[str, Any]) -> list[Any]:
        """One call of a SQL function that applies the caller's scope itself, then reads as
        the caller under row-level security (hot paths such as /me's `zhibu_own_profile`).

        On PostgreSQL it is one statement, bound server-side and, once repeated, prepared;
        its implicit transaction bounds the transaction-local scope. On Citus the call is
        wrapped in BEGIN … COMMIT in the same message (Citus passes the scope's SET LOCAL to
        the workers only inside a transaction block). Either way one round trip, on a plain
        psycopg pool of autocommit connections, skipping the ORM's machinery.
        """
        async with self._lean_connection() as conn:
            if not self._distributed:
                cur = await conn.execute(query, params)
                return await cur.fetchall()
            block = ClientCursor(conn)
            await block.execute(f"BEGIN;\n{block.mogrify(query, params)};\nCOMMIT")
            block.nextset()
            return await block.fetchall()

    async def fetch_unscoped(self, query: str, params: dict[str, Any]) -> list[Any]:
        """One pre-scope lookup (a SECURITY DEFINER function) in a single round trip."""
        async with self._lean_connection() as conn:
            cur = ClientCursor(conn)
            await cur.execute(query, params)
            return await cur.fetchall()

    async def ping(self) -> None:
        """Raise unless the database answers (readiness probe)."""
        async with self.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def dispose(self) -> None:
        if self._lean_open:
            await self._lean.close()
        await self.engine.dispose()


class LeanTransaction:
    """Statements sent together: one message, one round trip, results in order."""

    def __init__(self, conn: AsyncConnection[Any], scope: Scope) -> None:
        self._conn = conn
        self._cursor = ClientCursor(conn, row_factory=namedtuple_row)
        self._scope = scope

    async def send(
        self, statements: Sequence[tuple[str, Mapping[str, Any]]], *, commit: bool = False
    ) -> list[list[Any]]:
        """Run statements in order; each one's rows (named tuples).

        A message sent with no transaction open begins one, in the scope.
        """
        cur = self._cursor
        parts = [cur.mogrify(query, params) for query, params in statements]
        opening = self._conn.info.transaction_status == TransactionStatus.IDLE
        if opening:
            parts[:0] = ["BEGIN", cur.mogrify(_SET_SCOPE_RAW, _scope_params(self._scope))]
        if commit:
            parts.append("COMMIT")
        await cur.execute(";\n".join(parts))
        if opening:
            cur.nextset()
            cur.nextset()
        results: list[list[Any]] = []
        for _ in statements:
            results.append(await cur.fetchall() if cur.description else [])
            cur.nextset()
        return results

    async def rollback(self) -> None:
        if self._conn.info.transaction_status != TransactionStatus.IDLE:
            await self._conn.execute("ROLLBACK")


def database_unreachable(error: BaseException) -> bool:
    """Whether `error` says the database cannot be reached at all (refused, dropped, shut
    down, no pooled connection in time), as opposed to a failure of one statement."""
    if not isinstance(error, psycopg.OperationalError):  # PoolTimeout is one
        return False
    # no SQLSTATE: the connection failed or broke; 08: connection exception; 57P: shut down
    return error.sqlstate is None or error.sqlstate.startswith(("08", "57P"))


def _scope_params(scope: Scope) -> dict[str, str]:
    return {"tenant_path": scope.tenant_path, "user_id": str(scope.user_id or "")}


async def set_scope(session: AsyncSession, scope: Scope) -> None:
    """Set the scope; the session's later statements name its tenants (infra.db.routing)."""
    ids = (await session.execute(_SET_SCOPE, _scope_params(scope))).one()[1]
    session.info[SCOPE_TENANTS] = routed_ids(scope.tenant_path, ids)
