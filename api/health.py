"""Liveness and readiness probes."""

from __future__ import annotations

import msgspec
from litestar import Response, get
from litestar.openapi.datastructures import ResponseSpec

from api.deps import Db, Storage

OPS = ["Operations"]


class HealthOut(msgspec.Struct):
    status: str
    checks: dict[str, str] = msgspec.field(default_factory=dict)


@get("/health", summary="存活检查 Liveness", tags=OPS, operation_id="health", security=[{}])
async def health() -> HealthOut:
    return HealthOut(status="ok")


@get(
    "/ready",
    summary="就绪检查 Readiness",
    description="数据库和对象存储均可用时返回 200，否则 503。",
    tags=OPS,
    operation_id="ready",
    security=[{}],
    responses={
        503: ResponseSpec(
            data_container=HealthOut,
            description="数据库或对象存储不可用 The database or object storage is unavailable",
            examples=[],
            generate_examples=False,
        )
    },
)
async def ready(db: Db, storage: Storage) -> Response[HealthOut]:
    checks: dict[str, str] = {}
    try:
        await db.ping()
        checks["database"] = "ok"
    except Exception:
        checks["database"] = "unavailable"
    try:
        await storage.ensure_ready()
        checks["storage"] = "ok"
    except Exception:
        checks["storage"] = "unavailable"
    ok = all(v == "ok" for v in checks.values())
    return Response(
        HealthOut("ok" if ok else "unavailable", checks), status_code=200 if ok else 503
    )
