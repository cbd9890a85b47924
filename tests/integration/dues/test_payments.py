"""Payments end to end with the sandbox provider (issue 15 items 4–5): pay, duplicate and
replayed callbacks, a forged signature, a wrong amount, callbacks out of order, a crash
between the provider's success and our commit, concurrent attempts on one bill, the
order-query fallback, a double payment's credit and refund; receipts in HTML and PDF."""

from __future__ import annotations

import asyncio
import json
import uuid
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import psycopg
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from domain.dues import add_months, format_month, month_of
from domain.dues.reconciliation import parse_statement, statement_csv
from infra.dues import SandboxCallbacks, SandboxPlatform, settlement, today
from infra.dues.providers import sandbox_callbacks
from tests.conftest import Api
from tests.integration.dues.helpers import (
    V1,
    Unit,
    approved_base,
    created,
    member_with_login,
    ok,
    unit,
)
from tests.pdf_text import pdf_text

THIS_MONTH = month_of(today())
MONTHS = [format_month(add_months(THIS_MONTH, -n)) for n in range(4, -1, -1)]


@dataclass
class Payer:
    unit: Unit
    member_id: str
    api: Api
    bills: dict[str, str]  # month → bill id


async def run_bills(api: Api, month: str) -> None:
    r = await api.post(f"{V1}/dues/bill-runs", json={"month": month})
    assert r.status_code == 202, r.text
    job = r.json()
    for _ in range(600):
        job = ok(await api.get(f"{V1}/jobs/{job['id']}"))
        if job["status"] in ("succeeded", "failed"):
            break
        await asyncio.sleep(0.1)
    assert job["status"] == "succeeded", job


async def new_payer(http: httpx.AsyncClient, futian: Api, place: Unit | None = None) -> Payer:
    place = place or await unit(http, futian)
    member_id, api = await member_with_login(http, futian, place.branch)
    await approved_base(place.branch_secretary, place.committee_secretary, member_id, "2019-01")
    return Payer(place, member_id, api, {})


@pytest.fixture(scope="module")
async def payers(http: httpx.AsyncClient, futian: Api) -> list[Payer]:
    """Eight members of one branch, each billed 5,000 fen for each of the last five months."""
    place = await unit(http, futian)
    made = [await new_payer(http, futian, place) for _ in range(8)]
    for month in MONTHS:
        await run_bills(futian, month)
    for payer in made:
        page = ok(await payer.api.get(f"{V1}/dues/bills", params={"member_id": payer.member_id}))
        payer.bills = {b["month"]: b["id"] for b in page["items"]}
        assert set(MONTHS) <= set(payer.bills)
    return made


async def pay(payer: Payer, month: str, key: str | None = None, **body: Any) -> httpx.Response:
    return await payer.api.post(
        f"{V1}/dues/bills/{payer.bills[month]}/payments",
        json=body,
        headers={"Idempotency-Key": key or uuid.uuid4().hex},
    )


async def payment(payer: Payer, payment_id: str) -> dict[str, Any]:
    return ok(await payer.api.get(f"{V1}/dues/payments/{payment_id}"))


async def settled(payer: Payer, payment_id: str, status: str = "paid") -> dict[str, Any]:
    for _ in range(300):
        body = await payment(payer, payment_id)
        if body["status"] == status:
            return body
        await asyncio.sleep(0.05)
    raise AssertionError(f"payment {payment_id} never became {status}: {body}")


def ledger(db: psycopg.Connection[Any], bill_id: str) -> list[tuple[str, int]]:
    rows = db.execute(
        "SELECT kind, amount_fen FROM dues_ledger_entry WHERE bill_id = %s ORDER BY recorded_at",
        (bill_id,),
    ).fetchall()
    return [(k, int(a)) for k, a in rows]


def receipts(db: psycopg.Connection[Any], bill_id: str) -> int:
    row = db.execute("SELECT count(*) FROM dues_receipt WHERE bill_id = %s", (bill_id,)).fetchone()
    assert row is not None
    return int(row[0])


def notifications(db: psycopg.Connection[Any], out_trade_no: str) -> list[str | None]:
    rows = db.execute(
        "SELECT outcome FROM dues_payment_notification WHERE out_trade_no = %s",
        (out_trade_no,),
    ).fetchall()
    return [r[0] for r in rows]


