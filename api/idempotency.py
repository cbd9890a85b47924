"""`Idempotency-Key` for POSTs that create check-ins, money movement or transfers.

The handler's work, the stored response and the audit trail commit together; a replay
returns the first response byte for byte, marked with `Idempotent-Replayed: true`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from typing import Any

import msgspec
from litestar import Response

from api.context import Ctx
from api.times import encode_json
from infra.db.session import UnitOfWork
from infra.platform import idempotency
from infra.platform.idempotency import StoredResponse


def request_fingerprint(ctx: Ctx, payload: object) -> bytes:
    """What makes two requests "the same" for one Idempotency-Key."""
    return hashlib.sha256(
        f"{ctx.request.method} {ctx.request.scope['path']}".encode() + msgspec.json.encode(payload)
    ).digest()


def replay(stored: StoredResponse, *, replayed: bool) -> Response[Any]:
    return Response(
        content=stored.body,
        status_code=stored.status_code,
        media_type="application/json",
        headers={"Idempotent-Replayed": "true"} if replayed else {},
    )


async def idempotent(
    ctx: Ctx,
    work: Callable[[UnitOfWork], Awaitable[Any]],
    *,
    status_code: int = 201,
    fingerprint_of: object = None,
) -> Response[Any]:
    key = ctx.request.headers.get("idempotency-key")
    p = ctx.principal
    async with ctx.uow() as uow:
        if key is not None:
            fingerprint = request_fingerprint(ctx, fingerprint_of)
            stored = await idempotency.reserve(
                uow, tenant_id=p.tenant_id, user_id=p.user_id, key=key, fingerprint=fingerprint
            )
            if stored is not None:
                return replay(stored, replayed=True)
        body = encode_json(await work(uow))
        if key is not None:
            await idempotency.remember(
                uow,
                tenant_id=p.tenant_id,
                user_id=p.user_id,
                key=key,
                status_code=status_code,
                body=body,
            )
    return Response(content=body, status_code=status_code, media_type="application/json")
