"""Casbin enforcer: role → permission policies and staff role assignments.

Only staff assignments live here (thousands per province); a member's rights over their
own records follow from the member record itself. Every worker holds its own enforcer,
loads it from the database at start, and follows changes through PostgreSQL
LISTEN/NOTIFY (`zhibu_authz`), so a grant reaches all workers without a restart.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
from collections.abc import Awaitable, Callable, Iterable
from pathlib import Path
from typing import Any

import casbin
import psycopg
from casbin.util import key_match
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

# Casbin domains are tenancy's paths; other modules still import them from here.
from domain.tenancy import org_domain as org_domain
from domain.tenancy import parse_domain as parse_domain
from domain.tenancy import subtree as subtree
from domain.tenancy import tenant_domain as tenant_domain

log = logging.getLogger(__name__)

POLICY_DIR = Path(__file__).resolve().parent.parent / "policies"
CHANNEL = "zhibu_authz"
_CACHE_LIMIT = 200_000


def user_subject(user_id: uuid.UUID | str) -> str:
    return f"u:{user_id}"


def custom_role_subject(tenant_id: uuid.UUID | str, name: str) -> str:
    return f"r:{tenant_id}:{name}"


SnapshotRow = tuple[str, str, str, str]


def _new_enforcer(rows: Iterable[SnapshotRow]) -> casbin.Enforcer:
    enforcer = casbin.Enforcer(str(POLICY_DIR / "model.conf"), str(POLICY_DIR / "policy.csv"))
    enforcer.add_named_domain_matching_func("g", key_match)
    groupings: list[list[str]] = []
    policies: list[list[str]] = []
    for kind, v0, v1, v2 in rows:
        if kind == "g":
            groupings.append([v0, v1, v2])
        else:
            obj, _, act = v2.partition(":")
            policies.append([v0, subtree(tenant_domain(v1)), obj, act])
    if groupings:
        enforcer.add_grouping_policies(groupings)
    if policies:
        enforcer.add_policies(policies)
    return enforcer


class Authorizer:
    """Answers "may this subject do this action on this resource type in this domain"."""

    def __init__(self) -> None:
        self._enforcer = _new_enforcer(())
        self._cache: dict[tuple[str, str, str, str], bool] = {}
        # Casbin scans every grouping to filter by subject; this index answers in O(1).
        self._roles: dict[str, list[tuple[str, str]]] = {}
        self._listener: asyncio.Task[None] | None = None
        self._loaded = asyncio.Event()

    def load(self, rows: Iterable[SnapshotRow]) -> None:
        rows = list(rows)
        roles: dict[str, list[tuple[str, str]]] = {}
        for kind, subject, role, domain in rows:
            if kind == "g":
                roles.setdefault(subject, []).append((role, domain))
        self._enforcer = _new_enforcer(rows)
        self._roles = roles
        self._cache.clear()

    def allowed(self, subject: str, domain: str, obj: str, act: str) -> bool:
        key = (subject, domain, obj, act)
        hit = self._cache.get(key)
        if hit is not None:
            return hit
        result = bool(self._enforcer.enforce(subject, domain, obj, act))
        if len(self._cache) >= _CACHE_LIMIT:
            self._cache.clear()
        self._cache[key] = result
        return result

    def roles_of(self, subject: str) -> list[tuple[str, str]]:
        """(role, domain pattern) pairs granted to a subject."""
        return list(self._roles.get(subject, ()))

    def grant(self, subject: str, role: str, domain_pattern: str) -> None:
        if not self._enforcer.has_grouping_policy(subject, role, domain_pattern):
            self._enforcer.add_grouping_policy(subject, role, domain_pattern)
        held = self._roles.setdefault(subject, [])
        if (role, domain_pattern) not in held:
            held.append((role, domain_pattern))
        self._cache.clear()

    def revoke(self, subject: str, role: str, domain_pattern: str) -> None:
        self._enforcer.remove_grouping_policy(subject, role, domain_pattern)
        held = self._roles.get(subject, [])
        if (role, domain_pattern) in held:
            held.remove((role, domain_pattern))
        self._cache.clear()

    def apply(self, change: dict[str, Any]) -> bool:
        """Apply a change notification; False means "reload everything"."""
        op = change.get("op")
        if op == "grant":
            self.grant(change["subject"], change["role"], change["domain"])
            return True
        if op == "revoke":
            self.revoke(change["subject"], change["role"], change["domain"])
            return True
        return False

    async def listen(
        self, conninfo: str, fetch_snapshot: Callable[[], Awaitable[list[SnapshotRow]]]
    ) -> None:
        """Follow NOTIFYs forever; after any (re)connect reload the whole snapshot."""
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(conninfo, autocommit=True) as conn:
                    await conn.execute(f"LISTEN {CHANNEL}")
                    rows = await fetch_snapshot()
                    self.load(rows)
                    self._loaded.set()
                    async for note in conn.notifies():
                        change = json.loads(note.payload or "{}")
                        if not self.apply(change):
                            self.load(await fetch_snapshot())
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("authorization listener lost its connection; retrying")
                await asyncio.sleep(1.0)

    async def start(
        self, conninfo: str, fetch_snapshot: Callable[[], Awaitable[list[SnapshotRow]]]
    ) -> None:
        """Listen for changes, and return once the policy is loaded (after LISTEN, so no
        change made meanwhile is missed; one load per worker start)."""
        self._listener = asyncio.create_task(self.listen(conninfo, fetch_snapshot))
        await self._loaded.wait()

    async def stop(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._listener


async def fetch_snapshot(session: AsyncSession) -> list[SnapshotRow]:
    result = await session.execute(text("SELECT kind, v0, v1, v2 FROM zhibu_authz_snapshot()"))
    return [(r[0], r[1], r[2], r[3]) for r in result.all()]


async def notify_change(session: AsyncSession, change: dict[str, Any]) -> None:
    """Queued inside the transaction: delivered to every worker only if it commits."""
    await session.execute(
        text("SELECT pg_notify(:channel, :payload)"),
        {"channel": CHANNEL, "payload": json.dumps(change)},
    )
