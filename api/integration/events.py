"""The event feed and its catalogue: `GET /events`, `GET /event-types`."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

import msgspec
from litestar import get
from litestar.openapi.spec import Example
from litestar.params import Parameter

from api.context import Ctx
from api.deprecation import Deprecation, deprecated_alias
from api.integration import event_schemas as es
from api.openapi_common import errors
from domain.integration import CATALOGUE, SCOPES, EventTypeName
from domain.shared import cursor as codec
from domain.shared import invalid_cursor
from infra.integration import Confinement, ShownEvent, feed_types, read_feed

TAGS = ["Events"]
_START = (0, 0)


def _position(after: str | None) -> tuple[int, int]:
    if not after:
        return _START
    keys = codec.decode_cursor(after)
    try:
        xid, seq = int(keys["x"]), int(keys["s"])
    except (KeyError, TypeError, ValueError) as exc:
        raise invalid_cursor() from exc
    if xid < 0 or seq < 0:
        raise invalid_cursor()
    return xid, seq


def _cursor(position: tuple[int, int]) -> str:
    return codec.encode_cursor(x=str(position[0]), s=position[1])


def _event(shown: ShownEvent) -> Any:
    e = shown.event
    return msgspec.convert(
        {
            "type": e.topic,
            "id": e.id,
            "time": e.created_at,
            "tenant_id": e.tenant_id,
            "aggregate": {"type": e.aggregate_type, "id": e.aggregate_id},
            "payload": shown.payload,
        },
        es.Event,
        strict=False,
    )


@get(
    "/events",
    summary="事件流 Event feed",
    description=(
        "本范围（接口客户端的租户子树或党组织子树，或管理员的租户子树）的事件，按提交的先后"
        "稳定排序。限于一个党组织子树的客户端只读记在该子树内党组织下的事件，"
        "不读租户级事件（如整月账单生成）。"
        "首次不带 `after` 从头读起；之后把返回的 `next_cursor` 作为 `after` 轮询，"
        "没有新事件时 `items` 为空、`next_cursor` 可照旧使用。晚提交的事件不会被跳过："
        "只返回比所有仍在运行的事务都早的事务写下的事件。`types` 可重复，只读这些类型；"
        "每种类型须有读取其资源的权限（见 `GET /event-types`）。个人信息字段"
        "（`x-personal`）只在有 `members:sensitive:read` 时给出，否则为 null，给出即记入审计。"
        "需要 `events:read`。"
    ),
    tags=TAGS,
    operation_id="listEvents",
    responses=errors(400, 401, 403),
)
async def list_events(
    ctx: Ctx,
    after: Annotated[
        str | None,
        Parameter(
            max_length=200,
            description="上次返回的 next_cursor The next_cursor of the previous page",
            examples=[Example(value="eyJzIjoxMiwieCI6IjgxMiJ9")],
        ),
    ] = None,
    types: Annotated[
        list[EventTypeName] | None,
        Parameter(
            description="只读这些事件类型（可重复） Only these event types (repeatable)",
            examples=[Example(value=["member.created", "member.updated"])],
        ),
    ] = None,
    limit: Annotated[int, Parameter(ge=1, le=500, description="每页条数 Page size")] = 100,
) -> es.EventPage:
    p = ctx.principal
    client = ctx.acting_client()
    confined = (
        Confinement(p.tenant_id, client.domain)
        if client is not None and client.domain != p.home_domain
        else None
    )
    readable = feed_types(ctx, types, confined=confined)
    position = _position(after)
    async with ctx.uow() as uow:
        read = await read_feed(
            uow, ctx, types=readable, after=position, limit=limit, confined=confined
        )
    return es.EventPage(items=[_event(e) for e in read.events], next_cursor=_cursor(read.next))


def _scope_of(permission: str) -> str | None:
    return next((s.name for s in SCOPES.values() if permission in s.permissions), None)


@get(
    "/event-types",
    summary="事件类型目录 Event type catalogue",
    description="每种事件类型：说明、聚合、读取所需的授权范围、个人信息字段和负载的 JSON Schema。",
    tags=TAGS,
    operation_id="listEventTypes",
    responses=errors(401),
)
async def list_event_types(ctx: Ctx) -> list[es.EventTypeOut]:
    ctx.principal  # noqa: B018 - authenticated callers only
    return [
        es.EventTypeOut(
            type=kind.name,
            description=kind.description.pick(ctx.lang),
            aggregate_type=kind.aggregate_type,
            scope=_scope_of(kind.permission),
            personal_fields=list(kind.personal),
            schema_ref=f"#/components/schemas/{kind.payload.__name__}",
            payload_schema=es.payload_schema(kind.payload),
        )
        for kind in CATALOGUE.values()
    ]


# `/events/types` would shadow a single event's read at `/events/{id}`: the catalogue is
# `/event-types`, and this first name stays until its sunset (README: versions).
list_event_types_deprecated = deprecated_alias(
    get,
    "/events/types",
    Deprecation(
        successor="/api/v1/event-types",
        since=datetime(2026, 12, 2, tzinfo=UTC),
        sunset=datetime(2027, 6, 30, 16, tzinfo=UTC),
    ),
    summary="事件类型目录（已弃用，改用 /event-types） Event types (deprecated)",
    description=(
        "与 `GET /event-types` 相同；带 Deprecation、Sunset 和 Link 响应头，停用后返回 410。"
    ),
    tags=TAGS,
    operation_id="listEventTypesDeprecated",
    responses=errors(401, 410),
)(list_event_types.fn)

ROUTES = [list_events, list_event_types, list_event_types_deprecated]
