"""Expected attendees, leave requests, attendance and quorum through HTTP."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tests.conftest import Api
from tests.integration.activities.world import World


async def _plan(admin: Api, org_id: str, kind: str, **extra: Any) -> dict[str, Any]:
    now = datetime.now(UTC)
    r = await admin.post(
        "/api/v1/activities",
        json={
            "kind": kind,
            "organization_id": org_id,
            "title": kind,
            "starts_at": (now - timedelta(minutes=10)).isoformat(),
            "ends_at": (now + timedelta(hours=2)).isoformat(),
            **extra,
        },
    )
    assert r.status_code == 201, r.text
    return dict(r.json())


async def _mark(admin: Api, activity_id: str, member_ids: list[str]) -> None:
    for member_id in member_ids:
        r = await admin.post(
            f"/api/v1/activities/{activity_id}/checkins", json={"member_id": member_id}
        )
        assert r.status_code == 201, r.text


async def test_branch_congress_quorum_counts_full_members_only(futian_world: World) -> None:
    w = futian_world
    # 5 full members (voting) and 2 probationary members (no vote).
    b = await w.branch(5, 2)
    full = [p.member_id for p in b.members[:5]]
    probationary = [p.member_id for p in b.members[5:]]
    congress = await _plan(w.admin, b.id, "branch_congress")
    assert congress["expected_count"] == 7
    url = f"/api/v1/activities/{congress['id']}/attendance"
    # Two full and both probationary present: 4 of 7 people, but 2 of 5 votes — no quorum.
    await _mark(w.admin, congress["id"], full[:2] + probationary)
    att = (await w.admin.get(url)).json()
    assert (att["expected"], att["present"], att["absent"]) == (7, 4, 3)
    assert att["rate"] == round(4 / 7, 4)
    assert att["quorum"] == {"base": 5, "present": 2, "required": 3, "met": False}
    # Approved leave excuses the absence but keeps the vote in the base.
    me = b.members[2]
    assert me.api is not None
    r = await me.api.post(
        f"/api/v1/activities/{congress['id']}/leave-requests", json={"reason": "因公出差"}
    )
    assert r.status_code == 201, r.text
    leave = r.json()
    assert leave["status"] == "requested"
    again = await me.api.post(
        f"/api/v1/activities/{congress['id']}/leave-requests", json={"reason": "再次"}
    )
    assert (again.status_code, again.json()["code"]) == (409, "leave_already_requested")
    # A member cannot approve their own leave.
    r = await me.api.post(f"/api/v1/leave-requests/{leave['id']}/approve", json={})
    assert r.status_code == 403
    r = await w.admin.post(f"/api/v1/leave-requests/{leave['id']}/approve", json={"note": "同意"})
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "approved"
    att = (await w.admin.get(url)).json()
    assert (att["present"], att["on_leave"], att["absent"]) == (4, 1, 2)
    assert att["quorum"]["base"] == 5
    assert att["quorum"]["met"] is False
    statuses = {line["member_id"]: line["status"] for line in att["lines"]}
    assert statuses[me.member_id] == "on_leave"
    # A third full member arrives: 3 of 5 is more than half.
    await _mark(w.admin, congress["id"], [full[3]])
    att = (await w.admin.get(url)).json()
    assert att["quorum"] == {"base": 5, "present": 3, "required": 3, "met": True}
    # Removing a member working away lowers the base.
    r = await w.admin.delete(f"/api/v1/activities/{congress['id']}/attendees/{full[4]}")
    assert r.status_code == 204
    att = (await w.admin.get(url)).json()
    assert att["quorum"]["base"] == 4
    assert att["expected"] == 6


async def test_committee_meeting_expects_the_committee(futian_world: World) -> None:
    w = futian_world
    b = await w.branch(7)
    committee = [p.member_id for p in b.members[:3]]
    for member_id, post in zip(
        committee, ["secretary", "organization_officer", "publicity_officer"], strict=True
    ):
        w.committee_post(b.id, member_id, post)
    meeting = await _plan(w.admin, b.id, "committee_meeting")
    assert meeting["expected_count"] == 3
    attendees = (await w.admin.get(f"/api/v1/activities/{meeting['id']}/attendees")).json()
    assert {a["member_id"] for a in attendees} == set(committee)
    assert all(a["is_committee_member"] for a in attendees)
    await _mark(w.admin, meeting["id"], committee[:1])
    att = (await w.admin.get(f"/api/v1/activities/{meeting['id']}/attendance")).json()
    assert att["quorum"] == {"base": 3, "present": 1, "required": 2, "met": False}
    await _mark(w.admin, meeting["id"], committee[1:2])
    att = (await w.admin.get(f"/api/v1/activities/{meeting['id']}/attendance")).json()
    assert att["quorum"]["met"] is True
    # Other kinds have no quorum.
    lecture = await _plan(w.admin, b.id, "party_lecture")
    assert lecture["expected_count"] == 7
    att = (await w.admin.get(f"/api/v1/activities/{lecture['id']}/attendance")).json()
    assert att["quorum"] is None


async def test_leave_reject_and_withdraw(futian_world: World) -> None:
    w = futian_world
    b = await w.branch(2)
    act = await _plan(w.admin, b.id, "theme_day")
    alice, bob = b.members
    assert alice.api is not None
    assert bob.api is not None
    url = f"/api/v1/activities/{act['id']}/leave-requests"
    r = await alice.api.post(url, json={"reason": "   "})
    assert (r.status_code, r.json()["code"]) == (422, "leave_reason_required")
    a = (await alice.api.post(url, json={"reason": "孩子生病"})).json()
    bb = (await bob.api.post(url, json={"reason": "家中有事"})).json()
    # Bob cannot withdraw Alice's request; Alice can.
    r = await bob.api.post(f"/api/v1/leave-requests/{a['id']}/withdraw")
    assert r.status_code == 404
    r = await alice.api.post(f"/api/v1/leave-requests/{a['id']}/withdraw")
    assert (r.status_code, r.json()["status"]) == (200, "withdrawn")
    r = await w.admin.post(f"/api/v1/leave-requests/{bb['id']}/reject", json={})
    assert (r.status_code, r.json()["status"]) == (200, "rejected")
    r = await w.admin.post(f"/api/v1/leave-requests/{bb['id']}/approve", json={})
    assert (r.status_code, r.json()["code"]) == (409, "invalid_transition")
    # Members see only their own requests; the secretary sees all.
    mine = (await alice.api.get(url)).json()
    assert [x["id"] for x in mine] == [a["id"]]
    assert len((await w.admin.get(url)).json()) == 2
    att = (await w.admin.get(f"/api/v1/activities/{act['id']}/attendance")).json()
    assert att["on_leave"] == 0
    assert att["absent"] == 2


async def test_joint_activity_expects_both_branches(futian_world: World) -> None:
    w = futian_world
    parent = await w.org("party_committee")
    one = await w.branch(2, parent_id=parent)
    two = await w.branch(3, parent_id=parent)
    joint = await _plan(w.admin, one.id, "theme_day", joint_organization_ids=[two.id])
    assert joint["joint_organization_ids"] == [two.id]
    assert joint["expected_count"] == 5
    # A member of the joint branch sees it and may check in.
    guest = two.members[0]
    assert guest.api is not None
    r = await guest.api.get(f"/api/v1/activities/{joint['id']}")
    assert r.status_code == 200
    r = await guest.api.get("/api/v1/activities")
    assert joint["id"] in {a["id"] for a in r.json()["items"]}
