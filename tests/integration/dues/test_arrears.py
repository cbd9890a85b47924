"""Arrears (issue 15 item 7): overdue months from the ledger's open bills, the daily scan
raising a warning at three overdue months and a flag at six consecutive once per episode,
voluntary payments with the Centre's share; and the figures the ledger's trigger keeps."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import psycopg
import pytest

from domain.dues import add_months, format_month, month_of
from infra.db.bootstrap import DatabaseUrls, conninfo_of
from infra.db.session import Database
from infra.dues import arrears as arrears_scan
from infra.dues import scan_every_tenant, today
from tests.conftest import Api
from tests.integration.dues.helpers import (
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
PAST = [add_months(THIS_MONTH, -k) for k in range(6, 0, -1)]  # six months, oldest first


@dataclass
class Branch:
    unit: Unit
    six_unpaid: str
    three_unpaid: str
    paid_up: str
    bills: dict[tuple[str, str], str]  # (member, month) → bill id


@pytest.fixture(scope="module")
async def branch(
    http: httpx.AsyncClient, nanshan: Api, db: Database, tenant_ids: dict[str, str]
) -> Branch:
    place = await unit(http, nanshan)
    people = [await member(nanshan, place.branch) for _ in range(3)]
    for who in people:
        await approved_base(place.branch_secretary, place.committee_secretary, who, "2019-01")
    await bill_months(db, tenant_ids["440305"], [*PAST, THIS_MONTH])
    page = ok(
        await nanshan.get(
            f"{V1}/dues/bills", params={"organization_id": place.branch, "limit": "200"}
        )
    )
    bills = {(b["member_id"], b["month"]): b["id"] for b in page["items"]}
    six, three, paid = people
    return Branch(place, six, three, paid, bills)


def _pay_months(database: DatabaseUrls, branch: Branch, who: str, months: list[Any]) -> None:
    for month in months:
        pay(database, branch.bills[(who, format_month(month))])


async def arrears(api: Api, **params: str) -> dict[str, dict[str, Any]]:
    page = ok(await api.get(f"{V1}/dues/arrears", params={"limit": "200", **params}))
    return {a["member_id"]: a for a in page["items"]}


async def test_overdue_months_and_levels(branch: Branch, database: DatabaseUrls) -> None:
    # Three overdue months, not in a row: warned, not flagged.
    _pay_months(database, branch, branch.three_unpaid, [PAST[1], PAST[3], PAST[5]])
    _pay_months(database, branch, branch.paid_up, PAST)
    secretary = branch.unit.branch_secretary
    found = await arrears(secretary, organization_id=branch.unit.branch)
    assert set(found) == {branch.six_unpaid, branch.three_unpaid}
    six = found[branch.six_unpaid]
    assert (six["overdue_months"], six["consecutive_months"]) == (6, 6)
    assert six["levels"] == ["flagged", "warning"]
    assert (six["first_overdue"], six["last_overdue"]) == (
        format_month(PAST[0]),
        format_month(PAST[-1]),
    )
    three = found[branch.three_unpaid]
    assert (three["overdue_months"], three["consecutive_months"]) == (3, 1)
    assert three["levels"] == ["warning"]
    flagged = await arrears(secretary, organization_id=branch.unit.branch, level="flagged")
    assert set(flagged) == {branch.six_unpaid}
    # The current month is not overdue yet.
    assert format_month(THIS_MONTH) not in {six["last_overdue"]}


async def test_arrears_are_scoped(
    branch: Branch, database: DatabaseUrls, futian: Api, nanshan: Api, http: httpx.AsyncClient
) -> None:
    assert branch.six_unpaid in await arrears(nanshan)
    assert branch.six_unpaid not in await arrears(futian)
    r = await futian.get(f"{V1}/dues/arrears", params={"organization_id": branch.unit.branch})
    assert r.status_code == 404, r.text
    other = await unit(http, nanshan)
    assert branch.six_unpaid not in await arrears(other.branch_secretary)


def _events(database: DatabaseUrls, member_id: str) -> list[tuple[str, dict[str, Any]]]:
    with psycopg.connect(conninfo_of(database.admin)) as conn:
        rows = conn.execute(
            "SELECT topic, payload FROM outbox_event"
            " WHERE aggregate_type = 'member' AND aggregate_id = %s AND topic LIKE 'dues.arrears%%'"
            " ORDER BY seq",
            (member_id,),
        ).fetchall()
    return [(topic, payload) for topic, payload in rows]


async def test_the_scan_warns_once_per_episode(
    branch: Branch, database: DatabaseUrls, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    # One notice to a statement: a province's tens of thousands go in chunks, none lost.
    monkeypatch.setattr(arrears_scan, "CHUNK", 1)
    _pay_months(database, branch, branch.three_unpaid, [PAST[1], PAST[3], PAST[5]])
    now = datetime.now(UTC)
    await scan_every_tenant(db, now=now)
    await scan_every_tenant(db, now=now)
    topics = [t for t, _ in _events(database, branch.six_unpaid)]
    assert topics == ["dues.arrears_flagged", "dues.arrears_warning"]
    [(topic, payload)] = _events(database, branch.three_unpaid)
    assert topic == "dues.arrears_warning"
    assert payload["overdue_months"] == 3
    # Paying one month back ends the warning's episode; falling behind again is a new one.
    bill = branch.bills[(branch.three_unpaid, format_month(PAST[0]))]
    pay(database, bill)
    await scan_every_tenant(db, now=now)
    refund(database, bill, 5_000)
    await scan_every_tenant(db, now=now)
    assert [t for t, _ in _events(database, branch.three_unpaid)] == [
        "dues.arrears_warning",
        "dues.arrears_warning",
    ]
    assert [t for t, _ in _events(database, branch.paid_up)] == []


async def test_voluntary_payments_and_the_centres_share(branch: Branch, nanshan: Api) -> None:
    secretary = branch.unit.branch_secretary
    small = created(
        await secretary.post(
            f"{V1}/dues/voluntary-payments",
            json={"member_id": branch.paid_up, "amount_fen": 99_999, "note": "自愿多交"},
        )
    )
    large = created(
        await secretary.post(
            f"{V1}/dues/voluntary-payments",
            json={"member_id": branch.paid_up, "amount_fen": 100_000},
        )
    )
    assert (small["to_centre"], large["to_centre"]) == (False, True)
    assert small["month"] == format_month(THIS_MONTH)
    r = await secretary.post(
        f"{V1}/dues/voluntary-payments", json={"member_id": branch.paid_up, "amount_fen": 0}
    )
    assert r.status_code == 400, r.text
    r = await branch.unit.committee_secretary.get(
        f"{V1}/dues/voluntary-payments",
        params={"organization_id": branch.unit.branch, "to_centre": "true"},
    )
    assert [v["id"] for v in ok(r)["items"]] == [large["id"]]
    outsider = await nanshan.get(
        f"{V1}/dues/voluntary-payments", params={"member_id": branch.paid_up}
    )
    assert {v["id"] for v in ok(outsider)["items"]} == {small["id"], large["id"]}
