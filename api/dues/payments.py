"""Payments (网上缴费): a member pays a bill (or several months) through a provider; the
provider's signed notifications settle it; a double payment's credit is refunded."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from litestar import Request, Response, get, post
from litestar.datastructures import State
from litestar.openapi.spec import Example
from litestar.params import HeaderParameter

from api.context import Ctx
from api.deps import AppSettings, Db, PaymentProviders
from api.dues import payment_schemas as ps
from api.idempotency import idempotent
from api.openapi_common import READ, WRITE, errors
from domain.dues import MESSAGES, format_month
from domain.shared import DomainError, ErrorKind
from infra.dues import (
    StartedPayment,
    payable_bill,
    read_payment,
    receive_notification,
    refund_credit,
    refundable,
    standards_chain,
    start_payment,
)

TAGS = ["Dues"]

IDEMPOTENCY_KEY = HeaderParameter(
    name="Idempotency-Key",
    required=False,
    max_length=200,
    description=(
        "必填（缺少时答复 400 dues_idempotency_key_required）：重放返回第一次的结果，"
        "不会重复下单 Required; replays return the first response"
    ),
    examples=[Example(value="pay-2026-05-7f9c2a52")],
)


def key_required() -> DomainError:
    """Asked once the caller is known to reach the resource (404 and 403 come first)."""
    return MESSAGES.error("dues_idempotency_key_required", ErrorKind.MALFORMED)


def payment_out(started: StartedPayment) -> ps.PaymentOut:
    p = started.payment
    return ps.PaymentOut(
        id=p.id,
        tenant_id=p.tenant_id,
        member_id=p.member_id,
        organization_id=p.organization_id,
        provider=p.provider,  # type: ignore[arg-type]
        out_trade_no=p.out_trade_no,
        amount_fen=p.amount_fen,
        currency=p.currency,  # type: ignore[arg-type]
        status=p.status,  # type: ignore[arg-type]
        transaction_id=p.transaction_id,
        credit_fen=p.credit_fen,
        refunded_fen=p.refunded_fen,
        bills=[
            ps.PaidBillOut(
                bill_id=b.bill_id,
                month=format_month(b.month),
                amount_fen=b.amount_fen,
                settled=b.settled,
            )
            for b in started.bills
        ],
        prepay=ps.PrepayOut(
            prepay_id=str(p.prepay.get("prepay_id", "")),
            package=str(p.prepay.get("package", "")),
            sign_type=str(p.prepay.get("signType", "")),
        ),
        created_at=p.created_at,
        expires_at=p.expires_at,
        settled_at=p.settled_at,
    )


@post(
    "/dues/bills/{bill_id:uuid}/payments",
    summary="网上交纳党费 Pay a bill online",
    description=(
        "党员本人交纳自己的缴费单（不得垫交）：`months` 大于 1 时连同其后未交的月份一并交纳"
        "（补交或按季交纳）；超出已有缴费单的月份按需生成后预交，最多到本月之后租户设置 "
        "`dues_months_ahead` 个月（经支部同意，默认 0 即不预交；超出答复 409 "
        "`dues_prepay_too_far`），以后的月度生成不再重复出单。"
        "返回拉起支付所需的参数；支付结果以渠道的签名通知或订单查询为准。"
        "支付进行中缴费单被冻结，再次发起返回 409 `dues_payment_in_flight`；"
        "订单过期未付则自动关闭，缴费单可重新交纳。必须带 Idempotency-Key。"
    ),
    tags=TAGS,
    operation_id="payDuesBill",
    responses=WRITE,
)
async def pay_dues_bill(
    ctx: Ctx,
    app_settings: AppSettings,
    payment_providers: PaymentProviders,
    bill_id: uuid.UUID,
    data: ps.PaymentIn,
    idempotency_key: Annotated[str | None, IDEMPOTENCY_KEY] = None,
) -> Response[ps.PaymentOut]:
    p = ctx.principal
    provider = payment_providers[data.provider]
    if idempotency_key is None:
        async with ctx.uow() as uow:
            await payable_bill(uow, bill_id, tenant_id=p.tenant_id, user_id=p.user_id)
        raise key_required()

    standards = None
    if data.months > 1:  # months beyond the last bill may be billed: read ahead (Citus)
        async with ctx.uow() as uow:
            standards = await standards_chain(uow, p.tenant_id)

    async def work(uow: Any) -> ps.PaymentOut:
        started = await start_payment(
            uow,
            provider,
            bill_id=bill_id,
            months=data.months,
            tenant_id=p.tenant_id,
            user_id=p.user_id,
            now=datetime.now(UTC),
            expires_in=timedelta(minutes=app_settings.dues_payment_minutes),
            query_scale=app_settings.dues_time_scale,
            standards=standards,
        )
        return payment_out(started)

    return await idempotent(ctx, work, fingerprint_of=data)


@get(
    "/dues/payments/{payment_id:uuid}",
    summary="一笔网上缴费 A payment",
    description="党员本人或有 `dues:read` 权限者可查看：状态、所交的缴费单、重复支付的多交与退回。",
    tags=TAGS,
    operation_id="getDuesPayment",
    responses=READ,
)
async def get_dues_payment(ctx: Ctx, payment_id: uuid.UUID) -> ps.PaymentOut:
    p = ctx.principal
    async with ctx.uow() as uow:
        started = await read_payment(uow, ctx, payment_id, tenant_id=p.tenant_id, user_id=p.user_id)
        return payment_out(started)


@post(
    "/dues/payments/{payment_id:uuid}/refund",
    summary="退还重复支付的多交金额 Refund a double payment's credit",
    description=(
        "一张缴费单被两笔支付结清时，后一笔形成多交金额（credit_fen），不会静默丢弃；"
        "党组织（`dues:write`）决定退还：经支付渠道原路退回，台账记退款分录。"
        "必须带 Idempotency-Key。"
    ),
    tags=TAGS,
    operation_id="refundDuesPayment",
    status_code=200,
    responses=WRITE,
)
async def refund_dues_payment(
    ctx: Ctx,
    payment_providers: PaymentProviders,
    payment_id: uuid.UUID,
    idempotency_key: Annotated[str | None, IDEMPOTENCY_KEY] = None,
) -> Response[ps.PaymentOut]:
    p = ctx.principal
    if idempotency_key is None:
        async with ctx.uow() as uow:
            await refundable(uow, ctx, payment_id, tenant_id=p.tenant_id, user_id=p.user_id)
        raise key_required()

    async def work(uow: Any) -> ps.PaymentOut:
        started = await refund_credit(
            uow,
            ctx,
            payment_providers,
            payment_id,
            tenant_id=p.tenant_id,
            user_id=p.user_id,
            now=datetime.now(UTC),
        )
        return payment_out(started)

    return await idempotent(ctx, work, status_code=200, fingerprint_of=str(payment_id))


@post(
    "/payments/callbacks/sandbox",
    summary="沙箱支付结果通知 Sandbox payment notification",
    description=(
        "支付渠道（沙箱，按微信支付 API v3 的格式）回调：请求头 Wechatpay-Serial、"
        "Wechatpay-Timestamp、Wechatpay-Nonce、Wechatpay-Signature（平台私钥对 "
        "`timestamp\\nnonce\\nbody\\n` 的 RSA-SHA256 签名），请求体 `{id, create_time, "
        "event_type, resource_type, resource: {algorithm, ciphertext, nonce, associated_data}}`，"
        "resource 为 AEAD_AES_256_GCM 加密的交易（订单号、交易号、状态、金额、币种）。"
        "先验签、解密、核对金额币种和订单，任何一项不符都不作变更并记录日志；"
        "通知原文在应用之前单独保存；同一通知重复到达不重复入账。成功返回 204，"
        "渠道收到 2xx 即停止重试。无需登录，按来源地址限流。"
    ),
    tags=TAGS,
    operation_id="sandboxPaymentCallback",
    status_code=204,
    security=[{}],
    responses=errors(400, 403, 409, 429),
)
async def sandbox_payment_callback(
    request: Request[Any, Any, State], db: Db, payment_providers: PaymentProviders
) -> Response[None]:
    body = await request.body()
    outcome = await receive_notification(
        db,
        payment_providers["sandbox"],
        dict(request.headers),
        body,
        now=datetime.now(UTC),
        client_addr=request.client.host if request.client else None,
        request_id=request.scope.get("state", {}).get("request_id"),
    )
    if not outcome.acknowledged:
        raise MESSAGES.error("payment_mismatch", ErrorKind.CONFLICT, fields=outcome.value)
    return Response(content=None, status_code=204)


ROUTES = [pay_dues_bill, get_dues_payment, refund_dues_payment, sandbox_payment_callback]
