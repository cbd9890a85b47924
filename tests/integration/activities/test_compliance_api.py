"""Compliance calendar through HTTP: a generated year of activities for several branches."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from tests.conftest import Api
from tests.integration.activities.world import World

SHANGHAI = ZoneInfo("Asia/Shanghai")
LAST_YEAR = datetime.now(SHANGHAI).year - 1


async def _held(admin: Api, org_id: str, kind: str, day: date, **extra: Any) -> str:
    start = datetime(day.year, day.month, day.day, 9, tzinfo=SHANGHAI)
    r = await admin.post(
        "/api/v1/activities",
        json={
            "kind": kind,
            "organization_id": org_id,
            "title": f"{kind} {day}",
            "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=2)).isoformat(),
            **extra,
        },
    )
    assert r.status_code == 201, r.text
    activity_id = str(r.json()["id"])
    assert (await admin.post(f"/api/v1/activities/{activity_id}/start")).status_code == 200
    assert (await admin.post(f"/api/v1/activities/{activity_id}/finish")).status_code == 200
    return activity_id


def _overdue(body: dict[str, Any], kind: str) -> list[str]:
    for k in body["kinds"]:
        if k["kind"] == kind:
            return [p["period"] for p in k["periods"] if p["status"] == "overdue"]
    raise AssertionError(f"{kind} not tracked")


async def test_a_generated_year(futian_world: World) -> None:
    w = futian_world
    parent = await w.org("party_committee")
    y = LAST_YEAR
    founded = date(y - 5, 7, 1)
    diligent = await w.branch(0, parent_id=parent, established_on=founded)
    patchy = await w.branch(0, parent_id=parent, established_on=founded)
    idle = await w.branch(0, parent_id=parent, established_on=founded)
    for month in range(1, 13):
        await _held(w.admin, diligent.id, "committee_meeting", date(y, month, 10))
        await _held(w.admin, diligent.id, "theme_day", date(y, month, 1))
        if month not in (2, 7, 8):
            await _held(w.admin, patchy.id, "committee_meeting", date(y, month, 28))
    for quarter in range(4):
        await _held(w.admin, diligent.id, "branch_congress", date(y, 3 * quarter + 2, 15))
    await _held(w.admin, patchy.id, "branch_congress", date(y, 5, 15))
    await _held(w.admin, diligent.id, "party_lecture", date(y, 6, 30))
    # A joint 主题党日 (联学联建) in September counts for both branches.
    await _held(w.admin, patchy.id, "theme_day", date(y, 9, 1), joint_organization_ids=[idle.id])
    # A cancelled meeting never counts.
    r = await w.admin.post(
        "/api/v1/activities",
        json={
            "kind": "committee_meeting",
            "organization_id": idle.id,
            "title": "取消的支委会",
            "starts_at": datetime(y, 4, 1, 9, tzinfo=SHANGHAI).isoformat(),
            "ends_at": datetime(y, 4, 1, 10, tzinfo=SHANGHAI).isoformat(),
        },
    )
    cancelled = r.json()["id"]
    assert (
        await w.admin.post(f"/api/v1/activities/{cancelled}/cancel", json={"reason": "改期"})
    ).status_code == 200

    months = [f"{y}-{m:02d}" for m in range(1, 13)]
    quarters = [f"{y}-Q{q}" for q in range(1, 5)]

    async def get(org_id: str, **params: Any) -> dict[str, Any]:
        r = await w.admin.get(f"/api/v1/organizations/{org_id}/compliance", params=params)
        assert r.status_code == 200, r.text
        return dict(r.json())

    d = await get(diligent.id, year=y)
    assert d["period"] == str(y)
    assert _overdue(d, "committee_meeting") == []
    assert _overdue(d, "theme_day") == []
    assert _overdue(d, "branch_congress") == []
    assert _overdue(d, "party_lecture") == []
    assert _overdue(d, "org_life_meeting") == [str(y)]
    assert "group_meeting" not in {k["kind"] for k in d["kinds"]}
    p = await get(patchy.id, year=y)
    assert _overdue(p, "committee_meeting") == [f"{y}-02", f"{y}-07", f"{y}-08"]
    assert _overdue(p, "branch_congress") == [f"{y}-Q1", f"{y}-Q3", f"{y}-Q4"]
    assert _overdue(p, "theme_day") == [m for m in months if m != f"{y}-09"]
    i = await get(idle.id, year=y)
    assert _overdue(i, "committee_meeting") == months
    assert _overdue(i, "branch_congress") == quarters
    assert _overdue(i, "theme_day") == [m for m in months if m != f"{y}-09"]
    # One month only.
    march = await get(patchy.id, period=f"{y}-02")
    kinds = {k["kind"]: k for k in march["kinds"]}
    assert kinds["committee_meeting"]["overdue"] == 1
    assert [x["period"] for x in kinds["branch_congress"]["periods"]] == [f"{y}-Q1"]

    # Roll-up: which branches held no 支委会 in July, and who has missed any.
    r = await w.admin.get(
        "/api/v1/stats/compliance",
        params={"organization_id": parent, "kind": "committee_meeting", "period": f"{y}-07"},
    )
    assert r.status_code == 200, r.text
    roll = r.json()
    assert roll["organizations"] == 3
    [cm] = roll["kinds"]
    assert cm["kind"] == "committee_meeting"
    assert cm["held"] == 1
    assert cm["not_held"] == 2
    assert {o["id"] for o in cm["overdue_organizations"]} == {patchy.id, idle.id}
    r = await w.admin.get(
        "/api/v1/stats/compliance",
        params={"organization_id": parent, "kind": "committee_meeting", "period": f"{y}-06"},
    )
    [cm] = r.json()["kinds"]
    assert cm["held"] == 2
    assert {o["id"] for o in cm["overdue_organizations"]} == {idle.id}


async def test_frequencies_come_from_tenant_settings(
    futian_world: World, city: Api, tenant_ids: dict[str, str]
) -> None:
    w = futian_world
    y = LAST_YEAR
    b = await w.branch(0, established_on=date(y - 1, 1, 1))
    await _held(w.admin, b.id, "party_lecture", date(y, 2, 1))
    r = await w.admin.get(f"/api/v1/organizations/{b.id}/compliance", params={"year": y})
    assert _overdue(r.json(), "party_lecture") == []
    tenant = tenant_ids["440304"]
    settings = {"meeting_frequencies": {"party_lecture": "quarterly"}}
    assert (
        await city.patch(f"/api/v1/tenants/{tenant}", json={"settings": settings})
    ).status_code == 200
    try:
        r = await w.admin.get(f"/api/v1/organizations/{b.id}/compliance", params={"year": y})
        assert _overdue(r.json(), "party_lecture") == [f"{y}-Q2", f"{y}-Q3", f"{y}-Q4"]
    finally:
        assert (
            await city.patch(f"/api/v1/tenants/{tenant}", json={"settings": {}})
        ).status_code == 200


async def test_current_period_is_due_not_overdue(futian_world: World) -> None:
    w = futian_world
    b = await w.branch(0)
    today = datetime.now(UTC).astimezone(SHANGHAI).date()
    r = await w.admin.get(
        f"/api/v1/organizations/{b.id}/compliance", params={"period": f"{today:%Y-%m}"}
    )
    kinds = {k["kind"]: k for k in r.json()["kinds"]}
    assert kinds["committee_meeting"]["periods"][-1]["status"] == "due"
    bad = await w.admin.get(
        f"/api/v1/organizations/{b.id}/compliance", params={"period": "2026-13"}
    )
    assert (bad.status_code, bad.json()["code"]) == (400, "invalid_period")


async def test_obligations_start_when_the_branch_was_established(futian_world: World) -> None:
    w = futian_world
    today = datetime.now(UTC).astimezone(SHANGHAI).date()
    new = await w.branch(0)  # established_on unknown: it counts from today
    r = await w.admin.get(f"/api/v1/organizations/{new.id}/compliance", params={"year": today.year})
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["obligations_from"], body["obligations_basis"]) == (
        today.isoformat(),
        "created_at",
    )
    for kind in ("committee_meeting", "branch_congress", "theme_day"):
        assert _overdue(body, kind) == []
    statuses = {p["status"] for k in body["kinds"] for p in k["periods"]}
    assert statuses == {"due"}
    mid = await w.branch(0, established_on=date(LAST_YEAR, 8, 20))
    r = await w.admin.get(f"/api/v1/organizations/{mid.id}/compliance", params={"year": LAST_YEAR})
    body = r.json()
    assert (body["obligations_from"], body["obligations_basis"]) == (
        f"{LAST_YEAR}-08-20",
        "established_on",
    )
    assert _overdue(body, "committee_meeting") == [f"{LAST_YEAR}-{m:02d}" for m in range(8, 13)]
    assert _overdue(body, "branch_congress") == [f"{LAST_YEAR}-Q3", f"{LAST_YEAR}-Q4"]
