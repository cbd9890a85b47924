"""The `sandbox` payment provider: a provider that behaves like WeChat Pay API v3 on one
machine, so the whole payment flow runs in tests and demos without a merchant account.

`SandboxPlatform` is the provider's side (its platform key and certificate serial, its
orders, the member paying, the signed and encrypted notifications it sends); the dues
context talks to it only through `SandboxProvider`, the adapter behind the payment port,
which verifies notifications as a WeChat adapter would. The platform keeps its key and
orders in PostgreSQL (`sandbox_platform_key`, `sandbox_order`, migration 0050) on a pool
of its own, outside the merchant's transactions as a real provider is, so every worker
process serves the same provider: an order made in one is paid, notified, queried,
closed or refunded from any other, and every worker verifies the one platform key.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from psycopg import AsyncConnection
from psycopg_pool import AsyncConnectionPool

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


_ORDER = """
SELECT out_trade_no, amount_fen, currency, description, attach, state, transaction_id,
       success_time, refunds, notification_id
FROM sandbox_order WHERE out_trade_no = %s
"""
_LOCK = _ORDER + " FOR UPDATE"
_PAY = """
UPDATE sandbox_order SET state = 'SUCCESS', transaction_id = %s, success_time = %s
WHERE out_trade_no = %s AND state = 'NOTPAY'
RETURNING out_trade_no, amount_fen, currency, description, attach, state, transaction_id,
       success_time, refunds, notification_id
"""
_DAY = """
SELECT out_trade_no, amount_fen, currency, description, attach, state, transaction_id,
       success_time, refunds, notification_id
