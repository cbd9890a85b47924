"""Summaries (issue 15 item 8): due, collected (from the ledger's payments and refunds,
never from bills marked paid), rate and open bills per month over a subtree and per
organization; the xlsx for the finance office; a province's 5% remittance; and the stored
figures recomputed from the ledger and compared."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

import httpx
import openpyxl
import psycopg
import pytest

from domain.dues import add_months, format_month, month_of, remittance_fen
from infra.db.bootstrap import DatabaseUrls, conninfo_of
from infra.db.session import Database
from infra.dues import today
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
    refund,
    unit,
)

THIS_MONTH = month_of(today())
MONTHS = [add_months(THIS_MONTH, -k) for k in (2, 1, 0)]
FIRST, LAST = format_month(MONTHS[0]), format_month(MONTHS[-1])


@dataclass
class County:
    tenant_id: str
    admin: Api
    unit: Unit
    people: list[str]


@pytest.fixture(scope="module")
async def county(
    http: httpx.AsyncClient,
    province: Api,
    tenant_ids: dict[str, str],
    db: Database,
    database: DatabaseUrls,
) -> County:
    made = created(
        await province.post(
            f"{V1}/tenants",
            json={"code": "440312", "name": "统计测试区", "parent_id": tenant_ids["440300"]},
        )
    )
    username = unique("sum")
    user = created(
        await province.post(
            f"{V1}/users",
            json={
                "username": username,
                "display_name": "统计管理员",
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
    people = [await member(admin, place.branch) for _ in range(3)]
    for who in people:
        await approved_base(place.branch_secretary, place.committee_secretary, who, "2019-01")
    await bill_months(db, made["id"], MONTHS)
    page = ok(await admin.get(f"{V1}/dues/bills", params={"limit": "200"}))
    bills = {(b["member_id"], b["month"]): b["id"] for b in page["items"]}
    a, b, _ = people
    for month in MONTHS:
        pay(database, bills[(a, format_month(month))])
    pay(database, bills[(b, FIRST)])
    refund(database, bills[(b, FIRST)], 1_000)
    # Marked paid but never paid: must not count as collected.
    with psycopg.connect(conninfo_of(database.admin)) as conn:
        conn.execute("UPDATE dues_bill SET status = 'paid' WHERE id = %s", (bills[(b, LAST)],))
    created(
        await place.branch_secretary.post(
            f"{V1}/dues/voluntary-payments", json={"member_id": a, "amount_fen": 120_000}
        )
    )
    return County(made["id"], admin, place, people)


async def test_the_subtree_by_month(county: County) -> None:
    found = ok(await county.admin.get(f"{V1}/dues/summary", params={"from": FIRST, "to": LAST}))
    assert found["tenant_id"] == county.tenant_id
    assert [m["month"] for m in found["months"]] == [FIRST, format_month(MONTHS[1]), LAST]
    first, middle, last = found["months"]
    assert (first["bills"], first["due_fen"], first["collected_fen"]) == (3, 15_000, 9_000)
    assert (first["rate_bp"], first["open_bills"]) == (6000, 2)
    assert (middle["collected_fen"], middle["open_bills"]) == (5_000, 2)
    assert (last["collected_fen"], last["open_bills"], last["closed"]) == (5_000, 2, False)
    total = found["total"]
    assert (total["bills"], total["due_fen"], total["collected_fen"]) == (9, 45_000, 19_000)
    assert total["rate_bp"] == 19_000 * 10_000 // 45_000
    assert total["open_bills"] == 6
    assert found["voluntary_fen"] == 120_000
    assert found["remittance"] is None  # a county remits nothing itself

    branch = ok(
        await county.unit.branch_secretary.get(
            f"{V1}/dues/summary",
            params={"organization_id": county.unit.branch, "from": FIRST, "to": LAST},
        )
    )
    assert branch["total"] == total
    assert branch["organization_id"] == county.unit.branch


async def test_per_organization_and_the_workbook(county: County) -> None:
    params = {"from": FIRST, "to": LAST}
    page = ok(await county.admin.get(f"{V1}/dues/summary/by-organization", params=params))
    [row] = page["items"]
    assert (row["organization_id"], row["kind"]) == (county.unit.branch, "branch")
    assert (row["due_fen"], row["collected_fen"], row["open_bills"]) == (45_000, 19_000, 6)

    r = await county.admin.get(f"{V1}/dues/summary/export", params=params)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    book = openpyxl.load_workbook(io.BytesIO(r.content), read_only=True)
    assert book.sheetnames == ["按月汇总", "按党组织"]
    months = [list(x) for x in book["按月汇总"].iter_rows(values_only=True)]
    assert months[1][:4] == [FIRST, 150, 0, 90]
    assert months[4][:4] == ["合计", 450, 0, 190]
    orgs = [list(x) for x in book["按党组织"].iter_rows(values_only=True)]
    assert orgs[1][1:5] == ["branch", 450, 0, 190]


async def test_who_reads_which_summary(
    county: County, futian: Api, province: Api, inspector: Api
) -> None:
    r = await futian.get(f"{V1}/dues/summary", params={"tenant_id": county.tenant_id})
    assert r.status_code == 404, r.text
    r = await county.unit.branch_secretary.get(f"{V1}/dues/summary")
    assert r.status_code == 403, r.text
    r = await county.admin.get(f"{V1}/dues/summary", params={"from": LAST, "to": FIRST})
    assert (r.status_code, r.json()["code"]) == (422, "dues_summary_range")
    ok(await inspector.get(f"{V1}/dues/summary", params={"tenant_id": county.tenant_id}))


async def test_a_province_sees_its_yearly_remittance(province: Api, county: County) -> None:
    year = THIS_MONTH.year
    found = ok(
        await province.get(f"{V1}/dues/summary", params={"from": f"{year}-01", "to": f"{year}-12"})
    )
    remittance = found["remittance"]
    assert remittance["year"] == year
    assert remittance["collected_fen"] == found["total"]["collected_fen"]
    assert remittance["remittance_fen"] == remittance_fen(remittance["collected_fen"])
    assert remittance["rate_bp"] == 500
    assert remittance["due_by"] == f"{year + 1}-04-30"
    assert remittance["voluntary_to_centre_fen"] >= 120_000


RECOMPUTED = """
WITH money AS (
    SELECT tenant_id, organization_id, month,
           count(*) FILTER (WHERE kind = 'charge') AS bills,
           coalesce(sum(amount_fen) FILTER (WHERE kind = 'charge'), 0) AS charged,
           coalesce(-sum(amount_fen) FILTER (WHERE kind = 'exemption'), 0) AS relieved,
           coalesce(-sum(amount_fen) FILTER (WHERE kind IN ('payment', 'back_payment')), 0)
               AS collected,
           coalesce(sum(amount_fen) FILTER (WHERE kind = 'refund'), 0) AS refunded
    FROM dues_ledger_entry GROUP BY 1, 2, 3
), open AS (
    SELECT b.tenant_id, b.id, b.organization_id, b.month
    FROM dues_bill b JOIN dues_ledger_entry e ON e.tenant_id = b.tenant_id AND e.bill_id = b.id
    GROUP BY b.tenant_id, b.id HAVING sum(e.amount_fen) > 0
)
SELECT coalesce(m.tenant_id, o.tenant_id), coalesce(m.organization_id, o.organization_id),
       coalesce(m.month, o.month), coalesce(m.bills, 0), coalesce(m.charged, 0),
       coalesce(m.relieved, 0), coalesce(m.collected, 0), coalesce(m.refunded, 0),
       coalesce(o.n, 0)
