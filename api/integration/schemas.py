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
    "dues:read",
    "dues:write",
    "events:read",
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
