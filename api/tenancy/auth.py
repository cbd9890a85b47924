"""Log in, refresh and log out: the session endpoints."""

from __future__ import annotations

from litestar import post

from api.context import Ctx
from api.deps import Logins, Protector
from api.openapi_common import errors
from api.ratelimit import limit_account
from api.tenancy import presenters as present
from api.tenancy import schemas as s
from api.tenancy.mfa import MfaChallengeOut, challenge_out
from infra.tenancy.auth import LoginChallenge

AUTH = ["Auth"]


@post(
    "/auth/login",
    summary="登录 Log in",
    description=(
        "用户名或手机号加密码登录，返回短期访问令牌和轮换的刷新令牌。"
        "同一来源地址连续失败会被暂时锁定（其他地址不受影响）；"
        "请求过多时返回 429 或 503，并带 Retry-After。"
        "需要双因素认证的账号（管理员，或租户设置 `mfa_required_for_staff` 下的全体工作人员，"
        "以及已绑定动态验证码的任何账号）改为返回 `mfa_required: true` 和一个 5 分钟有效的"
        " `challenge`：已绑定的用 `POST /auth/login/mfa` 提交验证码，未绑定的"
        "（`enrollment_required: true`）先 `POST /auth/mfa/enroll` 再 `POST /auth/mfa/confirm`。"
    ),
    tags=AUTH,
    operation_id="login",
    status_code=200,
    responses=errors(400, 401, 429, 503),
    security=[{}],
)
async def login(
    ctx: Ctx, logins: Logins, protector: Protector, data: s.LoginIn
) -> s.TokenOut | MfaChallengeOut:
    await limit_account(ctx.request, data.username, protector)
    result = await logins.login(data.username, data.password, ctx.actor())
    if isinstance(result, LoginChallenge):
        return challenge_out(result)
    return present.tokens_out(result)


@post(
    "/auth/refresh",
    summary="刷新令牌 Refresh the session",
    description=(
        "以刷新令牌换取新的访问令牌和刷新令牌；旧刷新令牌作废，重复使用将注销整个会话。"
        "会话保持登录时的双因素认证状态；账号需要双因素认证而本会话未经过时返回 401"
        " `mfa_required`，须重新登录。"
    ),
    tags=AUTH,
    operation_id="refreshToken",
    status_code=200,
    responses=errors(400, 401),
    security=[{}],
)
async def refresh(ctx: Ctx, logins: Logins, data: s.RefreshIn) -> s.TokenOut:
    return present.tokens_out(await logins.refresh(data.refresh_token, ctx.actor()))


@post(
    "/auth/logout",
    summary="退出登录 Log out",
    description="注销刷新令牌所属的整个会话。",
    tags=AUTH,
    operation_id="logout",
    status_code=204,
    responses=errors(400),
    security=[{}],
)
async def logout(ctx: Ctx, logins: Logins, data: s.RefreshIn) -> None:
    await logins.logout(data.refresh_token, ctx.actor())


ROUTES = [login, refresh, logout]
