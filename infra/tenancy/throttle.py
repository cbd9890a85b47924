"""Failed logins remembered per (account, client address) and per account (等保 2.0 登录失败处理).

Locking a whole account after a few failures lets anyone lock out anyone, `admin`
included. So repeated failures lock only the pair (account, client address) that failed,
with the backoff of `LockoutPolicy`; a much higher per-account ceiling (`ANY_CLIENT` row)
still stops guessing spread over many addresses. An unknown username is throttled under
a subject made from the identifier, exactly like a real account, so the answers cannot
tell them apart.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from domain.tenancy import LockoutPolicy, LoginState
from infra.protection import FieldProtector

PER_CLIENT = LockoutPolicy()
# Far above what one address gets through PER_CLIENT in a day (about 35 tries).
PER_ACCOUNT = LockoutPolicy(
    max_failures=300,
    base_lock=timedelta(minutes=15),
    factor=1,
    max_lock=timedelta(minutes=15),
)
ANY_CLIENT = "*"
_INDEX_COLUMN = "login.identifier"


def subject_of(user_id: uuid.UUID | None, identifier: str, protector: FieldProtector) -> str:
    """The account when it exists; else a keyed digest of what was typed (never stored plain)."""
    if user_id is not None:
        return "u:" + user_id.hex
    return "i:" + protector.index.digest(_INDEX_COLUMN, identifier).hex()


def user_subject(user_id: uuid.UUID) -> str:
    return "u:" + user_id.hex


async def _states(session: AsyncSession, subject: str, client: str) -> dict[str, LoginState]:
    rows = await session.execute(
        text(
            "SELECT client, failures, last_failure_at, locked_until FROM login_throttle"
            " WHERE subject = :s AND client IN (:c, :any)"
        ),
        {"s": subject, "c": client, "any": ANY_CLIENT},
    )
    return {r[0]: LoginState(r[1], r[2], r[3]) for r in rows}


async def locked_until(
    session: AsyncSession, subject: str, client: str, now: datetime
) -> datetime | None:
    """Until when this client may not try this account; None when it may."""
    states = await _states(session, subject, client)
    locks = [
        PER_CLIENT.check(states.get(client, LoginState()), now),
        PER_ACCOUNT.check(states.get(ANY_CLIENT, LoginState()), now),
    ]
    return max((lock for lock in locks if lock is not None), default=None)


async def record_failure(
    session: AsyncSession, subject: str, client: str, now: datetime
) -> datetime | None:
    """Count a failure for the client and the account; the lock it starts, if any."""
    locks: list[datetime] = []
    for key, policy in ((client, PER_CLIENT), (ANY_CLIENT, PER_ACCOUNT)):
        await session.execute(
            text(
                "INSERT INTO login_throttle (subject, client, failures, last_failure_at)"
                " VALUES (:s, :c, 0, :now) ON CONFLICT DO NOTHING"
            ),
            {"s": subject, "c": key, "now": now},
        )
        row = (
            await session.execute(
                text(
                    "SELECT failures, last_failure_at, locked_until FROM login_throttle"
                    " WHERE subject = :s AND client = :c FOR UPDATE"
                ),
                {"s": subject, "c": key},
            )
        ).one()
        state = policy.after_failure(LoginState(row[0], row[1], row[2]), now)
        await session.execute(
            text(
                "UPDATE login_throttle"
                " SET failures = :f, last_failure_at = :at, locked_until = :lock"
                " WHERE subject = :s AND client = :c"
            ),
            {
                "f": state.failures,
                "at": state.last_failure_at,
                "lock": state.locked_until,
                "s": subject,
                "c": key,
            },
        )
        if state.locked_until is not None:
            locks.append(state.locked_until)
    return max(locks, default=None)


async def forget(session: AsyncSession, subject: str, client: str | None = None) -> None:
    """A success forgets the client's failures and the account's; a reset forgets them all."""
    if client is None:
        await session.execute(text("DELETE FROM login_throttle WHERE subject = :s"), {"s": subject})
        return
    await session.execute(
        text("DELETE FROM login_throttle WHERE subject = :s AND client IN (:c, :any)"),
        {"s": subject, "c": client, "any": ANY_CLIENT},
    )


async def sweep(session: AsyncSession, now: datetime) -> None:
    """Forget what no policy counts any more: failures older than both forget windows."""
    horizon = now - max(PER_CLIENT.forget_after, PER_ACCOUNT.forget_after)
    await session.execute(
        text(
            "DELETE FROM login_throttle WHERE last_failure_at < :h"
            " AND (locked_until IS NULL OR locked_until < :now)"
        ),
        {"h": horizon, "now": now},
    )
