"""Rotating check-in QR code (签到二维码): an HMAC over the activity and a 30-second step.

The code shown on the meeting-room screen changes every step. A scan is accepted in the
current step and the one before, so a code that rotated while the camera was focusing
still works, while a photo passed around later does not. The token carries its step, so a
genuine but old code is told apart (`token_expired`) from a forged, tampered or other
activity's code (`token_invalid`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import uuid
from datetime import datetime

from domain.activities.messages import MESSAGES
from domain.shared.errors import DomainError, ErrorKind

TOKEN_STEP_SECONDS = 30
_VERSION = "v1"
_MAC_BYTES = 16
_MAX_TOKEN_LENGTH = 64


def token_step(now: datetime) -> int:
    """The 30-second step `now` falls in (Unix time based, so every server agrees)."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return int(now.timestamp()) // TOKEN_STEP_SECONDS


def mint_checkin_token(activity_id: uuid.UUID, *, secret: bytes, now: datetime) -> str:
    """The URL-safe token to put in the QR code for the step `now` falls in."""
    step = token_step(now)
    return f"{_VERSION}.{step}.{_mac(activity_id, step, secret)}"


def verify_checkin_token(
    token: str, activity_id: uuid.UUID, *, secret: bytes, now: datetime
) -> None:
    """Raise DomainError `token_invalid` or `token_expired` unless the token is good at `now`."""
    step = _signed_step(token, activity_id, secret)
    current = token_step(now)
    if step < current - 1:
        raise MESSAGES.error("checkin_token_expired", ErrorKind.INVALID, code="token_expired")
    if step > current:
        raise _invalid()


def _signed_step(token: str, activity_id: uuid.UUID, secret: bytes) -> int:
    parts = token.split(".") if len(token) <= _MAX_TOKEN_LENGTH else []
    well_formed = len(parts) == 3 and parts[0] == _VERSION
    if not (well_formed and parts[1].isascii() and parts[1].isdigit()):
        raise _invalid()
    step = int(parts[1])
    if not hmac.compare_digest(parts[2], _mac(activity_id, step, secret)):
        raise _invalid()
    return step


def _mac(activity_id: uuid.UUID, step: int, secret: bytes) -> str:
    if not secret:
        raise ValueError("the check-in token secret must not be empty")
    message = f"zhibu-checkin:{_VERSION}:{activity_id}:{step}".encode()
    digest = hmac.new(secret, message, hashlib.sha256).digest()[:_MAC_BYTES]
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _invalid() -> DomainError:
    return MESSAGES.error("checkin_token_invalid", ErrorKind.INVALID, code="token_invalid")
