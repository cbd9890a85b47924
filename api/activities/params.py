"""What the activity endpoints share: tags, parameters, the caller and the clock."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from litestar.openapi.spec import Example
from litestar.params import HeaderParameter, Parameter

from api.context import Ctx
from infra.activities import visibility

ACTIVITIES = ["Activities"]
CHECKINS = ["Check-in"]
COMPLIANCE = ["Compliance"]

IDEMPOTENCY_KEY = HeaderParameter(
    name="Idempotency-Key",
    required=False,
    max_length=200,
    description="重放同一请求返回第一次的结果 Replays return the first response",
    examples=[Example(value="7f9c2a52-checkin-1")],
)
PeriodParam = Annotated[
    str | None,
    Parameter(
        max_length=10,
        description="期间：2026、2026-05、2026-Q2 或 2026-H1；不填则为 year 全年",
        examples=[Example(value="2026-05")],
    ),
]
YearParam = Annotated[
    int | None, Parameter(ge=2000, le=2100, description="年度", examples=[Example(value=2026)])
]


def caller_of(ctx: Ctx) -> visibility.Caller:
    p = ctx.principal
    return visibility.Caller(user_id=p.user_id, tenant_id=p.tenant_id)


def utc_now() -> datetime:
    return datetime.now(UTC)


def read_prefixes(ctx: Ctx) -> list[str]:
    """Domains (with their subtrees) where the caller's roles include `activity:read`; an
    API client's subtree if its scopes hold it, else 403 (no member record opens a list
    to a client)."""
    client = ctx.acting_client()
    if client is not None:
        ctx.require("activity", "read", client.domain)
        return [client.domain]
    prefixes = []
    for _role, pattern in ctx.authz.roles_of(ctx.principal.subject):
        if pattern.endswith("*") and ctx.can("activity", "read", pattern[:-1]):
            prefixes.append(pattern[:-1])
    return prefixes
