"""The checks before a transfer proceeds, who acts at which level, expiry, races, and a
failure in the middle of acceptance."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import psycopg
import pytest

from domain.dues import format_month, month_of
from infra.db.bootstrap import DatabaseUrls, conninfo_of
from infra.db.session import Database
from infra.dues import today
from infra.settings import Settings
from infra.transfers import expire_due
from tests.conftest import Api, login, unique
from tests.integration.transfers.conftest import OTHER_PROVINCE
from tests.integration.transfers.helpers import (
    PASSWORD,
    V1,
    Place,
    act,
    ok,
    place,
    refused,
    staff,
    start,
)

NOW = format_month(month_of(today()))


@pytest.fixture(scope="module")
async def db(settings: Settings) -> AsyncIterator[Database]:
    database = Database(settings.app_database_url or "", pool_size=4)
    yield database
    await database.dispose()


async def _sent(sender: Place, member: str, target: Place) -> str:
    started = await start(sender.admin, member, target, kind="across_tenants")
    return str(ok(await act(sender.admin, str(started["id"]), "approve"))["id"])


async def test_unpaid_dues_hold_the_transfer_and_show_the_shortfall(
    http: httpx.AsyncClient, gansu: Api, futian_place: Place
) -> None:
    here = await place(gansu, OTHER_PROVINCE)
    checker = await staff(http, gansu, "org_secretary", here.committee)
    member = await here.member()
    declared = ok(
        await gansu.post(
            f"{V1}/dues/bases",
            json={
                "member_id": member,
                "category": "employed",
                "income_kind": "salary",
                "monthly_income_fen": 600_000,
                "effective_from": "2020-01",
            },
        ),
        201,
    )
    ok(await checker.post(f"{V1}/dues/bases/{declared['id']}/approve"))
    job = ok(await gansu.post(f"{V1}/dues/bill-runs", json={"month": NOW}), 202)
    for _ in range(300):
        job = ok(await gansu.get(f"{V1}/jobs/{job['id']}"))
        if job["status"] in ("succeeded", "failed"):
            break
        await asyncio.sleep(0.1)
    assert job["status"] == "succeeded", job
    held = await start(gansu, member, futian_place, kind="across_tenants")
    assert held["state"] == "draft"
    assert held["hold"] == {
        "code": "transfer_dues_unpaid",
        "open_months": [NOW],
        "shortfall_fen": 9000,
    }
    refused(await act(gansu, held["id"], "submit"), 409, "transfer_dues_unpaid")
    refused(await act(gansu, held["id"], "approve"), 409, "transfer_state_changed")


async def test_probation_ended_needs_a_decision_first(futian_place: Place) -> None:
    overdue = await futian_place.member(
        status="probationary", admitted_on="2023-03-01", full_member_on=None
    )
    r = await futian_place.admin.post(
        f"{V1}/transfers",
        json={
            "member_id": overdue,
            "kind": "within_tenant",
            "reason": "work_change",
            "target_tenant_code": "440304",
            "target_organization_id": futian_place.other_branch,
        },
    )
    refused(r, 409, "transfer_probation_due")
    recent = await futian_place.member(
        status="probationary",
        admitted_on=(today() - timedelta(days=30)).isoformat(),
        full_member_on=None,
    )
    assert (await start(futian_place.admin, recent, futian_place, kind="within_tenant"))["id"]


async def test_each_level_approves_only_its_own(
    http: httpx.AsyncClient, futian_place: Place
) -> None:
    branch_secretary = await staff(http, futian_place.admin, "org_secretary", futian_place.branch)
    committee_secretary = await staff(
        http, futian_place.admin, "org_secretary", futian_place.committee
    )
    member = await futian_place.member()
    started = await start(branch_secretary, member, futian_place, kind="within_tenant")
    refused(await act(branch_secretary, started["id"], "approve"), 403, "forbidden")
    sent = ok(await act(committee_secretary, started["id"], "approve", reason="同意"))
    assert sent["state"] == "sent"
    # The receiving branch's own secretary receives; the sending branch's cannot.
    receiver = await staff(http, futian_place.admin, "org_secretary", futian_place.other_branch)
    refused(await act(branch_secretary, started["id"], "accept"), 403, "forbidden")
    assert ok(await act(receiver, started["id"], "accept"))["state"] == "accepted"


async def test_two_levels_when_the_tenant_asks(
    gansu: Api, tenant_ids: dict[str, str], futian_place: Place
) -> None:
    gansu_id = (await gansu.get(f"{V1}/me")).json()["tenant"]["id"]
    ok(
        await gansu.patch(
            f"{V1}/tenants/{gansu_id}", json={"settings": {"transfer_approval_levels": 2}}
        )
    )
    try:
        here = await place(gansu, OTHER_PROVINCE)
        member = await here.member()
        started = await start(gansu, member, futian_place, kind="across_tenants")
        assert started["approvals_required"] == 2
        first = ok(await act(gansu, started["id"], "approve"))
        assert (first["state"], first["approvals_done"]) == ("pending_approval", 1)
        second = ok(await act(gansu, started["id"], "approve"))
        assert (second["state"], second["approvals_done"]) == ("sent", 2)
        steps = ok(await gansu.get(f"{V1}/transfers/{started['id']}/steps"))
        assert [s["level"] for s in steps if s["action"] == "approve"] == [1, 2]
    finally:
        ok(
            await gansu.patch(
                f"{V1}/tenants/{gansu_id}", json={"settings": {"transfer_approval_levels": None}}
            )
        )


async def test_with_no_level_due_it_is_sent_right_after_the_start(
    gansu: Api, futian_place: Place
) -> None:
    """The start answers the draft; the door sends it in a transaction of its own."""
    gansu_id = (await gansu.get(f"{V1}/me")).json()["tenant"]["id"]
    ok(
        await gansu.patch(
            f"{V1}/tenants/{gansu_id}", json={"settings": {"transfer_approval_levels": 0}}
        )
    )
    try:
        here = await place(gansu, OTHER_PROVINCE)
        member = await here.member()
        started = await start(gansu, member, futian_place, kind="across_tenants")
        assert (started["state"], started["approvals_required"]) == ("draft", 0)
        sent = ok(await gansu.get(f"{V1}/transfers/{started['id']}"))
        assert (sent["state"], sent["letter_number"] is not None) == ("sent", True)
        arrived = ok(await futian_place.admin.get(f"{V1}/transfers/{started['id']}"))
        assert (arrived["side"], arrived["state"]) == ("receiving", "sent")
        steps = ok(await gansu.get(f"{V1}/transfers/{started['id']}/steps"))
        assert [s["action"] for s in steps] == ["start", "submit"]
    finally:
        ok(
            await gansu.patch(
                f"{V1}/tenants/{gansu_id}", json={"settings": {"transfer_approval_levels": None}}
            )
        )


async def test_a_member_starts_and_follows_their_own(
    http: httpx.AsyncClient, futian_place: Place, nanshan_place: Place
) -> None:
    username = unique("dy")
    user = ok(
        await futian_place.admin.post(
            f"{V1}/users",
            json={"username": username, "display_name": "党员本人", "password": PASSWORD},
        ),
        201,
    )
    member = await futian_place.member()
    ok(await futian_place.admin.patch(f"{V1}/members/{member}", json={"user_id": user["id"]}))
    me = await login(http, username, PASSWORD)
    started = await start(
        me, member, nanshan_place, kind="across_tenants", reason="residence_change"
    )
    assert ok(await me.get(f"{V1}/transfers/{started['id']}"))["state"] == "pending_approval"
    mine = ok(await me.get(f"{V1}/transfers"))
    assert [t["id"] for t in mine["items"]] == [started["id"]]
    refused(await act(me, started["id"], "approve"), 403, "forbidden")
    assert ok(await act(me, started["id"], "cancel"))["state"] == "cancelled"


async def test_an_expired_letter_cannot_be_accepted(
    db: Database, futian_place: Place, nanshan_place: Place
) -> None:
    member = await futian_place.member()
    tid = await _sent(futian_place, member, nanshan_place)
    assert await expire_due(db, now=datetime.now(UTC) + timedelta(days=91)) >= 1
    assert ok(await futian_place.admin.get(f"{V1}/transfers/{tid}"))["state"] == "expired"
    assert ok(await nanshan_place.admin.get(f"{V1}/transfers/{tid}"))["state"] == "expired"
    refused(await act(nanshan_place.admin, tid, "accept"), 409, "transfer_state_changed")
    assert ok(await futian_place.admin.get(f"{V1}/members/{member}"))["status"] == "full"
    steps = ok(await futian_place.admin.get(f"{V1}/transfers/{tid}/steps"))
    assert steps[-1]["action"] == "expire"


async def test_accept_and_cancel_at_once_exactly_one_wins(
    futian_place: Place, nanshan_place: Place
) -> None:
    for _ in range(3):
        member = await futian_place.member()
        tid = await _sent(futian_place, member, nanshan_place)
        accepted, cancelled = await asyncio.gather(
            act(nanshan_place.admin, tid, "accept"), act(futian_place.admin, tid, "cancel")
        )
        assert sorted([accepted.status_code, cancelled.status_code]) == [200, 409]
        state = ok(await futian_place.admin.get(f"{V1}/transfers/{tid}"))["state"]
        arrival = ok(await nanshan_place.admin.get(f"{V1}/transfers/{tid}"))["state"]
        status = ok(await futian_place.admin.get(f"{V1}/members/{member}"))["status"]
        if accepted.status_code == 200:
            assert (state, arrival, status) == ("accepted", "accepted", "transferred_out")
        else:
            assert (state, arrival, status) == ("cancelled", "cancelled", "full")


async def test_a_failure_mid_accept_leaves_the_member_in_one_organization(
    database: DatabaseUrls, futian_place: Place, nanshan_place: Place
) -> None:
    name = "中断" + unique()[-4:]
    member = await futian_place.member(name=name)
    tid = await _sent(futian_place, member, nanshan_place)
    with psycopg.connect(conninfo_of(database.admin), autocommit=True) as conn:
        # a constraint, not a trigger: Citus runs no triggers on distributed tables
        conn.execute(
            "ALTER TABLE member_history ADD CONSTRAINT test_fail_transfer_in"
            " CHECK (action <> 'transfer_in') NOT VALID"
        )
        try:
            r = await act(nanshan_place.admin, tid, "accept")
            assert r.status_code == 500, r.text
        finally:
            conn.execute("ALTER TABLE member_history DROP CONSTRAINT test_fail_transfer_in")
        holders = conn.execute(
            "SELECT tenant_id, status FROM member WHERE name = %s", (name,)
        ).fetchall()
    assert [status for _, status in holders] == ["full"]
    assert ok(await futian_place.admin.get(f"{V1}/transfers/{tid}"))["state"] == "sent"
    assert ok(await nanshan_place.admin.get(f"{V1}/transfers/{tid}"))["state"] == "sent"
    assert ok(await act(nanshan_place.admin, tid, "accept"))["state"] == "accepted"


async def test_out_of_the_platform_closes_on_the_paper_receipt(futian_place: Place) -> None:
    member = await futian_place.member()
    started = await start(
        futian_place.admin,
        member,
        None,
        kind="outside_platform",
        outside_organization="某省某单位党委",
    )
    refused(await act(futian_place.admin, started["id"], "accept"), 409, "transfer_state_changed")
    sent = ok(await act(futian_place.admin, started["id"], "approve"))
    assert (sent["state"], sent["to_tenant_id"]) == ("sent", None)
    letter = ok(await futian_place.admin.get(f"{V1}/transfers/{started['id']}/letter"))
    assert letter["to_organization_name"] == "某省某单位党委"
    closed = ok(await act(futian_place.admin, started["id"], "accept", reason="回执已收回"))
    assert closed["state"] == "accepted"
    record = ok(await futian_place.admin.get(f"{V1}/members/{member}"))
    assert record["status"] == "transferred_out"


async def test_the_receipt_is_only_for_transfers_out_of_the_platform(
    futian_place: Place, nanshan_place: Place
) -> None:
    member = await futian_place.member()
    tid = await _sent(futian_place, member, nanshan_place)
    refused(await act(futian_place.admin, tid, "accept"), 409, "transfer_receipt_outside_only")


def test_steps_are_append_only_for_the_app(database: DatabaseUrls) -> None:
    with psycopg.connect(conninfo_of(database.app)) as conn:
        for statement in ("UPDATE transfer_step SET reason = 'x'", "DELETE FROM transfer_step"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(statement)
            conn.rollback()
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("UPDATE transfer_arrival SET state = 'accepted'")


async def test_queues_count_each_side_and_roll_up_for_the_city(
    city: Api, futian_place: Place, nanshan_place: Place
) -> None:
    waiting = await futian_place.member()
    await start(futian_place.admin, waiting, nanshan_place, kind="across_tenants")
    travelling = await futian_place.member()
    await _sent(futian_place, travelling, nanshan_place)

    def side(queue: dict[str, object], name: str) -> dict[str, int]:
        rows = [r for r in queue["items"] if r["side"] == name]  # type: ignore[attr-defined]
        return {k: sum(r[k] for r in rows) for k in ("to_do", "in_progress", "overdue")}

    mine = ok(
        await futian_place.admin.get(
            f"{V1}/transfer-queue", params={"organization_id": futian_place.committee}
        )
    )
    assert side(mine, "sending") == {"to_do": 1, "in_progress": 1, "overdue": 0}
    theirs = ok(
        await nanshan_place.admin.get(
            f"{V1}/transfer-queue", params={"organization_id": nanshan_place.committee}
        )
    )
    assert side(theirs, "receiving")["to_do"] == 1
    rolled = ok(await city.get(f"{V1}/transfer-queue"))
    tenants = {r["tenant_id"] for r in rolled["items"]}
    assert len(tenants) >= 2
    assert rolled["to_do"] >= 2
    assert rolled["in_progress"] >= 1
