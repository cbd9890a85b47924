"""Who sees and checks into an activity: members of the branch only, never another branch
or tenant; secretaries manage their own branch's activities."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tests.conftest import Api, login, unique
from tests.integration.activities.world import World


async def _plan(admin: Api, org_id: str, **extra: Any) -> dict[str, Any]:
    now = datetime.now(UTC)
    r = await admin.post(
        "/api/v1/activities",
        json={
            "kind": "theme_day",
            "organization_id": org_id,
            "title": unique("主题党日"),
            "starts_at": (now - timedelta(minutes=10)).isoformat(),
            "ends_at": (now + timedelta(hours=2)).isoformat(),
            **extra,
        },
    )
    assert r.status_code == 201, r.text
    return dict(r.json())


async def test_other_branch_and_other_tenant_see_nothing(
    futian_world: World, nanshan_world: World
) -> None:
    w = futian_world
    mine = await w.branch(1)
    other = await w.branch(1)
    far = await nanshan_world.branch(1)
    act = await _plan(w.admin, mine.id, qr_required=False)
    token = (await w.admin.get(f"/api/v1/activities/{act['id']}/checkin-token")).json()["token"]
    for stranger in (other.members[0], far.members[0]):
        assert stranger.api is not None
        base = f"/api/v1/activities/{act['id']}"
        for r in (
            await stranger.api.get(base),
            await stranger.api.post(f"{base}/checkins", json={"token": token}),
            await stranger.api.post(f"{base}/leave-requests", json={"reason": "x"}),
            await stranger.api.get(f"{base}/attendance"),
            await stranger.api.get(f"{base}/checkin-token"),
        ):
            assert r.status_code == 404, r.text
            assert act["title"] not in r.text
        listed = (await stranger.api.get("/api/v1/activities")).json()["items"]
        assert act["id"] not in {a["id"] for a in listed}
    # The branch's own member sees it in the list and can check in.
    me = mine.members[0]
    assert me.api is not None
    listed = (await me.api.get("/api/v1/activities")).json()["items"]
    assert act["id"] in {a["id"] for a in listed}
    r = await me.api.post(f"/api/v1/activities/{act['id']}/checkins", json={})
    assert r.status_code == 201, r.text
    # Members cannot manage: no token screen, no attendance sheet, no edits.
    assert (await me.api.get(f"/api/v1/activities/{act['id']}/checkin-token")).status_code == 403
    assert (await me.api.get(f"/api/v1/activities/{act['id']}/attendance")).status_code == 403
    r = await me.api.patch(f"/api/v1/activities/{act['id']}", json={"title": "改名"})
    assert r.status_code == 403
    # Nanshan's administrator cannot see it either; the province can.
    assert (await nanshan_world.admin.get(f"/api/v1/activities/{act['id']}")).status_code == 404


async def test_members_see_activities_of_ancestor_organizations(futian_world: World) -> None:
    w = futian_world
    committee = await w.org("party_committee")
    b = await w.branch(1, parent_id=committee)
    sibling = await w.branch(1, parent_id=committee)
    lecture = await _plan(w.admin, committee, kind="party_lecture")
    sibling_day = await _plan(w.admin, sibling.id)
    me = b.members[0]
    assert me.api is not None
    assert (await me.api.get(f"/api/v1/activities/{lecture['id']}")).status_code == 200
    assert (await me.api.get(f"/api/v1/activities/{sibling_day['id']}")).status_code == 404
    # A 党委's lecture expects the members of every branch below it.
    assert lecture["expected_count"] == 2


async def test_secretary_manages_own_branch_only(
    futian_world: World, futian: Api, http: Any
) -> None:
    w = futian_world
    own = await w.branch(2)
    other = await w.branch(1)
    user_id, username = await w.user()
    r = await futian.post(
        "/api/v1/role-assignments",
        json={"user_id": user_id, "role": "org_secretary", "organization_id": own.id},
    )
    assert r.status_code == 201, r.text
    from tests.integration.activities.world import PASSWORD

    secretary = await login(http, username, PASSWORD)
    act = await _plan(secretary, own.id)
    assert act["expected_count"] == 2
    r = await secretary.post(
        "/api/v1/activities",
        json={
            "kind": "theme_day",
            "organization_id": other.id,
            "title": "越权",
            "starts_at": "2026-05-01T09:00:00+08:00",
            "ends_at": "2026-05-01T10:00:00+08:00",
        },
    )
    assert r.status_code == 403
    other_act = await _plan(w.admin, other.id)
    assert (await secretary.get(f"/api/v1/activities/{other_act['id']}")).status_code == 404
    listed = {a["id"] for a in (await secretary.get("/api/v1/activities")).json()["items"]}
    assert act["id"] in listed
    assert other_act["id"] not in listed
    r = await secretary.post(
        f"/api/v1/activities/{act['id']}/checkins", json={"member_id": own.members[0].member_id}
    )
    assert r.status_code == 201, r.text
    r = await secretary.post(
        f"/api/v1/activities/{other_act['id']}/checkins",
        json={"member_id": other.members[0].member_id},
    )
    assert r.status_code == 404


async def test_list_filters(futian_world: World) -> None:
    w = futian_world
    b = await w.branch(0)
    a1 = await _plan(w.admin, b.id, kind="committee_meeting")
    a2 = await _plan(w.admin, b.id, kind="theme_day")
    r = await w.admin.get(
        "/api/v1/activities", params={"organization_id": b.id, "kind": "committee_meeting"}
    )
    assert [a["id"] for a in r.json()["items"]] == [a1["id"]]
    r = await w.admin.post(f"/api/v1/activities/{a2['id']}/start")
    r = await w.admin.get(
        "/api/v1/activities", params={"organization_id": b.id, "status": "ongoing"}
    )
    assert [a["id"] for a in r.json()["items"]] == [a2["id"]]
    page = await w.admin.get("/api/v1/activities", params={"organization_id": b.id, "limit": 1})
    body = page.json()
    assert len(body["items"]) == 1
    assert body["next_cursor"]
    rest = await w.admin.get(
        "/api/v1/activities",
        params={"organization_id": b.id, "limit": 1, "cursor": body["next_cursor"]},
    )
    assert {body["items"][0]["id"], rest.json()["items"][0]["id"]} == {a1["id"], a2["id"]}
    r = await w.admin.get(
        "/api/v1/activities",
        params={"organization_id": b.id, "starts_from": "2099-01-01T00:00:00+08:00"},
    )
    assert r.json()["items"] == []
    # Delete a planned activity; a started one must be cancelled instead.
    assert (await w.admin.delete(f"/api/v1/activities/{a1['id']}")).status_code == 204
    r = await w.admin.delete(f"/api/v1/activities/{a2['id']}")
    assert (r.status_code, r.json()["code"]) == (409, "activity_has_records")
