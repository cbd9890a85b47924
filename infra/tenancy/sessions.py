"""Session liveness: an access token works only while its session and account are alive.

A session is one login: a family of rotating refresh tokens, named in every access token.
Each authenticated request asks whether the family still has an unrevoked token and the
account is active, and whether it must change its password first (`zhibu_session_state`,
one round trip). Each worker remembers the answer for a second or so, and forgets it as
soon as a session of that account ends: the ending transaction NOTIFYs `zhibu_sessions`
(delivered to every worker only if it commits), and the worker that ended it forgets at
once after its own commit.

Ending sessions revokes refresh tokens; the access tokens of those sessions die with them.
The cache serves other credentials that must end at once on every worker (API clients): a
subclass names its channel and how to ask, and `announce_ended` ends them everywhere.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
import uuid
import weakref
from collections.abc import Callable
from datetime import UTC, datetime
from enum import StrEnum
from typing import ClassVar

import psycopg
from sqlalchemy import text, update

from infra.db.session import Database, UnitOfWork
from infra.tenancy.tables import RefreshTokenRow

log = logging.getLogger(__name__)

CHANNEL = "zhibu_sessions"
_CAPACITY = 100_000
_STATE_SQL = "SELECT zhibu_session_state(%(tenant)s, %(user)s, %(session)s)"


class SessionState(StrEnum):
    ENDED = "ended"
    ALIVE = "alive"
    # An operator's one-time password is in use: nothing but changing it is allowed.
    PASSWORD_CHANGE_REQUIRED = "password_change_required"  # noqa: S105 - a state, not a secret


# Each worker's caches by the engine its database uses and their channel, so a commit that
# ends sessions clears that worker's cache at once (other workers follow the NOTIFY).
_LOCAL: weakref.WeakKeyDictionary[object, dict[str, SessionLiveness]] = weakref.WeakKeyDictionary()

_Key = tuple[uuid.UUID, uuid.UUID]


class SessionLiveness:
    """Per-worker cache of sessions' states, invalidated through LISTEN/NOTIFY."""

    channel: ClassVar[str] = CHANNEL

    def __init__(
        self,
        db: Database,
        *,
        ttl: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._db = db
        self._ttl = ttl
        self._clock = clock
        # user id → session id → (answer, when it stops being trusted)
        self._known: dict[uuid.UUID, dict[uuid.UUID, tuple[SessionState, float]]] = {}
        self._size = 0
        self._asking: dict[_Key, asyncio.Task[SessionState]] = {}
        self._listener: asyncio.Task[None] | None = None
        self._listening = asyncio.Event()
        _LOCAL.setdefault(db.engine.sync_engine, {})[self.channel] = self

    async def state(
        self, tenant_id: uuid.UUID, user_id: uuid.UUID, session_id: uuid.UUID
    ) -> SessionState:
        known = self._known.get(user_id, {}).get(session_id)
        if known is not None and known[1] > self._clock():
            return known[0]
        key = (user_id, session_id)
        asking = self._asking.get(key)
        if asking is None:  # concurrent requests of one session ask once
            asking = asyncio.create_task(self._ask(tenant_id, key))
            asking.add_done_callback(_retrieve)
            self._asking[key] = asking
        # A request that goes away does not cancel the others' answer.
        return await asyncio.shield(asking)

    async def _ask(self, tenant_id: uuid.UUID, key: _Key) -> SessionState:
        user_id, session_id = key
        me = asyncio.current_task()
        try:
            asked_at = self._clock()
            answer = await self._fetch(tenant_id, user_id, session_id)
            if self._asking.get(key) is me:  # not forgotten while asking
                self._remember(user_id, session_id, answer, asked_at + self._ttl)
            return answer
        finally:
            if self._asking.get(key) is me:
                del self._asking[key]

    async def _fetch(
        self, tenant_id: uuid.UUID, user_id: uuid.UUID, session_id: uuid.UUID
    ) -> SessionState:
        rows = await self._db.fetch_unscoped(
            _STATE_SQL, {"tenant": tenant_id, "user": user_id, "session": session_id}
        )
        return SessionState(rows[0][0]) if rows else SessionState.ENDED

    def _remember(
        self, user_id: uuid.UUID, session_id: uuid.UUID, state: SessionState, until: float
    ) -> None:
        if self._size >= _CAPACITY:
            self._known.clear()
            self._size = 0
        sessions = self._known.setdefault(user_id, {})
        if session_id not in sessions:
            self._size += 1
        sessions[session_id] = (state, until)

    def forget(self, user_id: uuid.UUID) -> None:
        """Ask again next time about every session of this account."""
        self._size -= len(self._known.pop(user_id, {}))
        for key in [k for k in self._asking if k[0] == user_id]:
            del self._asking[key]  # an answer in flight may predate the change

    def forget_all(self) -> None:
        self._known.clear()
        self._size = 0
        self._asking.clear()

    async def listen(self, conninfo: str) -> None:
        """Follow NOTIFYs forever; after a (re)connect nothing remembered is trusted."""
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(conninfo, autocommit=True) as conn:
                    await conn.execute(f"LISTEN {self.channel}")
                    self.forget_all()
                    self._listening.set()
                    async for note in conn.notifies():
                        self.forget(uuid.UUID(json.loads(note.payload)["user"]))
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("session listener lost its connection; retrying")
                await asyncio.sleep(1.0)

    async def start(self, conninfo: str) -> None:
        self._listener = asyncio.create_task(self.listen(conninfo))
        await self._listening.wait()

    async def stop(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._listener


def _retrieve(task: asyncio.Task[SessionState]) -> None:
    """Every awaiting request may have gone; the failure is theirs to report, not the loop's."""
    if not task.cancelled():
        task.exception()


async def end_sessions(
    uow: UnitOfWork,
    *,
    tenant_id: uuid.UUID,
    user_id: uuid.UUID,
    session_id: uuid.UUID | None = None,
    now: datetime | None = None,
) -> None:
    """End one session of an account, or all of them: revoke their refresh tokens, and
    have every worker forget what it knew about them once this transaction commits."""
    conditions = [
        RefreshTokenRow.tenant_id == tenant_id,
        RefreshTokenRow.user_id == user_id,
        RefreshTokenRow.revoked_at.is_(None),  # type: ignore[union-attr]
    ]
    if session_id is not None:
        conditions.append(RefreshTokenRow.family_id == session_id)
    await uow.session.execute(
        update(RefreshTokenRow).where(*conditions).values(revoked_at=now or datetime.now(UTC))  # type: ignore[arg-type]
    )
    await announce_ended(uow, CHANNEL, user_id)


async def announce_ended(uow: UnitOfWork, channel: str, key: uuid.UUID) -> None:
    """Have every worker's cache on `channel` forget `key` once this transaction commits:
    the others through the NOTIFY, this one at once after its commit."""
    await uow.session.execute(
        text("SELECT pg_notify(:channel, :payload)"),
        {"channel": channel, "payload": json.dumps({"user": str(key)})},
    )
    cache = _LOCAL.get(uow.session.get_bind(), {}).get(channel)
    if cache is not None:
        uow.after_commit(lambda: cache.forget(key))
