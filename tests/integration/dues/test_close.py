"""The monthly close (issue 15, "Monthly close"): a month opened with its bills
snapshotted, reported by the organization holding them only once each bill is paid,
deferred with a reason or exempted, closed by the tenant with final figures; a closed
month takes no new bills and its corrections are booked in the current month, while
payments still land in their bill's month."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, time

import httpx
import pytest

from domain.dues import EntryKind, add_months, format_month, month_of
from domain.shared import DomainError
from domain.tenancy import PLATFORM_PATH
from infra.db.bootstrap import DatabaseUrls
from infra.db.session import Actor, Database, Scope
from infra.dues import entry_month, today
from tests.conftest import Api, login, unique
from tests.integration.dues.helpers import (
    PASSWORD,
    V1,
    Unit,
    approved_base,
    bill_months,
    created,
    member,
    ok,
    pay,
    unit,
)

THIS_MONTH = month_of(today())
NOW = format_month(THIS_MONTH)


@dataclass
class County:
    tenant_id: str
    admin: Api
    unit: Unit
    paid: str
    deferred: str
    bills: dict[str, str]  # member → this month's bill


@pytest.fixture(scope="module")
async def county(
    http: httpx.AsyncClient, province: Api, tenant_ids: dict[str, str], db: Database
) -> County:
    """A county of its own (so that no other test's bills are in its month)."""
    made = created(
        await province.post(
            f"{V1}/tenants",
            json={"code": "440311", "name": "结账测试区", "parent_id": tenant_ids["440300"]},
        )
    )
    username = unique("close")
    user = created(
        await province.post(
            f"{V1}/users",
            json={
                "username": username,
                "display_name": "结账管理员",
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
    paid, deferred = [await member(admin, place.branch) for _ in range(2)]
    for who in (paid, deferred):
        await approved_base(place.branch_secretary, place.committee_secretary, who, "2019-01")
    await bill_months(db, made["id"], [THIS_MONTH])
    page = ok(await admin.get(f"{V1}/dues/bills", params={"month": NOW}))
    bills = {b["member_id"]: b["id"] for b in page["items"]}
    return County(made["id"], admin, place, paid, deferred, bills)


async def test_a_month_from_opening_to_close(county: County, database: DatabaseUrls) -> None:
    secretary = county.unit.branch_secretary
    r = await secretary.post(f"{V1}/dues/months", json={"month": NOW})
    assert r.status_code == 403, r.text
    month = created(await county.admin.post(f"{V1}/dues/months", json={"month": NOW}))
    assert (month["status"], month["opened_bills"], month["opened_due_fen"]) == (
        "open",
        2,
        10_000,
    )
    again = await county.admin.post(f"{V1}/dues/months", json={"month": NOW})
    assert (again.status_code, again.json()["code"]) == (409, "dues_month_exists")
    report = f"{V1}/dues/months/{month['id']}/reports"
    branch = {"organization_id": county.unit.branch}

    r = await secretary.post(report, json=branch)
    assert (r.status_code, r.json()["code"]) == (409, "dues_branch_not_ready")
    pay(database, county.bills[county.paid])
    r = await secretary.post(
        f"{V1}/dues/deferrals", json={"bill_id": county.bills[county.paid], "reason": "已交"}
    )
    assert (r.status_code, r.json()["code"]) == (409, "dues_bill_settled")
    created(
        await secretary.post(
            f"{V1}/dues/deferrals",
            json={"bill_id": county.bills[county.deferred], "reason": "住院，下月补交"},
        )
    )
    r = await county.admin.post(f"{V1}/dues/months/{month['id']}/close")
    assert (r.status_code, r.json()["code"]) == (409, "dues_month_unreported")

    reported = created(await secretary.post(report, json=branch))
    assert (reported["bills"], reported["due_fen"], reported["collected_fen"]) == (
        2,
        10_000,
        5_000,
    )
    assert reported["deferred_bills"] == 1
    r = await secretary.post(report, json=branch)
    assert (r.status_code, r.json()["code"]) == (409, "dues_branch_reported")
    listed = ok(await county.unit.committee_secretary.get(report))
    assert [x["id"] for x in listed["items"]] == [reported["id"]]

    r = await secretary.post(f"{V1}/dues/months/{month['id']}/close")
    assert r.status_code == 403, r.text
    closed = ok(await county.admin.post(f"{V1}/dues/months/{month['id']}/close"))
    assert closed["status"] == "closed"
    assert (closed["closed_due_fen"], closed["closed_collected_fen"]) == (10_000, 5_000)
    assert closed["closed_open_bills"] == 1
    r = await county.admin.post(f"{V1}/dues/months/{month['id']}/close")
    assert (r.status_code, r.json()["code"]) == (409, "dues_month_closed")
    shown = ok(await secretary.get(f"{V1}/dues/months/{month['id']}"))
    assert shown == closed
    months = ok(await county.admin.get(f"{V1}/dues/months", params={"status": "closed"}))
    assert [m["id"] for m in months["items"]] == [month["id"]]


async def test_a_closed_month_takes_no_bills_and_books_corrections_now(
    county: County, db: Database
) -> None:
    if not ok(await county.admin.get(f"{V1}/dues/months", params={"status": "closed"}))["items"]:
        pytest.skip("runs after the month is closed")
    with pytest.raises(DomainError) as refused:
        await bill_months(db, county.tenant_id, [THIS_MONTH])
    assert refused.value.code == "dues_month_closed"
    later = datetime.combine(add_months(THIS_MONTH, 1), time(12), tzinfo=UTC)
    tenant = uuid.UUID(county.tenant_id)
    actor = Actor(None, "test", tenant, None, None)
    async with db.unit_of_work(Scope(PLATFORM_PATH), actor) as uow:
        payment = await entry_month(
            uow, tenant_id=tenant, kind=EntryKind.PAYMENT, bill_month=THIS_MONTH, now=later
        )
        refund = await entry_month(
            uow, tenant_id=tenant, kind=EntryKind.REFUND, bill_month=THIS_MONTH, now=later
        )
    assert payment == THIS_MONTH
    assert refund == month_of(today(later)) == add_months(THIS_MONTH, 1)


async def test_opening_needs_bills_and_a_deferral_needs_the_branch(
    county: County, futian: Api
) -> None:
    r = await county.admin.post(f"{V1}/dues/months", json={"month": "2001-01"})
    assert (r.status_code, r.json()["code"]) == (409, "dues_month_not_billed")
    r = await futian.post(
        f"{V1}/dues/deferrals", json={"bill_id": county.bills[county.deferred], "reason": "越权"}
    )
    assert r.status_code == 404, r.text
