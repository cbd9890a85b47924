"""Request and response bodies of the integration endpoints (msgspec: strict and fast)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

import msgspec
from msgspec import Meta

from domain.integration import MAX_OVERLAP

# The catalogue's names (domain.integration.SCOPES; a unit test keeps them equal).
ScopeName = Literal[
    "organizations:read",
    "members:read",
    "members:write",
    "members:sensitive:read",
    "activities:read",
    "checkins:write",
    "points:read",
    "applicants:read",
    "applicants:write",
    "applicants:sensitive:read",
    "dues:read",
    "dues:write",
    "transfers:read",
    "events:read",
    "webhooks:write",
]


class Strict(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Request bodies refuse unknown fields, so a typo is an error and not a silent no-op."""


class ApiClientIn(Strict):
    """注册接口客户端 Register an API client."""

    name: Annotated[
        str, Meta(min_length=1, max_length=100, pattern=r"\S", examples=["省党员信息系统"])
    ]
    scopes: Annotated[
        list[ScopeName],
        Meta(
            min_length=1,
            max_length=20,
            examples=[["members:read", "organizations:read"]],
            description="授权范围，见 GET /api-scopes Scopes, see GET /api-scopes",
        ),
    ]
    organization_id: Annotated[
        uuid.UUID | None,
        Meta(description="只在该党组织及其下级范围内 Confined to this organization's subtree"),
    ] = None


class RotateIn(Strict):
    """轮换密钥 Rotate the secret."""

    overlap_seconds: (
        Annotated[
            int,
            Meta(
                ge=0,
                le=int(MAX_OVERLAP.total_seconds()),
                examples=[86400],
                description="旧密钥继续有效的秒数（默认 86400）"
                " How long the replaced secret keeps working (default 86400)",
            ),
        ]
        | None
    ) = None


class SecretOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    created_at: datetime
    expires_at: datetime | None = None


class ApiClientOut(msgspec.Struct, kw_only=True):
    """接口客户端 An API client; its secret is shown only when made."""

    id: uuid.UUID
    client_id: Annotated[str, Meta(description="OAuth2 client_id", examples=["zbc.0193….0193…"])]
    name: str
    tenant_id: uuid.UUID
    organization_id: uuid.UUID | None
    scopes: list[ScopeName]
    created_at: datetime
    revoked_at: datetime | None
    secrets: list[SecretOut]


class ApiClientWithSecret(ApiClientOut, kw_only=True):
    client_secret: Annotated[
        str,
        Meta(description="只显示这一次，请妥善保存 Shown this once only", examples=["zbs.0193….…"]),
    ]


class ApiScopeOut(msgspec.Struct, kw_only=True):
    name: ScopeName
    description: str
    sensitive: bool
    permissions: list[str]


class TokenForm(msgspec.Struct, kw_only=True):
    """RFC 6749 §4.4.2, form-encoded; client_id and client_secret here or by HTTP Basic."""

    grant_type: Annotated[str, Meta(examples=["client_credentials"])] = ""
    client_id: Annotated[str, Meta(examples=["zbc.0193….0193…"])] = ""
    client_secret: Annotated[str, Meta(examples=["zbs.0193….…"])] = ""
    scope: Annotated[
        str,
        Meta(
            description="空格分隔，缩小授权范围 Space-separated, to narrow the scopes",
            examples=["members:read"],
        ),
    ] = ""


class ClientTokenOut(msgspec.Struct, kw_only=True):
    """RFC 6749 §5.1."""

    access_token: str
    token_type: Literal["Bearer"]
    expires_in: int
    scope: str


class OAuthErrorOut(msgspec.Struct, kw_only=True):
    """RFC 6749 §5.2."""

    error: Literal["invalid_request", "invalid_client", "unsupported_grant_type", "invalid_scope"]
    error_description: str


# Webhooks (issue 13 item 5). Event types are checked against the catalogue in
# domain.integration (422 `webhook_invalid` for an unknown one, an empty one included).
WebhookUrl = Annotated[
    str,
    Meta(
        min_length=1,
        max_length=2000,
        examples=["https://hr.example.com/zhibu/webhooks"],
        description="接收推送的地址（http/https；不能是本机、内网或链路本地地址）"
        " The receiver's URL (http/https; no loopback, private or link-local address)",
    ),
]
EventTypes = Annotated[
    list[str],
    Meta(min_length=1, max_length=50, examples=[["checkin.recorded", "member.created"]]),
]
Description = Annotated[str, Meta(max_length=200, examples=["人事系统"])]


class WebhookIn(Strict):
    """订阅 Webhook Subscribe a webhook endpoint."""

    url: WebhookUrl
    event_types: EventTypes
    description: Description = ""


class WebhookPatch(Strict):
    """Only the fields sent change; `enabled: true` re-enables a disabled endpoint."""

    url: WebhookUrl | msgspec.UnsetType = msgspec.UNSET
    event_types: EventTypes | msgspec.UnsetType = msgspec.UNSET
    description: Description | msgspec.UnsetType = msgspec.UNSET
    enabled: bool | msgspec.UnsetType = msgspec.UNSET


class RedeliverIn(Strict):
    """重新投递 Redeliver one event (`event_id`) or the events in [`since`, `until`)."""

    event_id: uuid.UUID | None = None
    since: Annotated[datetime, Meta(examples=["2026-05-20T00:00:00+08:00"])] | None = None
    until: Annotated[datetime, Meta(examples=["2026-05-21T00:00:00+08:00"])] | None = None


class WebhookOut(msgspec.Struct, kw_only=True):
    """Webhook 订阅 A webhook subscription; its secret is shown only when made or rotated."""

    id: uuid.UUID
    api_client_id: uuid.UUID
    tenant_id: uuid.UUID
    url: str
    event_types: list[str]
    description: str
    enabled: bool
    disabled_reason: (
        Annotated[
            str,
            Meta(description="manual、gone（接收方答 410）、failing（长期失败）、client_revoked"),
        ]
        | None
    )
    disabled_at: datetime | None
    failure_streak: int
    paused_until: datetime | None
    created_at: datetime
    updated_at: datetime
    secrets: list[SecretOut]


class WebhookWithSecret(WebhookOut, kw_only=True):
    secret: Annotated[
        str,
        Meta(
            description="签名密钥（Standard Webhooks），只显示这一次"
            " The signing secret (Standard Webhooks), shown this once only",
            examples=["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"],
        ),
    ]


class WebhookDeliveryOut(msgspec.Struct, kw_only=True):
    """一次事件投递 One event for one webhook; `event_id` is its `webhook-id`."""

    id: uuid.UUID
    event_id: uuid.UUID
    event_type: str
    tenant_id: uuid.UUID
    occurred_at: datetime
    status: Literal["pending", "delivered", "failed"]
    attempts: int
    next_attempt_at: datetime | None
    last_attempt_at: datetime | None
    last_status_code: int | None
    created_at: datetime


class WebhookAttemptOut(msgspec.Struct, kw_only=True):
    attempted_at: datetime
    status_code: int | None
    latency_ms: int
    response_excerpt: Annotated[str, Meta(description="接收方答复的前 1 KiB")]
    error: str | None


class WebhookDeliveryDetail(WebhookDeliveryOut, kw_only=True):
    body: Annotated[str, Meta(description="签名的请求体 The body as signed and sent")]
    attempt_log: list[WebhookAttemptOut]


class RedeliveryOut(msgspec.Struct, kw_only=True):
    queued: int
