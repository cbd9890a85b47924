"""Two-factor endpoints (双因素认证): the login's second step, enrolment, status.

An administrator who must use a second factor gets a challenge from `POST /auth/login`
instead of tokens. With an authenticator enrolled they send a code (or a recovery code) to
`POST /auth/login/mfa`; without one they enrol with the challenge (`/auth/mfa/enroll`, then
`/auth/mfa/confirm`), which also logs them in. Anyone already logged in may enrol the same
way with their bearer token instead of a challenge.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec
from litestar import get, post
from msgspec import Meta

from api.admission import PERSON_ONLY
from api.context import Ctx
from api.deps import SecondFactors
from api.openapi_common import errors
from api.tenancy import presenters as present
from api.tenancy import schemas as s
from infra.tenancy.auth import LoginChallenge
from infra.tenancy.mfa import Account, MfaService

AUTH = ["Auth"]

Challenge = Annotated[
    str,
    Meta(
        min_length=1,
        max_length=1000,
        description="登录第一步返回的 challenge（5 分钟内有效）",
        examples=["eyJhbGciOiJIUzI1NiIs…"],
    ),
]
Code = Annotated[
    str,
    Meta(
        min_length=6,
        max_length=20,
        description="动态验证码（6 位数字）或一次性恢复码（如 ABCDE-FGHJK）",
        examples=["492039"],
    ),
]


class MfaChallengeOut(msgspec.Struct):
    """密码正确，还需第二步 The password was right; a second step must follow."""

    mfa_required: Literal[True]
    enrollment_required: bool
    challenge: str
    challenge_expires_at: datetime
    methods: list[str]


class MfaLoginIn(s.Strict):
    challenge: Challenge
    code: Code


class MfaEnrollIn(s.Strict):
    """不带 challenge 时以 Bearer 令牌标识账号 Without a challenge the bearer token says who."""

    challenge: Challenge | None = None


class MfaConfirmIn(s.Strict):
    code: Annotated[
        str,
        Meta(
            min_length=6, max_length=6, description="新密钥生成的 6 位验证码", examples=["492039"]
        ),
    ]
    challenge: Challenge | None = None


class MfaCodeIn(s.Strict):
    code: Annotated[
        str, Meta(min_length=6, max_length=6, description="当前的 6 位验证码", examples=["492039"])
    ]


class MfaRecoveryCodesOut(msgspec.Struct):
    """新的恢复码只显示这一次，旧的全部作废 Shown this once; the old ones no longer work."""

    recovery_codes: list[str]


class MfaEnrollmentOut(msgspec.Struct):
    """在验证器应用中扫描 otpauth URI（或手工输入密钥） Scan the URI or type the secret."""

    secret: str
    otpauth_uri: str


class MfaConfirmationOut(msgspec.Struct):
    """恢复码只显示这一次 Recovery codes are shown this once; each works once."""

    recovery_codes: list[str]
    session: s.TokenOut | None


class MfaStatusOut(msgspec.Struct):
    enrolled: bool
    enrolled_at: datetime | None
    recovery_codes_left: int
    session_verified: bool


def challenge_out(challenge: LoginChallenge) -> MfaChallengeOut:
    return MfaChallengeOut(
        mfa_required=True,
        enrollment_required=challenge.enrollment_required,
        challenge=challenge.challenge,
        challenge_expires_at=challenge.expires_at,
        methods=["totp"] if challenge.enrollment_required else ["totp", "recovery_code"],
    )


def _account(ctx: Ctx, mfa: MfaService, challenge: str | None) -> Account:
    """The enrolling account: from the login challenge, else from the bearer token."""
    if challenge is not None:
        return mfa.account_of(challenge, "enroll")
    p = ctx.principal
    return Account(
        p.user_id,
        p.tenant_id,
        p.tenant_path,
        p.username,
        via_challenge=False,
        session_id=p.session_id,
    )


@post(
    "/auth/login/mfa",
    summary="登录第二步 Log in: second factor",
    description=(
        "提交登录第一步返回的 challenge 和动态验证码（或一次性恢复码），取得令牌。"
        "会话记录已通过双因素认证，刷新后仍然保持。连续 5 次错误锁定 15 分钟。"
    ),
    tags=AUTH,
    operation_id="loginMfa",
    status_code=200,
    responses=errors(400, 401, 429),
    security=[{}],
)
async def login_mfa(ctx: Ctx, second_factors: SecondFactors, data: MfaLoginIn) -> s.TokenOut:
    session = await second_factors.complete_login(data.challenge, data.code, ctx.actor())
    return present.tokens_out(session)


@post(
    "/auth/mfa/enroll",
    summary="绑定动态验证码 Enrol an authenticator",
    description=(
        "生成新的 TOTP 密钥（RFC 6238，30 秒，6 位），返回 otpauth URI 和密钥；"
        "在 `/auth/mfa/confirm` 提交一个验证码后生效。凭登录返回的 challenge"
        "（`enrollment_required: true`）或 Bearer 令牌调用。已绑定的账号返回 409。"
    ),
    tags=AUTH,
    operation_id="enrollMfa",
    opt={PERSON_ONLY: True},
    status_code=200,
    responses=errors(400, 401, 403, 409),
    security=[{}, {"bearer": []}],
)
async def enroll_mfa(
    ctx: Ctx, second_factors: SecondFactors, data: MfaEnrollIn
) -> MfaEnrollmentOut:
    enrollment = await second_factors.enroll(
        _account(ctx, second_factors, data.challenge), ctx.actor()
    )
    return MfaEnrollmentOut(secret=enrollment.secret, otpauth_uri=enrollment.otpauth_uri)


@post(
    "/auth/mfa/confirm",
    summary="确认绑定 Confirm the authenticator",
    description=(
        "提交新密钥生成的验证码以启用双因素认证，返回 10 个一次性恢复码（只显示这一次）。"
        "凭 challenge 调用时同时完成登录并返回令牌（`session`）。"
    ),
    tags=AUTH,
    operation_id="confirmMfa",
    opt={PERSON_ONLY: True},
    status_code=200,
    responses=errors(400, 401, 403, 409, 429),
    security=[{}, {"bearer": []}],
)
async def confirm_mfa(
    ctx: Ctx, second_factors: SecondFactors, data: MfaConfirmIn
) -> MfaConfirmationOut:
    done = await second_factors.confirm(
        _account(ctx, second_factors, data.challenge), data.code, ctx.actor()
    )
    return MfaConfirmationOut(
        recovery_codes=done.recovery_codes,
        session=present.tokens_out(done.session) if done.session else None,
    )


@post(
    "/auth/mfa/recovery-codes",
    summary="更换恢复码 Renew the recovery codes",
    description="凭当前的动态验证码生成 10 个新的一次性恢复码，旧恢复码全部作废。",
    tags=AUTH,
    operation_id="renewMfaRecoveryCodes",
    opt={PERSON_ONLY: True},
    status_code=200,
    responses=errors(400, 401, 403, 409, 429),
)
async def renew_recovery_codes(
    ctx: Ctx, second_factors: SecondFactors, data: MfaCodeIn
) -> MfaRecoveryCodesOut:
    codes = await second_factors.renew_recovery_codes(
        _account(ctx, second_factors, None), data.code, ctx.actor()
    )
    return MfaRecoveryCodesOut(recovery_codes=codes)


@get(
    "/auth/mfa",
    summary="双因素认证状态 Second-factor status",
    description="是否已绑定、剩余恢复码数量、当前会话是否通过了双因素认证。",
    tags=AUTH,
    operation_id="getMfaStatus",
    opt={PERSON_ONLY: True},
    responses=errors(401),
)
async def mfa_status(ctx: Ctx, second_factors: SecondFactors) -> MfaStatusOut:
    p = ctx.principal
    account = Account(p.user_id, p.tenant_id, p.tenant_path, p.username, via_challenge=False)
    status = await second_factors.status(account, session_verified=p.mfa)
    return MfaStatusOut(
        enrolled=status.enrolled,
        enrolled_at=status.enrolled_at,
        recovery_codes_left=status.recovery_codes_left,
        session_verified=status.session_verified,
    )


ROUTES = [login_mfa, enroll_mfa, confirm_mfa, renew_recovery_codes, mfa_status]
