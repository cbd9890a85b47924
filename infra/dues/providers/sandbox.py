"""The `sandbox` payment provider: a provider that behaves like WeChat Pay API v3 on one
machine, so the whole payment flow runs in tests and demos without a merchant account.

`SandboxPlatform` is the provider's side (its platform key and certificate serial, its
orders, the member paying, the signed and encrypted notifications it sends); the dues
context talks to it only through `SandboxProvider`, the adapter behind the payment port,
which verifies notifications as a WeChat adapter would.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from cryptography.hazmat.primitives.asymmetric import rsa

from domain.dues import (
    CURRENCY,
    Notification,
    PaymentOrder,
    PaymentParams,
    TradeState,
    Transaction,
)
from domain.dues.reconciliation import StatementRow, statement_csv
from infra.dues.providers.wechatpay_v3 import (
    NONCE,
    SERIAL,
    SIGNATURE,
    TIMESTAMP,
    Verifier,
    encrypt_resource,
    sign,
)

NAME = "sandbox"
SHANGHAI = ZoneInfo("Asia/Shanghai")


@dataclass
class _Order:
    order: PaymentOrder
    state: TradeState = TradeState.NOTPAY
    transaction_id: str | None = None
    success_time: datetime | None = None
    refunds: dict[str, int] = field(default_factory=dict)
    notification_id: str = field(default_factory=lambda: secrets.token_hex(16))


class SandboxPlatform:
    """The sandbox provider's own side, as a real provider runs it."""

    def __init__(
        self,
        api_v3_key: bytes,
        *,
        serial: str = "SANDBOX-PLATFORM-1",
        key: rsa.RSAPrivateKey | None = None,
    ) -> None:
        self.api_v3_key = api_v3_key
        self.serial = serial
        self.key = key or rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.orders: dict[str, _Order] = {}

    def certificates(self) -> dict[str, rsa.RSAPublicKey]:
        """The platform certificates a merchant downloads, by serial."""
        return {self.serial: self.key.public_key()}

    def create(self, order: PaymentOrder) -> PaymentParams:
        """A prepay order; asking again for the same order number returns the same one."""
        known = self.orders.setdefault(order.out_trade_no, _Order(order))
        prepay_id = f"sbx_prepay_{known.order.out_trade_no}"
        return PaymentParams(
            provider=NAME,
            out_trade_no=order.out_trade_no,
            prepay_id=prepay_id,
            params={"package": f"prepay_id={prepay_id}", "signType": "RSA"},
        )

    def pay(self, out_trade_no: str, *, now: datetime) -> Transaction:
        """The member pays (once: a paid order stays as it was)."""
        known = self.orders[out_trade_no]
        if known.state is TradeState.NOTPAY:
            known.state = TradeState.SUCCESS
            known.transaction_id = "sbx_" + secrets.token_hex(12)
            known.success_time = now
        return self._transaction(known)

    def close(self, out_trade_no: str) -> None:
        known = self.orders.get(out_trade_no)
        if known is not None and known.state is TradeState.NOTPAY:
            known.state = TradeState.CLOSED

    def query(self, out_trade_no: str) -> Transaction | None:
        known = self.orders.get(out_trade_no)
        return self._transaction(known) if known else None

    def refund(self, out_trade_no: str, out_refund_no: str, amount_fen: int) -> None:
        """Give back part of a paid order; the same refund number again changes nothing."""
        known = self.orders[out_trade_no]
        if known.state is not TradeState.SUCCESS:
            raise ValueError(f"order {out_trade_no} is not paid")
        if out_refund_no not in known.refunds:
            if sum(known.refunds.values()) + amount_fen > known.order.amount_fen:
                raise ValueError(f"refunds of {out_trade_no} exceed what was paid")
            known.refunds[out_refund_no] = amount_fen

    def statement(self, day: date) -> str:
        """The day's trade bill (Beijing days), as WeChat Pay publishes it."""
        rows = [
            StatementRow(
                paid_at=known.success_time.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S"),
                transaction_id=known.transaction_id or "",
                out_trade_no=known.order.out_trade_no,
                trade_state=known.state.value,
                currency=known.order.currency,
                amount_fen=known.order.amount_fen,
                attach=known.order.attach,
            )
            for known in self.orders.values()
            if known.success_time is not None
            and known.success_time.astimezone(SHANGHAI).date() == day
        ]
        return statement_csv(rows)

    def notification(
        self, out_trade_no: str, *, now: datetime, nonce: str | None = None
    ) -> tuple[dict[str, str], bytes]:
        """The signed callback for an order, as headers and body; every retry of it carries
        the same notification id, with a fresh timestamp, nonce and signature."""
        known = self.orders[out_trade_no]
        resource = {
            "out_trade_no": known.order.out_trade_no,
            "attach": known.order.attach,
            "transaction_id": known.transaction_id,
            "trade_state": known.state.value,
            "success_time": known.success_time.isoformat() if known.success_time else None,
            "amount": {"total": known.order.amount_fen, "currency": known.order.currency},
        }
        body = json.dumps(
            {
                "id": known.notification_id,
                "create_time": now.isoformat(),
                "event_type": "TRANSACTION." + known.state.value,
                "resource_type": "encrypt-resource",
                "resource": encrypt_resource(
                    self.api_v3_key, json.dumps(resource).encode(), "transaction"
                ),
            },
            separators=(",", ":"),
        ).encode()
        timestamp = str(int(now.timestamp()))
        nonce = nonce or secrets.token_hex(16)
        headers = {
            SERIAL: self.serial,
            TIMESTAMP: timestamp,
            NONCE: nonce,
            SIGNATURE: sign(self.key, timestamp, nonce, body),
        }
        return headers, body

    @staticmethod
    def _transaction(known: _Order) -> Transaction:
        return Transaction(
            out_trade_no=known.order.out_trade_no,
            transaction_id=known.transaction_id,
            trade_state=known.state,
            amount_fen=known.order.amount_fen,
            currency=known.order.currency or CURRENCY,
            success_time=known.success_time,
            attach=known.order.attach,
        )


class SandboxProvider:
    """The adapter behind the payment port (`domain.dues.PaymentProvider`)."""

    name = NAME

    def __init__(self, platform: SandboxPlatform) -> None:
        self.platform = platform
        self.verifier = Verifier(platform.certificates(), platform.api_v3_key)

    async def create(self, order: PaymentOrder) -> PaymentParams:
        return self.platform.create(order)

    async def query(self, out_trade_no: str) -> Transaction | None:
        return self.platform.query(out_trade_no)

    async def close(self, out_trade_no: str) -> None:
        self.platform.close(out_trade_no)

    async def refund(self, out_trade_no: str, out_refund_no: str, amount_fen: int) -> None:
        self.platform.refund(out_trade_no, out_refund_no, amount_fen)

    async def statement(self, day: date) -> str:
        return self.platform.statement(day)

    def verify(
        self, headers: Mapping[str, str], body: bytes, now: datetime | None = None
    ) -> Notification:
        return self.verifier.verify(headers, body, now or datetime.now(UTC))
