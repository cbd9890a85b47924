"""The rotating QR code shown on the organizer's screen."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from domain.activities import (
    TOKEN_STEP_SECONDS,
    mint_checkin_token,
    token_step,
)
from infra.activities.visibility import (
    Caller,
    Guard,
    load_access,
    require_any,
)
from infra.db.session import UnitOfWork


@dataclass(frozen=True, slots=True)
class TokenView:
    token: str
    step_seconds: int
    expires_at: datetime
    refresh_after: datetime


async def checkin_token(
    uow: UnitOfWork,
    guard: Guard,
    caller: Caller,
    activity_id: uuid.UUID,
    *,
    secret: bytes,
    now: datetime,
) -> TokenView:
    """The code for the organizer's screen; scans are accepted in this step and the next."""
    access = await load_access(uow, guard, caller, activity_id)
    require_any(guard, "checkin", "manage", access.view.organizations)
    step = token_step(now)
    step_start = datetime.fromtimestamp(step * TOKEN_STEP_SECONDS, UTC)
    return TokenView(
        token=mint_checkin_token(activity_id, secret=secret, now=now),
        step_seconds=TOKEN_STEP_SECONDS,
        expires_at=step_start + timedelta(seconds=2 * TOKEN_STEP_SECONDS),
        refresh_after=step_start + timedelta(seconds=TOKEN_STEP_SECONDS),
    )