FROM money m FULL JOIN (
    SELECT tenant_id, organization_id, month, count(*) AS n FROM open GROUP BY 1, 2, 3
) o USING (tenant_id, organization_id, month)
"""


TENANT_RECOMPUTED = f"""
SELECT tenant_id, month, get_byte(uuid_send(organization_id), 15) % 16, sum(bills),
       sum(charged), sum(relieved), sum(collected), sum(refunded), sum(open_bills)
FROM ({RECOMPUTED}) AS r(tenant_id, organization_id, month, bills, charged, relieved,
                         collected, refunded, open_bills)
GROUP BY 1, 2, 3
"""


def _rows(conn: psycopg.Connection, sql: str) -> set[tuple[Any, ...]]:
    return {tuple(r) for r in conn.execute(sql).fetchall()}


async def test_the_stored_figures_are_the_ledgers(county: County, database: DatabaseUrls) -> None:
    with psycopg.connect(conninfo_of(database.admin)) as conn:
        stored = _rows(
            conn,
            "SELECT tenant_id, organization_id, month, bills, charged_fen, relieved_fen,"
            " collected_fen, refunded_fen, open_bills FROM dues_month_figure",
        )
        assert stored == _rows(conn, RECOMPUTED)
        by_tenant = _rows(
            conn,
            "SELECT tenant_id, month, stripe, bills, charged_fen, relieved_fen, collected_fen,"
            " refunded_fen, open_bills FROM dues_tenant_month_figure",
        )
        assert by_tenant == _rows(conn, TENANT_RECOMPUTED)
        assert {(t, m) for t, m, *_ in by_tenant} == {(t, m) for t, _, m, *_ in stored}
        open_bills = _rows(
            conn,
            "SELECT b.tenant_id, b.id FROM dues_bill b JOIN dues_ledger_entry e"
            " ON e.tenant_id = b.tenant_id AND e.bill_id = b.id"
            " GROUP BY b.tenant_id, b.id HAVING sum(e.amount_fen) > 0",
        )
        assert _rows(conn, "SELECT tenant_id, bill_id FROM dues_open_bill") == open_bills
