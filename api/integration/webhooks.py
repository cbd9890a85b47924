"""Webhook endpoints: an API client's subscriptions, their delivery log, redelivery.

The client holding `webhooks:write` manages its own subscriptions; administrators who may
read a client (`api_client:read`) read its webhooks and deliveries too, and change none.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated, Literal

import msgspec
from litestar import get, patch, post
from litestar.openapi.spec import Example
from litestar.params import Parameter

from api.context import Ctx
from api.deps import AppSettings, Protector
from api.integration import schemas as s
from api.openapi_common import LIST, READ, WRITE
from api.pagination import Cursor, Limit, Page, decode_cursor, page_of
from domain.integration.messages import MESSAGES
from domain.shared import ErrorKind, require_scopes
from infra.integration import (
    DeliveryFilter,
    Webhook,
    WebhookCaller,
    create_webhook,
    get_delivery,
    get_webhook,
    list_deliveries,
    list_webhooks,
    redeliver,
    rotate_webhook_secret,
    update_webhook,
)
from infra.integration.tables import WebhookDeliveryRow

TAGS = ["Webhooks"]
SCOPE = "webhooks:write"
DESCRIPTION = (
    "按 Standard Webhooks v1 推送：请求头 `webhook-id`（事件 id，重试不变，接收方据此去重）、"
    "`webhook-timestamp`、`webhook-signature`（`v1,` 加 HMAC-SHA256 签名，密钥轮换过渡期内"
    "带两个签名）。2xx 为成功；其余按 5 秒、5 分、30 分、2、5、10、14、20、24 小时重试；"
    "410 停用该地址；429/502/504 与 Retry-After 使推送放缓。"
)


def caller_of(ctx: Ctx) -> WebhookCaller:
    """A client needs `webhooks:write`; a person may read where it may read clients."""
    p = ctx.principal
    if p.client is not None:
        if SCOPE not in p.client.scopes:
            raise MESSAGES.error("webhook_clients_only", ErrorKind.FORBIDDEN)
        return WebhookCaller(ctx, p.client.client_id, p.client.domain)
    require_scopes(ctx, "api_client", "read")
    return WebhookCaller(ctx, None, None)


def webhook_out(hook: Webhook) -> s.WebhookOut:
    row = hook.row
    return s.WebhookOut(
        id=row.id,
        api_client_id=row.client_id,
        tenant_id=row.tenant_id,
        url=row.url,
        event_types=list(row.event_types),
        description=row.description,
        enabled=row.enabled,
        disabled_reason=row.disabled_reason,
        disabled_at=row.disabled_at,
        failure_streak=row.failure_streak,
        paused_until=row.paused_until,
        created_at=row.created_at,
        updated_at=row.updated_at,
        secrets=[
            s.SecretOut(id=x.id, created_at=x.created_at, expires_at=x.expires_at)
            for x in hook.secrets
        ],
    )


def _with_secret(hook: Webhook, secret: str) -> s.WebhookWithSecret:
    out = webhook_out(hook)
    return s.WebhookWithSecret(**{f: getattr(out, f) for f in out.__struct_fields__}, secret=secret)


def delivery_out(row: WebhookDeliveryRow) -> s.WebhookDeliveryOut:
    return s.WebhookDeliveryOut(
        id=row.id,
        event_id=row.event_id,
        event_type=row.event_type,
        tenant_id=row.tenant_id,
        occurred_at=row.occurred_at,
        status=row.status,  # type: ignore[arg-type]
        attempts=row.attempts,
        next_attempt_at=row.next_attempt_at if row.status == "pending" else None,
        last_attempt_at=row.last_attempt_at,
        last_status_code=row.last_status_code,
        created_at=row.created_at,
    )


@post(
    "/webhooks",
    summary="订阅 Webhook Subscribe a webhook",
    description=(
        "接口客户端（需 `webhooks:write`）订阅本租户及下级的事件。`secret`（`whsec_…`）"
        "只返回这一次。" + DESCRIPTION
    ),
    tags=TAGS,
    operation_id="createWebhook",
    responses=WRITE,
)
async def create_webhook_endpoint(
    ctx: Ctx, app_settings: AppSettings, protector: Protector, data: s.WebhookIn
) -> s.WebhookWithSecret:
    caller = caller_of(ctx)
    async with ctx.uow() as uow:
        hook, secret = await create_webhook(
            uow,
            caller,
            tenant_path=ctx.principal.tenant_path,
            url=data.url,
            event_types=data.event_types,
            description=data.description,
            allow_private=app_settings.webhook_allow_private,
            protector=protector,
        )
    return _with_secret(hook, secret)


@get(
    "/webhooks",
    summary="Webhook 订阅列表 List webhooks",
    tags=TAGS,
    operation_id="listWebhooks",
    responses=LIST,
)
async def list_webhooks_endpoint(
    ctx: Ctx, limit: Limit = 50, cursor: Cursor = None
) -> Page[s.WebhookOut]:
    caller = caller_of(ctx)
    async with ctx.uow() as uow:
        found = await list_webhooks(uow, caller, limit=limit, after=decode_cursor(cursor))
    return page_of([webhook_out(h) for h in found], limit, lambda h: h.id)


@get(
    "/webhooks/{webhook_id:uuid}",
    summary="Webhook 订阅详情 Get a webhook",
    tags=TAGS,
    operation_id="getWebhook",
    responses=READ,
)
async def get_webhook_endpoint(ctx: Ctx, webhook_id: uuid.UUID) -> s.WebhookOut:
    caller = caller_of(ctx)
    async with ctx.uow() as uow:
        return webhook_out(await get_webhook(uow, caller, webhook_id))


@patch(
    "/webhooks/{webhook_id:uuid}",
    summary="修改 Webhook 订阅 Update a webhook",
    description="`enabled: false` 停用；`enabled: true` 重新启用并清零连续失败次数。",
    tags=TAGS,
    operation_id="updateWebhook",
    responses=WRITE,
)
async def update_webhook_endpoint(
    ctx: Ctx, app_settings: AppSettings, webhook_id: uuid.UUID, data: s.WebhookPatch
) -> s.WebhookOut:
    caller = caller_of(ctx)
    changes = {k: v for k, v in msgspec.structs.asdict(data).items() if v is not msgspec.UNSET}
    async with ctx.uow() as uow:
        hook = await update_webhook(
            uow,
            caller,
            webhook_id,
            changes=changes,
            allow_private=app_settings.webhook_allow_private,
            now=datetime.now(UTC),
        )
        return webhook_out(hook)


@post(
    "/webhooks/{webhook_id:uuid}/rotate",
    summary="轮换签名密钥 Rotate the signing secret",
    description=(
        "生成新密钥（只返回这一次）；旧密钥在过渡期（overlap_seconds，默认一天）内继续签名，"
        "其间每次推送带两个签名。"
    ),
    tags=TAGS,
    operation_id="rotateWebhookSecret",
    status_code=200,
    responses=WRITE,
)
async def rotate_webhook_secret_endpoint(
    ctx: Ctx, protector: Protector, webhook_id: uuid.UUID, data: s.RotateIn
) -> s.WebhookWithSecret:
    caller = caller_of(ctx)
    async with ctx.uow() as uow:
        hook, secret = await rotate_webhook_secret(
            uow,
            caller,
            webhook_id,
            overlap_seconds=data.overlap_seconds,
            protector=protector,
            now=datetime.now(UTC),
        )
    return _with_secret(hook, secret)


StatusFilter = Annotated[
    Literal["pending", "delivered", "failed"] | None,
    Parameter(description="按投递状态筛选 Filter by status"),
]


@get(
    "/webhooks/{webhook_id:uuid}/deliveries",
    summary="投递记录 Delivery log",
    description="每个事件一条：状态、尝试次数、最近的状态码；`since`/`until` 按事件时间筛选。",
    tags=TAGS,
    operation_id="listWebhookDeliveries",
    responses=READ,
)
async def list_webhook_deliveries(
    ctx: Ctx,
    webhook_id: uuid.UUID,
    status: StatusFilter = None,
    event_type: Annotated[
        str | None,
        Parameter(max_length=100, examples=[Example(value="checkin.recorded")]),
    ] = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[s.WebhookDeliveryOut]:
    caller = caller_of(ctx)
    async with ctx.uow() as uow:
        found = await list_deliveries(
            uow,
            caller,
            webhook_id,
            where=DeliveryFilter(status, event_type, since, until),
            limit=limit,
            after=decode_cursor(cursor),
        )
    return page_of([delivery_out(d) for d in found], limit, lambda d: d.id)


@get(
    "/webhooks/{webhook_id:uuid}/deliveries/{delivery_id:uuid}",
    summary="投递详情 A delivery and its attempts",
    description="请求体原文，以及每次尝试的状态码、耗时（毫秒）和接收方答复的开头。",
    tags=TAGS,
    operation_id="getWebhookDelivery",
    responses=READ,
)
async def get_webhook_delivery(
    ctx: Ctx, webhook_id: uuid.UUID, delivery_id: uuid.UUID
) -> s.WebhookDeliveryDetail:
    caller = caller_of(ctx)
    async with ctx.uow() as uow:
        delivery, attempts = await get_delivery(uow, caller, webhook_id, delivery_id)
    out = delivery_out(delivery)
    return s.WebhookDeliveryDetail(
        **{f: getattr(out, f) for f in out.__struct_fields__},
        body=delivery.body,
        attempt_log=[
            s.WebhookAttemptOut(
                attempted_at=a.attempted_at,
                status_code=a.status_code,
                latency_ms=a.latency_ms,
                response_excerpt=a.response_excerpt,
                error=a.error,
            )
            for a in attempts
        ],
    )


@post(
    "/webhooks/{webhook_id:uuid}/redeliver",
    summary="重新投递 Redeliver",
    description=(
        "把一个事件（`event_id`）或一段时间内（`since` 至 `until`，最长 31 天）的事件重新"
        "排入投递，尝试次数从头计；`webhook-id` 不变。"
    ),
    tags=TAGS,
    operation_id="redeliverWebhook",
    status_code=202,
    responses=WRITE,
)
async def redeliver_webhook(
    ctx: Ctx, webhook_id: uuid.UUID, data: s.RedeliverIn
) -> s.RedeliveryOut:
    caller = caller_of(ctx)
    async with ctx.uow() as uow:
        _, queued = await redeliver(
            uow, caller, webhook_id, event_id=data.event_id, since=data.since, until=data.until
        )
    return s.RedeliveryOut(queued=queued)


ROUTES = [
    create_webhook_endpoint,
    list_webhooks_endpoint,
    get_webhook_endpoint,
    update_webhook_endpoint,
    rotate_webhook_secret_endpoint,
    list_webhook_deliveries,
    get_webhook_delivery,
    redeliver_webhook,
]