async def test_a_payment_settles_once_with_a_receipt(
    payers: list[Payer], sandbox: SandboxCallbacks, admin_db: psycopg.Connection[Any]
) -> None:
    payer, month = payers[0], MONTHS[-1]
    first = await pay(payer, month, key="pay-once")
    assert first.status_code == 201, first.text
    body = first.json()
    assert (body["status"], body["amount_fen"], body["currency"]) == ("pending", 5_000, "CNY")
    assert body["prepay"]["package"] == f"prepay_id={body['prepay']['prepay_id']}"
    again = await pay(payer, month, key="pay-once")
    assert again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == body

    attempts = await sandbox.pay(body["out_trade_no"], twice=True)
    assert attempts == 1
    paid = await settled(payer, body["id"])
    assert paid["transaction_id"].startswith("sbx_")
    assert paid["bills"] == [
        {"bill_id": payer.bills[month], "month": month, "amount_fen": 5_000, "settled": True}
    ]
    # Called twice, and the notification replayed once more: applied once.
    assert await sandbox.deliver(body["out_trade_no"]) == 204
    assert notifications(admin_db, body["out_trade_no"]) == ["settled"]
    assert ledger(admin_db, payer.bills[month]) == [("charge", 5_000), ("payment", -5_000)]
    assert receipts(admin_db, payer.bills[month]) == 1
    bill = ok(await payer.api.get(f"{V1}/dues/bills", params={"month": month}))["items"]
    assert [b["status"] for b in bill] == ["paid"]

    receipt = ok(await payer.api.get(f"{V1}/dues/bills/{payer.bills[month]}/receipt"))
    assert receipt["number"].startswith(f"DF{datetime.now(UTC).year}-")
    assert (receipt["amount_fen"], receipt["amount_in_words"]) == (5_000, "人民币伍拾元整")
    page = await payer.api.get(f"{V1}/dues/bills/{payer.bills[month]}/receipt.html")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "党费收据" in page.text
    assert receipt["number"] in page.text
    pdf = await payer.api.get(f"{V1}/dues/bills/{payer.bills[month]}/receipt.pdf")
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")
    assert b"STSong-Light" in pdf.content
    text = pdf_text(pdf.content)
    assert "党 费 收 据" in text
    assert receipt["number"] in text
    assert "人民币伍拾元整" in text
    secretary = await payer.unit.branch_secretary.get(
        f"{V1}/dues/bills/{payer.bills[month]}/receipt"
    )
    assert secretary.json()["number"] == receipt["number"]
    other = await payers[1].api.get(f"{V1}/dues/bills/{payer.bills[month]}/receipt")
    assert other.status_code == 404


async def test_a_bill_in_flight_is_frozen_and_concurrent_attempts_charge_once(
    payers: list[Payer], sandbox: SandboxCallbacks, admin_db: psycopg.Connection[Any]
) -> None:
    payer, month = payers[1], MONTHS[-1]
    answers = await asyncio.gather(*(pay(payer, month) for _ in range(4)))
    codes = sorted(r.status_code for r in answers)
    assert codes == [201, 409, 409, 409], [r.text for r in answers]
    [won] = [r.json() for r in answers if r.status_code == 201]
    refused = [r.json() for r in answers if r.status_code == 409]
    assert {r["code"] for r in refused} == {"dues_payment_in_flight"}
    assert all(won["id"] in r["detail"] for r in refused)
    await sandbox.pay(won["out_trade_no"])
    await settled(payer, won["id"])
    after = await pay(payer, month)
    assert after.status_code == 409
    assert after.json()["code"] == "dues_bill_not_payable"
    assert ledger(admin_db, payer.bills[month]) == [("charge", 5_000), ("payment", -5_000)]


