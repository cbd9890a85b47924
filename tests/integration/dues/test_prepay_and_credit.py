"""Paying ahead, and a credit until its refund (issue 15 items 3 and the monthly close):
months beyond the last bill are billed on demand within the months the branch allows,
and the monthly run bills them no more; a double payment's credit counts as collected in
the summary and at the close, and its refund, once the month is closed, is booked in the
current month, leaving the closed month's figures as they were closed."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, time
from typing import Any

import httpx
import psycopg
import pytest

from domain.dues import add_months, format_month, month_of
from domain.tenancy import PLATFORM_PATH
from infra.db.bootstrap import DatabaseUrls
from infra.db.session import Actor, Database, Scope
from infra.dues import SandboxCallbacks, generate_bills, refund_credit, today
from infra.dues.settlement import order_of
from tests.conftest import Api, login, unique
from tests.integration.dues.helpers import (
    PASSWORD,
    V1,
    Unit,
    approved_base,
    bill_months,
    created,
    member_with_login,
    ok,
    unit,
)
from tests.integration.dues.helpers import pay as pay_directly
from tests.integration.dues.test_payment_properties import AllowAll
from tests.integration.dues.test_payments import Payer, pay, settled

THIS_MONTH = month_of(today())
NOW = format_month(THIS_MONTH)
AHEAD = [format_month(add_months(THIS_MONTH, n)) for n in range(3)]
NEXT_MONTH = datetime.combine(add_months(THIS_MONTH, 1), time(12), tzinfo=UTC)


@dataclass
class County:
    tenant_id: str
    admin: Api
    admin_user: str
    unit: Unit
    ahead: Payer
    twice: Payer


async def _payer(http: httpx.AsyncClient, admin: Api, place: Unit) -> Payer:
    member_id, api = await member_with_login(http, admin, place.branch)
    await approved_base(place.branch_secretary, place.committee_secretary, member_id, "2019-01")
    return Payer(place, member_id, api, {})


async def _bills(payer: Payer) -> dict[str, str]:
    page = ok(await payer.api.get(f"{V1}/dues/bills", params={"member_id": payer.member_id}))
    return {b["month"]: b["id"] for b in page["items"]}


@pytest.fixture(scope="module")
async def county(
    http: httpx.AsyncClient, province: Api, tenant_ids: dict[str, str], db: Database
) -> County:
    """A county of its own: its bill runs and its closed month touch no other test."""
    made = created(
        await province.post(
            f"{V1}/tenants",
            json={"code": "440313", "name": "预交测试区", "parent_id": tenant_ids["440300"]},
        )
    )
    username = unique("prepay")
    user = created(
        await province.post(
            f"{V1}/users",
            json={
                "username": username,
                "display_name": "预交管理员",
                "password": PASSWORD,
                "tenant_id": made["id"],
            },
        )
    )
    created(
        await province.post(
            f"{V1}/role-assignments",
            json={"user_id": user["id"], "role": "tenant_admin", "tenant_id": made["id"]},
        )
    )
    admin = await login(http, username, PASSWORD)
    place = await unit(http, admin)
    ahead, twice = [await _payer(http, admin, place) for _ in range(2)]
    await bill_months(db, made["id"], [THIS_MONTH])
    for payer in (ahead, twice):
        payer.bills = await _bills(payer)
    return County(made["id"], admin, user["id"], place, ahead, twice)


async def summary_month(county: County, month: str) -> dict[str, Any]:
    found = ok(await county.admin.get(f"{V1}/dues/summary", params={"from": month, "to": month}))
    [figures] = found["months"]
    return dict(figures)


async def test_paying_ahead_bills_the_months_on_demand_and_the_run_not_again(
    county: County, province: Api, sandbox: SandboxCallbacks, db: Database
) -> None:
    payer = county.ahead
    r = await pay(payer, NOW, months=3)
    assert (r.status_code, r.json()["code"]) == (409, "dues_prepay_too_far")
    assert await _bills(payer) == payer.bills  # nothing was billed for the refused attempt

    settings = f"{V1}/tenants/{county.tenant_id}"
    ok(await province.patch(settings, json={"settings": {"dues_months_ahead": 2}}))
    try:
        r = await pay(payer, NOW, months=4)
        assert (r.status_code, r.json()["code"]) == (409, "dues_prepay_too_far")
        assert AHEAD[2] in r.json()["detail"]
        body = created(await pay(payer, NOW, months=3))
    finally:
        ok(await province.patch(settings, json={"settings": {}}))
    assert body["amount_fen"] == 15_000
    assert [b["month"] for b in body["bills"]] == AHEAD
    await sandbox.pay(body["out_trade_no"])
    paid = await settled(payer, body["id"])
    assert [b["settled"] for b in paid["bills"]] == [True, True, True]
    account = ok(await payer.api.get(f"{V1}/dues/members/{payer.member_id}/account"))
    assert account["paid_to"] == AHEAD[2]

    tenant = uuid.UUID(county.tenant_id)
    report = await generate_bills(
        db,
        Scope(PLATFORM_PATH),
        Actor(None, "test", tenant, None, None),
        tenant_id=tenant,
        month=add_months(THIS_MONTH, 1),
        now=NEXT_MONTH,
    )
    assert (report["created"], report["existing"]) == (1, 1)  # only the other member's
    bills = await _bills(payer)
    assert sorted(bills) == AHEAD
    payer.bills = bills


async def test_a_credit_counts_as_collected_until_refunded_after_the_close(
    county: County,
    app: Any,
    sandbox: SandboxCallbacks,
    admin_db: psycopg.Connection[Any],
    db: Database,
    database: DatabaseUrls,
) -> None:
    payer = county.twice
    before = await summary_month(county, NOW)
    first = created(await pay(payer, NOW))
    # Our side closed the first order (expired) while the member was paying it after all.
    admin_db.execute(
        "UPDATE dues_payment SET status = 'closed', closed_at = now() WHERE id = %s",
        (first["id"],),
    )
    admin_db.execute("DELETE FROM dues_bill_hold WHERE payment_id = %s", (first["id"],))
    second = created(await pay(payer, NOW))
    await sandbox.pay(second["out_trade_no"])
    await settled(payer, second["id"])
    await sandbox.pay(first["out_trade_no"])
    assert (await settled(payer, first["id"]))["credit_fen"] == 5_000

    figures = await summary_month(county, NOW)
    assert figures["collected_fen"] == before["collected_fen"] + 10_000
    assert figures["due_fen"] == before["due_fen"]

    admin = county.admin
    month = created(await admin.post(f"{V1}/dues/months", json={"month": NOW}))
    created(
        await county.unit.branch_secretary.post(
            f"{V1}/dues/months/{month['id']}/reports",
            json={"organization_id": county.unit.branch},
        )
    )
    closed = ok(await admin.post(f"{V1}/dues/months/{month['id']}/close"))
    assert closed["closed_collected_fen"] == figures["collected_fen"]

    tenant = uuid.UUID(county.tenant_id)
    path = admin_db.execute("SELECT path FROM tenant WHERE id = %s", (tenant,)).fetchone()
    assert path is not None
    async with db.unit_of_work(
        Scope(PLATFORM_PATH), Actor(None, "test", tenant, None, None)
    ) as uow:
        found = await order_of(uow, tenant, "sandbox", first["out_trade_no"])
        assert found is not None
        refunded = await refund_credit(
            uow,
            AllowAll(str(path[0])),
            app.state.payment_providers,
            found.id,
            tenant_id=tenant,
            user_id=uuid.UUID(county.admin_user),
            now=NEXT_MONTH,
        )
    assert refunded.payment.refunded_fen == 5_000
    booked = admin_db.execute(
        "SELECT month FROM dues_ledger_entry WHERE tenant_id = %s AND bill_id = %s"
        " AND kind = 'refund'",
        (tenant, payer.bills[NOW]),
    ).fetchall()
    assert booked == [(add_months(THIS_MONTH, 1),)]
    assert (await summary_month(county, NOW))["collected_fen"] == figures["collected_fen"]
    later = await summary_month(county, AHEAD[1])
    assert later["collected_fen"] == 5_000 - 5_000  # paid ahead that month, less the refund

    # The member's account counts the refund in its bill's month, not the month booked.
    pay_directly(database, (await _bills(payer))[AHEAD[1]])
    account = ok(await payer.api.get(f"{V1}/dues/members/{payer.member_id}/account"))
    assert (account["paid_to"], account["open_months"], account["balance_fen"]) == (
        AHEAD[1],
        [],
        0,
    )
