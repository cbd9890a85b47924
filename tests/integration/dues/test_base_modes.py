"""The tenant's dues base mode reaches the bills (issue 15 item 2 through item 3): with
`fixed_yearly` a raise declared mid-year waits for January; with `from_month_paid` it
applies from its month (2008 规定 第十条)."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from tests.conftest import Api
from tests.integration.dues.helpers import V1, approved_base, created, member, ok, unit


async def run(api: Api, month: str) -> None:
    job = created_job(await api.post(f"{V1}/dues/bill-runs", json={"month": month}))
    for _ in range(600):
        job = ok(await api.get(f"{V1}/jobs/{job['id']}"))
        if job["status"] in ("succeeded", "failed"):
            break
        await asyncio.sleep(0.1)
    assert job["status"] == "succeeded", job


def created_job(r: httpx.Response) -> dict[str, Any]:
    assert r.status_code == 202, r.text
    return dict(r.json())


async def amount(api: Api, member_id: str, month: str) -> int:
    [bill] = ok(await api.get(f"{V1}/dues/bills", params={"member_id": member_id, "month": month}))[
        "items"
    ]
    return int(bill["amount_fen"])


async def test_the_base_mode_decides_which_base_a_month_uses(
    http: httpx.AsyncClient, nanshan: Api, city: Api, tenant_ids: dict[str, str]
) -> None:
    place = await unit(http, nanshan)
    member_id = await member(nanshan, place.branch)
    await approved_base(
        place.branch_secretary,
        place.committee_secretary,
        member_id,
        "2019-01",
        monthly_income_fen=400_000,
    )
    await approved_base(
        place.branch_secretary,
        place.committee_secretary,
        member_id,
        "2020-06",
        monthly_income_fen=800_000,
    )
    created(
        await nanshan.post(
            f"{V1}/dues/back-payment-exceptions",
            json={"member_id": member_id, "from_month": "2020-01", "reason": "历史欠交核实"},
        )
    )
    tenant = tenant_ids["440305"]
    settings = {"settings": {"dues_base_mode": "fixed_yearly"}}
    ok(await city.patch(f"{V1}/tenants/{tenant}", json=settings))
    try:
        await run(nanshan, "2020-07")
    finally:
        ok(await city.patch(f"{V1}/tenants/{tenant}", json={"settings": {}}))
    await run(nanshan, "2020-08")
    assert await amount(nanshan, member_id, "2020-07") == 4_000  # 4000 yuan × 1%
    assert await amount(nanshan, member_id, "2020-08") == 12_000  # 8000 yuan × 1.5%
