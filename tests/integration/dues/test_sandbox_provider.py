"""The payment port's sandbox provider (issue 15 item 4, first part): notifications signed
like WeChat Pay API v3 verify; forged, tampered, replayed-late, unknown-serial and
undecryptable ones are refused; an authentic notification for another amount settles
nothing; order queries and closing."""

from __future__ import annotations

import json
import secrets
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from domain.dues import PaymentOrder, TradeState, check_settles
from domain.shared import DomainError
from infra.db.bootstrap import conninfo_of
from infra.dues import SandboxPlatform, SandboxProvider
from infra.settings import Settings

NOW = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)
KEY = secrets.token_bytes(32)
ORDER = PaymentOrder(
    out_trade_no=secrets.token_hex(16), amount_fen=5_000, description="2026年12月党费"
)


@pytest.fixture(scope="module")
async def platform(settings: Settings) -> AsyncIterator[SandboxPlatform]:
    made = SandboxPlatform(KEY, conninfo_of(settings.app_database_url or ""))
    await made.open()
    yield made
    await made.stop()


async def another(
    platform: SandboxPlatform, api_v3_key: bytes, key: rsa.RSAPrivateKey
) -> SandboxPlatform:
    """A platform of the same serial over the same orders with other keys (a forger's)."""
    made = SandboxPlatform(api_v3_key, platform.conninfo, serial=platform.serial, key=key)
    await made.open()
    return made


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def provider(platform: SandboxPlatform) -> SandboxProvider:
    return SandboxProvider(platform)


def refused(
    provider: SandboxProvider, headers: dict[str, str], body: bytes, now: datetime = NOW
) -> str:
    with pytest.raises(DomainError) as caught:
        provider.verify(headers, body, now)
    return caught.value.code


async def test_a_paid_order_notifies_and_settles(
    platform: SandboxPlatform, provider: SandboxProvider
) -> None:
    params = await provider.create(ORDER)
    assert params.params["package"] == f"prepay_id={params.prepay_id}"
    unpaid = await provider.query(ORDER.out_trade_no)
    assert unpaid is not None
    assert unpaid.trade_state is TradeState.NOTPAY
    await platform.pay(ORDER.out_trade_no, now=NOW)
    headers, body = await platform.notification(ORDER.out_trade_no, now=NOW + timedelta(seconds=2))
    note = provider.verify(headers, body, NOW + timedelta(seconds=30))
    assert note.event_type == "TRANSACTION.SUCCESS"
    assert note.transaction.trade_state is TradeState.SUCCESS
    assert (note.transaction.amount_fen, note.transaction.currency) == (5_000, "CNY")
    assert note.transaction.transaction_id
    check_settles(ORDER, note.transaction)
    assert '"total"' not in body.decode()  # the amount travels encrypted


async def test_a_tampered_body_or_a_forged_signature_is_refused(
    platform: SandboxPlatform, provider: SandboxProvider
) -> None:
    await provider.create(ORDER)
    await platform.pay(ORDER.out_trade_no, now=NOW)
    headers, body = await platform.notification(ORDER.out_trade_no, now=NOW)
    envelope = json.loads(body)
    envelope["event_type"] = "TRANSACTION.REFUND"
    assert refused(provider, headers, json.dumps(envelope).encode()) == "payment_signature_invalid"
    forger = await another(platform, KEY, new_key())
    forged_headers, forged_body = await forger.notification(ORDER.out_trade_no, now=NOW)
    await forger.stop()
    assert refused(provider, forged_headers, forged_body) == "payment_signature_invalid"
    garbage = {**headers, "Wechatpay-Signature": "not base64!"}
    assert refused(provider, garbage, body) == "payment_signature_invalid"


async def test_unknown_serials_and_stale_timestamps_are_refused(
    platform: SandboxPlatform, provider: SandboxProvider
) -> None:
    await provider.create(ORDER)
    headers, body = await platform.notification(ORDER.out_trade_no, now=NOW)
    assert refused(provider, {**headers, "Wechatpay-Serial": "OTHER"}, body) == (
        "payment_serial_unknown"
    )
    assert refused(provider, headers, body, NOW + timedelta(minutes=6)) == "payment_callback_stale"
    assert refused(provider, headers, body, NOW - timedelta(minutes=6)) == "payment_callback_stale"
    # Header names are case-insensitive, as HTTP says.
    lowered = {k.lower(): v for k, v in headers.items()}
    assert provider.verify(lowered, body, NOW).transaction.out_trade_no == ORDER.out_trade_no


async def test_a_resource_under_another_key_is_refused(platform: SandboxPlatform) -> None:
    other_key = await another(platform, secrets.token_bytes(32), platform.key)
    await other_key.create(ORDER)
    headers, body = await other_key.notification(ORDER.out_trade_no, now=NOW)
    await other_key.stop()
    assert refused(SandboxProvider(platform), headers, body) == "payment_resource_invalid"


async def test_an_authentic_notification_for_another_amount_settles_nothing(
    platform: SandboxPlatform, provider: SandboxProvider
) -> None:
    cheaper = PaymentOrder(out_trade_no=secrets.token_hex(16), amount_fen=1, description="党费")
    await provider.create(cheaper)
    await platform.pay(cheaper.out_trade_no, now=NOW)
    headers, body = await platform.notification(cheaper.out_trade_no, now=NOW)
    note = provider.verify(headers, body, NOW)
    bill = PaymentOrder(out_trade_no=cheaper.out_trade_no, amount_fen=5_000, description="党费")
    with pytest.raises(DomainError) as caught:
        check_settles(bill, note.transaction)
    assert caught.value.code == "payment_mismatch"
    assert "amount_fen" in caught.value.message.en
    with pytest.raises(DomainError):
        check_settles(
            PaymentOrder(out_trade_no="OTHER", amount_fen=1, description="党费"), note.transaction
        )


async def test_an_unpaid_order_closes(platform: SandboxPlatform, provider: SandboxProvider) -> None:
    order = PaymentOrder(out_trade_no=secrets.token_hex(16), amount_fen=20, description="党费")
    await provider.create(order)
    await provider.close(order.out_trade_no)
    closed = await provider.query(order.out_trade_no)
    assert closed is not None
    assert closed.trade_state is TradeState.CLOSED
    assert (await platform.pay(order.out_trade_no, now=NOW)).trade_state is TradeState.CLOSED
    assert await provider.query("NEVER-MADE") is None