FROM sandbox_order WHERE success_time >= %s AND success_time < %s ORDER BY success_time
"""


@dataclass(frozen=True, slots=True)
class _Order:
    order: PaymentOrder
    state: TradeState
    transaction_id: str | None
    success_time: datetime | None
    refunds: dict[str, int]
    notification_id: str

    @classmethod
    def of(cls, row: tuple[Any, ...]) -> _Order:
        no, amount, currency, description, attach, state, txn, success, refunds, note = row
        order = PaymentOrder(no, amount, description, currency, attach)
        return cls(order, TradeState(state), txn, success, dict(refunds), note)


class SandboxPlatform:
    """The sandbox provider's own side, as a real provider runs it."""

    def __init__(
        self,
        api_v3_key: bytes,
        conninfo: str,
        *,
        serial: str = "SANDBOX-PLATFORM-1",
        key: rsa.RSAPrivateKey | None = None,
    ) -> None:
        self.api_v3_key = api_v3_key
        self.conninfo = conninfo
        self.serial = serial
        self._key = key
        self._pool: AsyncConnectionPool[AsyncConnection[Any]] = AsyncConnectionPool(
            conninfo, min_size=1, max_size=4, kwargs={"autocommit": True}, open=False
        )

    async def open(self) -> None:
        """Connect, and agree on the platform key with every other worker: the first to
        come stores the one it made, all use the stored one."""
        await self._pool.open()
        if self._key is not None:
            return
        made = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = made.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode()
        async with self._pool.connection() as conn:
            await conn.execute(
                "INSERT INTO sandbox_platform_key (serial, private_key_pem) VALUES (%s, %s)"
                " ON CONFLICT (serial) DO NOTHING",
                (self.serial, pem),
            )
            found = await (
                await conn.execute(
                    "SELECT private_key_pem FROM sandbox_platform_key WHERE serial = %s",
                    (self.serial,),
                )
            ).fetchone()
        assert found is not None
        stored = serialization.load_pem_private_key(found[0].encode(), password=None)
        assert isinstance(stored, rsa.RSAPrivateKey)
        self._key = stored

    async def stop(self) -> None:
        await self._pool.close()

    @property
    def key(self) -> rsa.RSAPrivateKey:
        if self._key is None:
            raise RuntimeError("the sandbox platform is not open")
        return self._key

    def certificates(self) -> dict[str, rsa.RSAPublicKey]:
        """The platform certificates a merchant downloads, by serial."""
        return {self.serial: self.key.public_key()}

    async def _one(self, sql: str, params: tuple[Any, ...]) -> _Order | None:
        async with self._pool.connection() as conn:
            row = await (await conn.execute(sql, params)).fetchone()
        return _Order.of(row) if row else None

    async def order(self, out_trade_no: str) -> _Order | None:
        return await self._one(_ORDER, (out_trade_no,))

    async def _known(self, out_trade_no: str) -> _Order:
        known = await self.order(out_trade_no)
        if known is None:
            raise KeyError(out_trade_no)
        return known

    async def create(self, order: PaymentOrder) -> PaymentParams:
        """A prepay order; asking again for the same order number returns the same one."""
        async with self._pool.connection() as conn:
            await conn.execute(
                "INSERT INTO sandbox_order (out_trade_no, amount_fen, currency, description,"
                " attach, notification_id) VALUES (%s, %s, %s, %s, %s, %s)"
                " ON CONFLICT (out_trade_no) DO NOTHING",
                (
                    order.out_trade_no,
                    order.amount_fen,
                    order.currency,
                    order.description,
                    order.attach,
                    secrets.token_hex(16),
                ),
            )
        prepay_id = f"sbx_prepay_{order.out_trade_no}"
        return PaymentParams(
            provider=NAME,
            out_trade_no=order.out_trade_no,
            prepay_id=prepay_id,
            params={"package": f"prepay_id={prepay_id}", "signType": "RSA"},
        )

    async def pay(self, out_trade_no: str, *, now: datetime) -> Transaction:
        """The member pays (once: a paid order stays as it was)."""
        paid = await self._one(_PAY, ("sbx_" + secrets.token_hex(12), now, out_trade_no))
        return self._transaction(paid or await self._known(out_trade_no))

    async def close(self, out_trade_no: str) -> None:
        async with self._pool.connection() as conn:
            await conn.execute(
                "UPDATE sandbox_order SET state = 'CLOSED'"
                " WHERE out_trade_no = %s AND state = 'NOTPAY'",
                (out_trade_no,),
            )

    async def query(self, out_trade_no: str) -> Transaction | None:
        known = await self.order(out_trade_no)
        return self._transaction(known) if known else None

    async def refund(self, out_trade_no: str, out_refund_no: str, amount_fen: int) -> None:
        """Give back part of a paid order; the same refund number again changes nothing."""
        async with self._pool.connection() as conn, conn.transaction():
            row = await (await conn.execute(_LOCK, (out_trade_no,))).fetchone()
            if row is None:
                raise KeyError(out_trade_no)
            known = _Order.of(row)
            if known.state is not TradeState.SUCCESS:
                raise ValueError(f"order {out_trade_no} is not paid")
            if out_refund_no in known.refunds:
                return
            if sum(known.refunds.values()) + amount_fen > known.order.amount_fen:
                raise ValueError(f"refunds of {out_trade_no} exceed what was paid")
            await conn.execute(
                "UPDATE sandbox_order SET refunds = refunds || jsonb_build_object(%s::text, %s)"
                " WHERE out_trade_no = %s",
                (out_refund_no, amount_fen, out_trade_no),
            )

    async def statement(self, day: date) -> str:
        """The day's trade bill (Beijing days), as WeChat Pay publishes it."""
        async with self._pool.connection() as conn:
            rows = await (
                await conn.execute(
                    _DAY,
                    (
                        datetime.combine(day, time(), SHANGHAI),
                        datetime.combine(day + timedelta(days=1), time(), SHANGHAI),
                    ),
                )
            ).fetchall()
        return statement_csv(
            [
                StatementRow(
                    paid_at=known.success_time.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S"),
                    transaction_id=known.transaction_id or "",
                    out_trade_no=known.order.out_trade_no,
                    trade_state=known.state.value,
                    currency=known.order.currency,
                    amount_fen=known.order.amount_fen,
                    attach=known.order.attach,
                )
                for known in map(_Order.of, rows)
                if known.success_time is not None
            ]
        )

    async def notification(
        self, out_trade_no: str, *, now: datetime, nonce: str | None = None
    ) -> tuple[dict[str, str], bytes]:
        """The signed callback for an order, as headers and body; every retry of it carries
        the same notification id, with a fresh timestamp, nonce and signature."""
        known = await self._known(out_trade_no)
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
        return await self.platform.create(order)

    async def query(self, out_trade_no: str) -> Transaction | None:
        return await self.platform.query(out_trade_no)

    async def close(self, out_trade_no: str) -> None:
        await self.platform.close(out_trade_no)

    async def refund(self, out_trade_no: str, out_refund_no: str, amount_fen: int) -> None:
        await self.platform.refund(out_trade_no, out_refund_no, amount_fen)

    async def statement(self, day: date) -> str:
        return await self.platform.statement(day)

    def verify(
        self, headers: Mapping[str, str], body: bytes, now: datetime | None = None
    ) -> Notification:
        return self.verifier.verify(headers, body, now or datetime.now(UTC))
