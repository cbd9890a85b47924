"""Monthly bills over HTTP and through the bill run itself (issue 15 item 3): one bill per
paying member and month, idempotent (also when two runs race), probationary members from
their admission month, back payment at most six months unless an administrator records an
exception; charges in the append-only ledger; who sees which bills and their paid-to month."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import httpx
import psycopg
import pytest

from domain.dues import add_months, format_month, month_of
from domain.tenancy import PLATFORM_PATH
from infra.db.bootstrap import DatabaseUrls, conninfo_of
from infra.db.session import Actor, Database, Scope
from infra.dues import bill_every_tenant, generate_bills, today
from infra.settings import Settings
from tests.conftest import Api
from tests.integration.dues.helpers import (
    V1,
    Unit,
    approved_base,
    created,
    member,
    member_with_login,
    ok,
    unit,
)

THIS_MONTH = month_of(today())
NOW = format_month(THIS_MONTH)
SEVEN_BACK = format_month(add_months(THIS_MONTH, -7))
LAST_MONTH = format_month(add_months(THIS_MONTH, -1))


@dataclass
class Branch:
    unit: Unit
    employed: str
    employed_api: Api
    probationary: str
    no_base: str
    exempt: str


@pytest.fixture(scope="module")
async def branch(http: httpx.AsyncClient, futian: Api) -> Branch:
    place = await unit(http, futian)
    employed, employed_api = await member_with_login(http, futian, place.branch)
    probationary = await member(
        futian,
        place.branch,
        status="probationary",
        admitted_on=THIS_MONTH.isoformat(),
        full_member_on=None,
    )
    no_base = await member(futian, place.branch)
    exempt = await member(futian, place.branch)
    for who in (employed, probationary, exempt):
        await approved_base(place.branch_secretary, place.committee_secretary, who, "2019-01")
    relief = created(
        await place.branch_secretary.post(
            f"{V1}/dues/reliefs",
            json={
                "member_id": exempt,
                "kind": "exemption",
                "from_month": LAST_MONTH,
                "to_month": NOW,
                "reason": "重病",
            },
        )
    )
    ok(await place.committee_secretary.post(f"{V1}/dues/reliefs/{relief['id']}/approve", json={}))
    return Branch(place, employed, employed_api, probationary, no_base, exempt)


async def run(api: Api, month: str, **extra: Any) -> dict[str, Any]:
    r = await api.post(f"{V1}/dues/bill-runs", json={"month": month, **extra})
    assert r.status_code == 202, r.text
    job = r.json()
    for _ in range(600):
        job = ok(await api.get(f"{V1}/jobs/{job['id']}"))
        if job["status"] in ("succeeded", "failed"):
            break
        await asyncio.sleep(0.1)
    assert job["status"] == "succeeded", job
    return dict(job["result"])


async def bills(api: Api, **params: str) -> list[dict[str, Any]]:
    page = ok(await api.get(f"{V1}/dues/bills", params={"limit": "200", **params}))
    return list(page["items"])


async def test_a_run_bills_every_paying_member_once(branch: Branch, futian: Api) -> None:
    first = await run(futian, NOW)
    assert first["month"] == NOW
    made = {b["member_id"]: b for b in await bills(futian, organization_id=branch.unit.branch)}
    assert set(made) == {branch.employed, branch.probationary, branch.exempt}
    employed = made[branch.employed]
    assert (employed["month"], employed["amount_fen"], employed["status"]) == (NOW, 5_000, "unpaid")
    assert employed["rule"]["rate_bp"] == 100
    assert employed["rule"]["description"] == "月收入 3000 元以上至 5000 元（含）按 1% 交纳"
    assert employed["back_payment"] is False
    exempt = made[branch.exempt]
    assert (exempt["standard_fen"], exempt["amount_fen"], exempt["status"]) == (
        5_000,
        0,
        "exempted",
    )
    assert first["skipped"].get("no_base", 0) >= 1

    again = await run(futian, NOW)
    assert again["created"] == 0
    assert again["existing"] >= 3
    assert len(await bills(futian, organization_id=branch.unit.branch)) == 3


async def test_probationary_members_pay_from_their_admission_month(
    branch: Branch, futian: Api
) -> None:
    await run(futian, LAST_MONTH)
    last = {b["member_id"] for b in await bills(futian, month=LAST_MONTH)}
    assert branch.employed in last
    assert branch.probationary not in last


async def test_back_payment_beyond_six_months_needs_an_exception(
    branch: Branch, futian: Api
) -> None:
    await run(futian, SEVEN_BACK)
    assert await bills(futian, member_id=branch.employed, month=SEVEN_BACK) == []
    refused = await branch.unit.branch_secretary.post(
        f"{V1}/dues/back-payment-exceptions",
        json={"member_id": branch.employed, "from_month": SEVEN_BACK, "reason": "转入前欠交"},
    )
    assert refused.status_code == 403, refused.text
    created(
        await futian.post(
            f"{V1}/dues/back-payment-exceptions",
            json={"member_id": branch.employed, "from_month": SEVEN_BACK, "reason": "转入前欠交"},
        )
    )
    await run(futian, SEVEN_BACK)
    [back] = await bills(futian, member_id=branch.employed, month=SEVEN_BACK)
    assert back["back_payment"] is True
    assert await bills(futian, member_id=branch.no_base, month=SEVEN_BACK) == []


async def test_a_future_month_is_refused_and_a_run_needs_dues_write(
    branch: Branch, futian: Api, inspector: Api
) -> None:
    future = format_month(add_months(THIS_MONTH, 1))
    r = await futian.post(f"{V1}/dues/bill-runs", json={"month": future})
    assert r.status_code == 422, r.text
    assert r.json()["code"] == "dues_bill_month_future"
    r = await branch.unit.branch_secretary.post(f"{V1}/dues/bill-runs", json={"month": NOW})
    assert r.status_code == 403, r.text
    r = await inspector.post(f"{V1}/dues/bill-runs", json={"month": NOW})
    assert r.status_code == 403, r.text


async def test_who_sees_which_bills_and_the_paid_to_month(
    branch: Branch, futian: Api, nanshan: Api
) -> None:
    await run(futian, NOW)
    own = await bills(branch.employed_api)
    assert own
    assert {b["member_id"] for b in own} == {branch.employed}
    account = ok(await branch.employed_api.get(f"{V1}/dues/members/{branch.employed}/account"))
    assert account["paid_to"] is None
    assert NOW in account["open_months"]
    assert account["balance_fen"] == 5_000 * len(account["open_months"])
    # Another member's account is not theirs to read.
    other = await branch.employed_api.get(f"{V1}/dues/members/{branch.exempt}/account")
    assert other.status_code == 403, other.text
    exempt = ok(
        await branch.unit.branch_committee.get(f"{V1}/dues/members/{branch.exempt}/account")
    )
    assert (exempt["balance_fen"], exempt["paid_to"]) == (0, NOW)

    secretary = await bills(branch.unit.branch_secretary, month=NOW)
    assert {b["member_id"] for b in secretary} == {
        branch.employed,
        branch.probationary,
        branch.exempt,
    }
    unpaid = await bills(branch.unit.branch_secretary, month=NOW, status="unpaid")
    assert branch.exempt not in {b["member_id"] for b in unpaid}
    first = ok(
        await branch.unit.branch_secretary.get(
            f"{V1}/dues/bills", params={"month": NOW, "limit": "1"}
        )
    )
    assert len(first["items"]) == 1
    assert first["next_cursor"]
    rest = ok(
        await branch.unit.branch_secretary.get(
            f"{V1}/dues/bills", params={"month": NOW, "cursor": first["next_cursor"]}
        )
    )
    assert first["items"][0]["id"] not in {b["id"] for b in rest["items"]}
    assert await bills(nanshan, member_id=branch.employed) == []


@pytest.fixture(scope="module")
async def db(settings: Settings) -> AsyncIterator[Database]:
    database = Database(settings.app_database_url or "", pool_size=4)
    yield database
    await database.dispose()


def _billed(database: DatabaseUrls, tenant: uuid.UUID, month: date) -> int:
    with psycopg.connect(conninfo_of(database.admin)) as conn:
        row = conn.execute(
            "SELECT count(*) FROM dues_bill WHERE tenant_id = %s AND month = %s", (tenant, month)
        ).fetchone()
    assert row is not None
    return int(row[0])


async def test_racing_runs_make_each_bill_and_charge_once(
    branch: Branch, futian: Api, db: Database, tenant_ids: dict[str, str], database: DatabaseUrls
) -> None:
    tenant = uuid.UUID(tenant_ids["440304"])
    month = add_months(THIS_MONTH, -2)
    actor = Actor(None, "test", tenant, None, None)
    now = datetime.now(UTC)
    billed_before = _billed(database, tenant, month)  # other files' runs may have billed it
    reports = await asyncio.gather(
        *(
            generate_bills(
                db, Scope(PLATFORM_PATH), actor, tenant_id=tenant, month=month, now=now, batch=7
            )
            for _ in range(3)
        )
    )
    assert sum(r["created"] for r in reports) >= 2
    with psycopg.connect(conninfo_of(database.admin)) as conn:
        per_member = conn.execute(
            "SELECT b.member_id, count(DISTINCT b.id), count(e.id),"
            " sum(e.amount_fen) FILTER (WHERE e.kind = 'charge'), min(b.standard_fen)"
            " FROM dues_bill b JOIN dues_ledger_entry e"
            "  ON e.tenant_id = b.tenant_id AND e.bill_id = b.id"
            " WHERE b.tenant_id = %s AND b.month = %s AND e.kind = 'charge'"
            " GROUP BY b.member_id",
            (tenant, month),
        ).fetchall()
    assert per_member
    # Runs of several batches, two in flight each: every bill made is counted by one run.
    assert sum(r["created"] for r in reports) == len(per_member) - billed_before
    for _member, bill_count, charges, charged, standard in per_member:
        assert (bill_count, charges, charged) == (1, 1, standard)


@pytest.mark.parametrize(
    "statement", ["UPDATE dues_ledger_entry SET amount_fen = 0", "DELETE FROM dues_ledger_entry"]
)
def test_the_ledger_is_append_only_for_the_app(database: DatabaseUrls, statement: str) -> None:
    with (
        psycopg.connect(conninfo_of(database.app)) as conn,
        pytest.raises(psycopg.errors.InsufficientPrivilege),
    ):
        conn.execute(statement)


async def test_the_monthly_schedule_bills_every_tenant(
    branch: Branch, futian: Api, db: Database, tenant_ids: dict[str, str]
) -> None:
    reports = await bill_every_tenant(db, now=datetime.now(UTC))
    by_tenant = {r["tenant_id"]: r for r in reports}
    assert {tenant_ids["440304"], tenant_ids["440305"]} <= set(by_tenant)
    assert by_tenant[tenant_ids["440304"]]["month"] == NOW
    assert by_tenant[tenant_ids["440304"]]["created"] == 0  # the runs above made them
    assert len(await bills(futian, member_id=branch.employed, month=NOW)) == 1