async def test_forged_tampered_and_replayed_callbacks_change_nothing(
    payers: list[Payer],
    sandbox: SandboxCallbacks,
    http: httpx.AsyncClient,
    admin_db: psycopg.Connection[Any],
) -> None:
    payer, month = payers[2], MONTHS[-1]
    body = created(await pay(payer, month))
    known = await sandbox.platform.order(body["out_trade_no"])
    assert known is not None
    order = known.order
    forger = SandboxPlatform(
        sandbox.platform.api_v3_key,
        sandbox.platform.conninfo,
        serial=sandbox.platform.serial,
        key=rsa.generate_private_key(public_exponent=65537, key_size=2048),
    )
    await forger.open()
    headers, forged = await forger.notification(order.out_trade_no, now=datetime.now(UTC))
    await forger.stop()
    r = await http.post(sandbox_callbacks.PATH, content=forged, headers=headers)
    assert (r.status_code, r.json()["code"]) == (403, "payment_signature_invalid")

    await sandbox.platform.pay(order.out_trade_no, now=datetime.now(UTC))
    headers, genuine = await sandbox.platform.notification(
        order.out_trade_no, now=datetime.now(UTC)
    )
    envelope = json.loads(genuine)
    envelope["create_time"] = "2020-01-01T00:00:00+08:00"
    r = await http.post(sandbox_callbacks.PATH, content=json.dumps(envelope), headers=headers)
    assert (r.status_code, r.json()["code"]) == (403, "payment_signature_invalid")
    late = datetime.now(UTC) - timedelta(minutes=10)
    headers, stale = await sandbox.platform.notification(order.out_trade_no, now=late)
    r = await http.post(sandbox_callbacks.PATH, content=stale, headers=headers)
    assert (r.status_code, r.json()["code"]) == (403, "payment_callback_stale")
    assert notifications(admin_db, order.out_trade_no) == []
    # The order-query fallback may settle it now: the provider says it was paid.
    await settled(payer, body["id"])
    assert ledger(admin_db, payer.bills[month]) == [("charge", 5_000), ("payment", -5_000)]


async def test_an_authentic_notification_for_another_amount_settles_nothing(
    payers: list[Payer],
    sandbox: SandboxCallbacks,
    http: httpx.AsyncClient,
    admin_db: psycopg.Connection[Any],
) -> None:
    payer, month = payers[3], MONTHS[-1]
    body = created(await pay(payer, month))
    admin_db.execute(  # the provider's side charged another amount
        "UPDATE sandbox_order SET amount_fen = 1 WHERE out_trade_no = %s", (body["out_trade_no"],)
    )
    now = datetime.now(UTC)
    await sandbox.platform.pay(body["out_trade_no"], now=now)
    headers, note = await sandbox.platform.notification(body["out_trade_no"], now=now)
    r = await http.post(sandbox_callbacks.PATH, content=note, headers=headers)
    assert (r.status_code, r.json()["code"]) == (409, "payment_mismatch")
    r = await http.post(sandbox_callbacks.PATH, content=note, headers=headers)
    assert r.status_code == 409
    assert notifications(admin_db, body["out_trade_no"]) == ["mismatch"]
    await asyncio.sleep(1.5)  # the order queries see the same amount, and settle nothing
    assert (await payment(payer, body["id"]))["status"] == "pending"
    assert ledger(admin_db, payer.bills[month]) == [("charge", 5_000)]


async def test_callbacks_out_of_order_and_late_each_settle_their_own_months(
    payers: list[Payer], sandbox: SandboxCallbacks, admin_db: psycopg.Connection[Any]
) -> None:
    payer = payers[4]
    early = created(await pay(payer, MONTHS[0], months=2))
    late = created(await pay(payer, MONTHS[2], months=3))
    assert [b["month"] for b in late["bills"]] == MONTHS[2:]
    assert late["amount_fen"] == 15_000
    for body in (early, late):
        await sandbox.platform.pay(body["out_trade_no"], now=datetime.now(UTC))
    assert await sandbox.deliver(late["out_trade_no"]) == 204
    assert await sandbox.deliver(early["out_trade_no"]) == 204
    assert await sandbox.deliver(late["out_trade_no"]) == 204
    for body in (early, late):
        await settled(payer, body["id"])
    account = ok(await payer.api.get(f"{V1}/dues/members/{payer.member_id}/account"))
    assert (account["paid_to"], account["balance_fen"]) == (MONTHS[-1], 0)
    for month in MONTHS:
        assert receipts(admin_db, payer.bills[month]) == 1


