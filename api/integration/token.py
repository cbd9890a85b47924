"""`POST /auth/token`: OAuth 2.0 client credentials (RFC 6749 §4.4) for API clients.

Form-encoded; the client authenticates by HTTP Basic (§2.3.1, id and secret form-encoded
before base64) or in the body, never both. Refusals are §5.2 bodies, not problems: client
libraries read `error`. A failed client authentication is 401 with `WWW-Authenticate`.
"""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any
from urllib.parse import unquote_plus

from litestar import Request, Response, post
from litestar.enums import RequestEncodingType
from litestar.exceptions import ValidationException
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import Example
from litestar.params import Body

from api.context import Ctx
from api.deps import AppSettings, Db
from api.errors import language
from api.integration import schemas as s
from api.openapi_common import errors
from domain.integration import (
    OAuthError,
    invalid_client,
    invalid_request,
    unsupported_grant_type,
)
from infra.integration import client_credentials

GRANT = "client_credentials"
_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
_CHALLENGE = {"WWW-Authenticate": 'Basic realm="zhibu", charset="UTF-8"'}


def _oauth_spec(description: str, error: str) -> ResponseSpec:
    return ResponseSpec(
        data_container=s.OAuthErrorOut,
        description=description,
        media_type="application/json",
        examples=[Example(summary=error, value={"error": error, "error_description": "…"})],
        generate_examples=False,
    )


def _refusal(request: Request[Any, Any, Any], error: OAuthError) -> Response[Any]:
    unauthorized = error.error == "invalid_client"
    return Response(
        content={"error": error.error, "error_description": error.message.pick(language(request))},
        status_code=401 if unauthorized else 400,
        media_type="application/json",
        headers={**_NO_STORE, **(_CHALLENGE if unauthorized else {})},
    )


def _malformed(request: Request[Any, Any, Any], _: ValidationException) -> Response[Any]:
    """A parameter given twice or not as text (§3.2: MUST NOT be included more than once)."""
    return _refusal(request, invalid_request("grant_type, client_id, client_secret, scope"))


def _basic(request: Request[Any, Any, Any]) -> tuple[str, str] | None:
    header = request.headers.get("authorization", "")
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise invalid_client() from None
    client_id, colon, secret = decoded.partition(":")
    if not colon:
        raise invalid_client()
    return unquote_plus(client_id), unquote_plus(secret)


def _credentials(request: Request[Any, Any, Any], form: s.TokenForm) -> tuple[str, str]:
    basic = _basic(request)
    in_body = bool(form.client_id or form.client_secret)
    if basic is not None and in_body:
        raise invalid_request("Authorization, client_id")
    if basic is not None:
        return basic
    if not form.client_id or not form.client_secret:
        raise invalid_client()
    return form.client_id, form.client_secret


@post(
    "/auth/token",
    summary="客户端凭证换取访问令牌 Client credentials token",
    description=(
        "OAuth 2.0 客户端凭证模式（RFC 6749 §4.4）。请求体为 "
        "`application/x-www-form-urlencoded`：`grant_type=client_credentials`，可选 `scope`"
        "（空格分隔，只能缩小客户端的授权范围）；客户端以 HTTP Basic（推荐）或请求体中的 "
        "`client_id`、`client_secret` 认证。错误按 RFC 6749 §5.2 返回 `error`："
        "`invalid_request`、`invalid_client`（401，带 WWW-Authenticate）、"
        "`unsupported_grant_type`、`invalid_scope`。访问令牌短期有效，用作 Bearer。"
    ),
    tags=["Auth"],
    operation_id="issueClientToken",
    status_code=200,
    responses={
        400: _oauth_spec(
            "RFC 6749 §5.2: invalid_request, unsupported_grant_type, invalid_scope",
            "unsupported_grant_type",
        ),
        401: _oauth_spec("RFC 6749 §5.2: invalid_client", "invalid_client"),
        **errors(429, 503),
    },
    security=[{}],
    exception_handlers={ValidationException: _malformed},
)
async def issue_client_token(
    ctx: Ctx,
    db: Db,
    app_settings: AppSettings,
    request: Request[Any, Any, Any],
    data: Annotated[s.TokenForm, Body(media_type=RequestEncodingType.URL_ENCODED)],
) -> Response[s.ClientTokenOut]:
    try:
        if not data.grant_type:
            raise invalid_request("grant_type")
        if data.grant_type != GRANT:
            raise unsupported_grant_type()
        client_id, client_secret = _credentials(request, data)
        issued = await client_credentials(
            db,
            client_id=client_id,
            client_secret=client_secret,
            scope=data.scope or None,
            jwt_secret=app_settings.secret_bytes("jwt_secret"),
            lifetime=timedelta(minutes=app_settings.client_token_minutes),
            actor=ctx.actor(),
            now=datetime.now(UTC),
        )
    except OAuthError as error:
        return _refusal(request, error)
    return Response(
        s.ClientTokenOut(
            access_token=issued.access_token,
            token_type="Bearer",  # noqa: S106 - the scheme name, not a secret
            expires_in=issued.expires_in,
            scope=" ".join(issued.scopes),
        ),
        headers=_NO_STORE,
    )
