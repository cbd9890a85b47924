"""Dues after a transfer across tenants: the months paid in the old tenant stay booked
there, and the receiving tenant bills from the month after the letter's 党费交至."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from domain.dues import add_months, format_month, month_of
from infra.dues import today
from tests.conftest import Api
from tests.integration.transfers.helpers import V1, Place, act, ok, staff, start

CURRENT = month_of(today())
PAID_THERE, FIRST_HERE = (
    format_month(add_months(CURRENT, -2)),
    format_month(add_months(CURRENT, -1)),
)


async def _declare_base(admin: Api, checker: Api, member: str) -> None:
    declared = ok(
        await admin.post(
            f"{V1}/dues/bases",
            json={
                "member_id": member,
                "category": "employed",
                "income_kind": "salary",
                "monthly_income_fen": 600_000,
                "effective_from": format_month(add_months(CURRENT, -5)),
            },
        ),
        201,
    )
    ok(await checker.post(f"{V1}/dues/bases/{declared['id']}/approve"))


async def _bill_run(admin: Api, month: str) -> dict[str, Any]:
    job = ok(await admin.post(f"{V1}/dues/bill-runs", json={"month": month}), 202)
    for _ in range(600):
        job = ok(await admin.get(f"{V1}/jobs/{job['id']}"))
        if job["status"] in ("succeeded", "failed"):
            break
        await asyncio.sleep(0.1)
    assert job["status"] == "succeeded", job
    return job


async def test_the_receiving_tenant_bills_after_the_carried_paid_to_month(
    http: httpx.AsyncClient, futian_place: Place, nanshan_place: Place
) -> None:
    sender, receiver = futian_place, nanshan_place
    sending_checker = await staff(http, sender.admin, "org_secretary", sender.committee)
    member = await sender.member()
    await _declare_base(sender.admin, sending_checker, member)
    # Paid there up to PAID_THERE (an approved exemption settles its month in the ledger).
    relief = ok(
        await sender.admin.post(
            f"{V1}/dues/reliefs",
            json={
                "member_id": member,
                "kind": "exemption",
                "from_month": PAID_THERE,
                "to_month": PAID_THERE,
                "reason": "家庭困难，经支部讨论",
            },
        ),
        201,
    )
    ok(await sending_checker.post(f"{V1}/dues/reliefs/{relief['id']}/approve", json={}))
    await _bill_run(sender.admin, PAID_THERE)
    before = ok(await sender.admin.get(f"{V1}/dues/members/{member}/account"))
    assert before["paid_to"] == PAID_THERE

    started = await start(sender.admin, member, receiver, kind="across_tenants")
    ok(await act(sender.admin, started["id"], "approve"))
    letter = ok(await receiver.admin.get(f"{V1}/transfers/{started['id']}/letter"))
    assert letter["paid_to_month"] == PAID_THERE
    arrived = ok(await act(receiver.admin, started["id"], "accept"))["member_id"]

    # In the acceptance's own transaction: the member arrives with their dues standing, and
    # the receiving tenant's audit trail says so.
    account = ok(await receiver.admin.get(f"{V1}/dues/members/{arrived}/account"))
    assert account["paid_to"] == PAID_THERE
    carried = ok(
        await receiver.admin.get(
            f"{V1}/audit-events", params={"action": "dues.paid_to_carried_in", "limit": 200}
        )
    )
    assert arrived in [e["resource_id"] for e in carried["items"]]
    receiving_checker = await staff(http, receiver.admin, "org_secretary", receiver.committee)
    await _declare_base(receiver.admin, receiving_checker, arrived)
    skipped = await _bill_run(receiver.admin, PAID_THERE)
    assert skipped["result"]["skipped"].get("paid_before_transfer", 0) >= 1
    await _bill_run(receiver.admin, FIRST_HERE)
    bills = ok(await receiver.admin.get(f"{V1}/dues/bills", params={"member_id": arrived}))
    assert [b["month"] for b in bills["items"]] == [FIRST_HERE]
    # The old tenant's ledger keeps what was paid there, unchanged.
    after = ok(await sender.admin.get(f"{V1}/dues/members/{member}/account"))
    assert after["paid_to"] == PAID_THERE