async def test_a_crash_before_our_commit_is_settled_by_the_retried_callback(
    payers: list[Payer],
    sandbox: SandboxCallbacks,
    admin_db: psycopg.Connection[Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    payer, month = payers[5], MONTHS[-1]
    body = created(await pay(payer, month))
    real_emit = settlement.emit
    crashes = []

    def crash_once(*args: Any, **kwargs: Any) -> None:
        if not crashes:
            crashes.append(1)
            raise ConnectionResetError("the worker died before its commit")
        real_emit(*args, **kwargs)

    monkeypatch.setattr(settlement, "emit", crash_once)
    attempts = await sandbox.pay(body["out_trade_no"])
    assert crashes == [1]
    assert attempts >= 1
    await settled(payer, body["id"])
    assert ledger(admin_db, payer.bills[month]) == [("charge", 5_000), ("payment", -5_000)]
    assert receipts(admin_db, payer.bills[month]) == 1
    assert notifications(admin_db, body["out_trade_no"]) in (["settled"], ["duplicate"], [None])


async def test_the_order_query_settles_a_payment_no_notification_reached(
    payers: list[Payer], sandbox: SandboxCallbacks, admin_db: psycopg.Connection[Any]
) -> None:
    payer, month = payers[6], MONTHS[-1]
    body = created(await pay(payer, month))
    await sandbox.platform.pay(body["out_trade_no"], now=datetime.now(UTC))
    paid = await settled(payer, body["id"])
    assert paid["bills"][0]["settled"] is True
    assert notifications(admin_db, body["out_trade_no"]) == []
    assert ledger(admin_db, payer.bills[month]) == [("charge", 5_000), ("payment", -5_000)]


async def test_a_double_payment_becomes_a_credit_and_is_refunded(
    payers: list[Payer], sandbox: SandboxCallbacks, admin_db: psycopg.Connection[Any]
) -> None:
    payer, month = payers[7], MONTHS[-1]
    bill = payer.bills[month]
    first = created(await pay(payer, month))
    # Our side closed the first order (expired) while the member was paying it after all.
    admin_db.execute(
        "UPDATE dues_payment SET status = 'closed', closed_at = now() WHERE id = %s",
        (first["id"],),
    )
    admin_db.execute("DELETE FROM dues_bill_hold WHERE payment_id = %s", (first["id"],))
    second = created(await pay(payer, month))
    await sandbox.pay(second["out_trade_no"])
    await settled(payer, second["id"])
    await sandbox.pay(first["out_trade_no"])
    late = await settled(payer, first["id"])
    assert (late["credit_fen"], late["refunded_fen"]) == (5_000, 0)
    assert late["bills"][0]["settled"] is False
    assert receipts(admin_db, bill) == 1
    assert ledger(admin_db, bill) == [("charge", 5_000), ("payment", -5_000), ("payment", -5_000)]
    account = ok(await payer.api.get(f"{V1}/dues/members/{payer.member_id}/account"))
    assert (
        account["balance_fen"] == sum(5_000 for m in MONTHS[:-1]) - 5_000
    )  # the credit stands against the open months

    refused = await payer.api.post(
        f"{V1}/dues/payments/{first['id']}/refund", headers={"Idempotency-Key": "r1"}
    )
    assert refused.status_code == 403, refused.text
    refund = await payer.unit.branch_secretary.post(
        f"{V1}/dues/payments/{first['id']}/refund", headers={"Idempotency-Key": "r1"}
    )
    assert refund.status_code == 200, refund.text
    assert refund.json()["refunded_fen"] == 5_000
    again = await payer.unit.branch_secretary.post(
        f"{V1}/dues/payments/{first['id']}/refund", headers={"Idempotency-Key": "r2"}
    )
    assert (again.status_code, again.json()["code"]) == (409, "dues_credit_none")
    assert ledger(admin_db, bill)[-1] == ("refund", 5_000)
    assert sum(a for _, a in ledger(admin_db, bill)) == 0


async def test_payments_need_an_idempotency_key_and_the_members_own_bill(
    payers: list[Payer],
) -> None:
    payer, month = payers[0], MONTHS[0]
    r = await payer.api.post(f"{V1}/dues/bills/{payer.bills[month]}/payments", json={})
    assert r.status_code == 400, r.text
    r = await payer.unit.branch_secretary.post(
        f"{V1}/dues/bills/{payer.bills[month]}/payments",
        json={},
        headers={"Idempotency-Key": "secretary-pays"},
    )
    assert (r.status_code, r.json()["code"]) == (403, "dues_pay_own")
    r = await pay(payer, month, months=13)
    assert r.status_code == 400, r.text
    r = await pay(payers[1], MONTHS[0], months=6)  # beyond this month, unless the branch allows
    assert (r.status_code, r.json()["code"]) == (409, "dues_prepay_too_far")


async def test_reconciliation_lists_every_difference_and_corrects_nothing(
    payers: list[Payer],
    sandbox: SandboxCallbacks,
    futian: Api,
    admin_db: psycopg.Connection[Any],
) -> None:
    day = datetime.now(ZoneInfo("Asia/Shanghai")).date()
    payer = payers[4]
    mine = admin_db.execute(
        "SELECT out_trade_no FROM dues_payment WHERE member_id = %s AND status = 'paid'"
        " ORDER BY created_at",
        (payer.member_id,),
    ).fetchall()
    early, late = (r[0] for r in mine)
    rows = parse_statement(await sandbox.platform.statement(day))
    by_order = {r.out_trade_no: r for r in rows}
    extra = replace(by_order[late], transaction_id="sbx_extra_1", out_trade_no="f" * 32)
    generated = [r for r in rows if r.out_trade_no not in (early, late)]
    generated += [replace(by_order[late], amount_fen=by_order[late].amount_fen + 1), extra]
    entries = admin_db.execute("SELECT count(*) FROM dues_ledger_entry").fetchone()

    refused = await payer.unit.branch_secretary.post(
        f"{V1}/dues/reconciliations",
        json={"day": day.isoformat(), "statement": statement_csv(generated)},
    )
    assert refused.status_code == 403, refused.text
    made = created(
        await futian.post(
            f"{V1}/dues/reconciliations",
            json={"day": day.isoformat(), "statement": statement_csv(generated)},
        )
    )
    found = {(i["kind"], i["out_trade_no"]): i for i in made["items"]}
    missing = found[("missing_in_statement", early)]
    assert missing["ledger_fen"] == 10_000
    assert missing["statement_fen"] is None
    mismatch = found[("amount_mismatch", late)]
    assert (mismatch["statement_fen"], mismatch["ledger_fen"]) == (15_001, 15_000)
    assert ("missing_in_ledger", "f" * 32) in found
    double = admin_db.execute(
        "SELECT out_trade_no FROM dues_payment WHERE member_id = %s AND credit_fen > 0",
        (payers[7].member_id,),
    ).fetchone()
    assert double is not None
    assert ("duplicate", double[0]) in found
    assert made["differences"] == len(made["items"])
    assert made["matched"] >= 1

    resolved = ok(
        await futian.post(
            f"{V1}/dues/reconciliations/{made['id']}/items/{mismatch['id']}/resolve",
            json={"note": "渠道确认金额为 150.00 元，账单有误"},
        )
    )
    [item] = [i for i in resolved["items"] if i["id"] == mismatch["id"]]
    assert item["resolution"] == "渠道确认金额为 150.00 元，账单有误"
    assert item["resolved_at"] is not None
    again = await futian.post(
        f"{V1}/dues/reconciliations/{made['id']}/items/{mismatch['id']}/resolve",
        json={"note": "再次处理"},
    )
    assert (again.status_code, again.json()["code"]) == (409, "dues_difference_resolved")
    assert admin_db.execute("SELECT count(*) FROM dues_ledger_entry").fetchone() == entries
    listed = ok(await futian.get(f"{V1}/dues/reconciliations", params={"limit": "200"}))
    assert made["id"] in {r["id"] for r in listed["items"]}

    downloaded = created(await futian.post(f"{V1}/dues/reconciliations", json={"day": str(day)}))
    assert downloaded["statement_rows"] >= 2
    assert ("missing_in_ledger", "f" * 32) not in {
        (i["kind"], i["out_trade_no"]) for i in downloaded["items"]
    }
