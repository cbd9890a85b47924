"""Points from approved leave, absences and volunteer hours: the activities context
announces them when the activity is archived and its attendance closed (a member on leave
who came after all is present, not on leave) and accrual books the tenant's items (issue 14
item 2)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tests.conftest import Api, unique
from tests.integration.points.conftest import V1, County, Place, eventually

RULES: dict[str, Any] = {
    "effective_from": "2020-01-01",
    "base_score": 60,
    "items": [
        {"code": "leave", "name": "请假", "points": -1, "source": "excused_leave"},
        {"code": "congress", "name": "参加支部党员大会", "points": 3, "source": "attendance",
         "activity_kind": "branch_congress"},
        {"code": "absent", "name": "无故缺席支部党员大会", "points": -5,
         "source": "unexcused_absence", "activity_kind": "branch_congress"},
        {"code": "volunteer", "name": "志愿服务（每小时）", "points": 2,
         "source": "volunteer_hours", "cap_per_period": 10},
    ],
}  # fmt: skip


async def held(county: County, org_id: str, kind: str, hours: int) -> str:
    """An activity that started ten minutes ago and lasts `hours`, under way."""
    start = datetime.now(UTC) - timedelta(minutes=10)
    r = await county.admin.post(
        f"{V1}/activities",
        json={"kind": kind, "organization_id": org_id, "title": unique("积分活动"),
              "starts_at": start.isoformat(),
              "ends_at": (start + timedelta(hours=hours, minutes=20)).isoformat()},
    )  # fmt: skip
    assert r.status_code == 201, r.text
    activity_id = str(r.json()["id"])
    assert (await county.admin.post(f"{V1}/activities/{activity_id}/start")).status_code == 200
    return activity_id


async def close(county: County, activity_id: str) -> None:
    for step in ("finish", "archive"):
        r = await county.admin.post(f"{V1}/activities/{activity_id}/{step}")
        assert r.status_code == 200, r.text


async def ledger(api: Api, member_id: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = (await api.get(f"{V1}/members/{member_id}/points")).json()[
        "items"
    ]
    return items


async def volunteering(api: Api, member_id: str) -> list[dict[str, Any]]:
    return [e for e in await ledger(api, member_id) if e["cause_type"] == "volunteer"]


async def test_leave_absence_and_volunteer_hours_earn_under_the_tenant_rules(
    place: Place,
) -> None:
    county = await place.county()
    assert (await county.rules(**RULES)).status_code == 201
    branch = await county.world.branch(4)
    excused, came, present, absent = branch.members
    meeting = await held(county, branch.id, "branch_congress", 1)
    leaves = {}
    for asking in (excused, came):
        assert asking.api is not None
        r = await asking.api.post(
            f"{V1}/activities/{meeting}/leave-requests", json={"reason": "出差"}
        )
        assert r.status_code == 201, r.text
        r = await county.admin.post(f"{V1}/leave-requests/{r.json()['id']}/approve", json={})
        assert r.status_code == 200, r.text
        leaves[asking.member_id] = r.json()["id"]
    marked = {m.member_id: await county.mark(meeting, m.member_id) for m in (came, present)}
    attended = await eventually(lambda: ledger(county.admin, came.member_id), bool)
    assert [(e["cause_type"], e["cause_id"], e["points"]) for e in attended] == [
        ("checkin", marked[came.member_id], 3)
    ]
    # neither leave nor absence is final before the attendance list closes
    assert await ledger(county.admin, excused.member_id) == []
    assert await ledger(county.admin, absent.member_id) == []
    await close(county, meeting)
    booked = await eventually(lambda: ledger(county.admin, excused.member_id), bool)
    assert [(e["cause_type"], e["cause_id"], e["points"]) for e in booked] == [
        ("leave", leaves[excused.member_id], -1)
    ]
    missed = await eventually(lambda: ledger(county.admin, absent.member_id), bool)
    assert [(e["cause_type"], e["cause_id"], e["points"]) for e in missed] == [
        ("absence", meeting, -5)
    ]
    # the member who asked for leave and came anyway earns the attendance alone (the
    # closed list's events are one batch, so the leave above was booked beside theirs)
    assert [e["cause_type"] for e in await ledger(county.admin, came.member_id)] == ["checkin"]
    # a volunteer activity of 3 h 20 min: 3 whole hours × 2, then the cap of 10 a year
    first = await held(county, branch.id, "volunteer", 3)
    second = await held(county, branch.id, "volunteer", 3)
    for activity in (first, second):
        await county.mark(activity, present.member_id)
        await close(county, activity)
    hours = await eventually(
        lambda: volunteering(county.admin, present.member_id), lambda e: len(e) == 2
    )
    assert sorted((e["cause_id"], e["points"]) for e in hours) == sorted([(first, 6), (second, 4)])
    # absence from a volunteer activity costs nothing: the item names the congress only
    assert len(await ledger(county.admin, absent.member_id)) == 1
    summary = (await county.admin.get(f"{V1}/members/{present.member_id}/points/summary")).json()
    assert summary["earned"] == 3 + 10
