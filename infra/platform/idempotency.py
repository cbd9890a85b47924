"""Idempotency-Key: the first response is stored with the change it produced.

The reservation row is inserted inside the request's own transaction. A concurrent
duplicate blocks on the unique key until the first commits (then replays its response)
or rolls back (then proceeds as the first). A key reused for a different request is
refused.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, text

from domain.shared import ErrorKind
from infra.db.session import UnitOfWork
from infra.messages import MESSAGES
from infra.platform.tables import IdempotencyKey

_KEY = re.compile(r"^[\x21-\x7e]{1,200}$")


@dataclass(frozen=True, slots=True)
class StoredResponse:
    status_code: int
    body: bytes


def check_key(key: str) -> str:
    if not _KEY.match(key):
        raise MESSAGES.error(
            "idempotency_key_invalid",
            ErrorKind.MALFORMED,
            errors=[MESSAGES.field("Idempotency-Key", "idempotency_key_format", code="format")],
        )
    return key


async def reserve(
    uow: UnitOfWork, *, tenant_id: uuid.UUID, user_id: uuid.UUID, key: str, fingerprint: bytes
) -> StoredResponse | None:
    """None: go ahead (and call `remember`); otherwise the response to replay."""
    check_key(key)
    inserted = (
        await uow.session.execute(
            text(
                "INSERT INTO idempotency_key (tenant_id, user_id, key, fingerprint)"
                " VALUES (:t, :u, :k, :f) ON CONFLICT DO NOTHING RETURNING key"
            ),
            {"t": tenant_id, "u": user_id, "k": key, "f": fingerprint},
        )
    ).first()
    if inserted is not None:
        return None
    row = (
        await uow.session.execute(
            select(IdempotencyKey).where(
                IdempotencyKey.tenant_id == tenant_id,  # type: ignore[arg-type]
                IdempotencyKey.user_id == user_id,  # type: ignore[arg-type]
                IdempotencyKey.key == key,  # type: ignore[arg-type]
            )
        )
    ).scalar_one()
    return stored_response(row.fingerprint, row.status_code, row.body, fingerprint)


def stored_response(
    stored_fingerprint: bytes, status_code: int | None, body: bytes | None, fingerprint: bytes
) -> StoredResponse:
    """The response to replay for a key already taken, or why there is none."""
    if stored_fingerprint != fingerprint:
        raise MESSAGES.error("idempotency_key_reused", ErrorKind.INVALID)
    if status_code is None or body is None:
        raise MESSAGES.error("idempotency_in_flight", ErrorKind.CONFLICT)
    return StoredResponse(status_code, body)


# The stored response as plain SQL for hot paths on a LeanTransaction (psycopg parameters).
STORED_SQL = (
    "SELECT fingerprint, status_code, body FROM idempotency_key"
    " WHERE tenant_id = %(tenant_id)s AND user_id = %(user_id)s AND key = %(key)s"
)


def stored_row(
    *,
    tenant_id: uuid.UUID,
    user_id: uuid.UUID,
    key: str,
    fingerprint: bytes,
    response: StoredResponse,
) -> dict[str, Any]:
    """The idempotency_key columns once the response is stored: what `reserve` and
    `remember` leave behind, for a hot path that writes the row in one go."""
    return {
        "tenant_id": tenant_id,
        "user_id": user_id,
        "key": key,
        "fingerprint": fingerprint,
        "status_code": response.status_code,
        "body": response.body,
    }


async def remember(
    uow: UnitOfWork,
    *,
    tenant_id: uuid.UUID,
    user_id: uuid.UUID,
    key: str,
    status_code: int,
    body: bytes,
) -> None:
    await uow.session.execute(
        text(
            "UPDATE idempotency_key SET status_code = :s, body = :b"
            " WHERE tenant_id = :t AND user_id = :u AND key = :k"
        ),
        {"s": status_code, "b": body, "t": tenant_id, "u": user_id, "k": key},
    )
