"""代签: who may mark a member present, and every check-in says who recorded it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from tests.conftest import Api, login, unique
from tests.integration.activities.world import PASSWORD, World


async def _meeting(admin: Api, org_id: str) -> str:
    now = datetime.now(UTC)
    r = await admin.post(
        "/api/v1/activities",
        json={
            "kind": "theme_day",
            "organization_id": org_id,
            "title": "主题党日",
            "starts_at": (now - timedelta(minutes=5)).isoformat(),
            "ends_at": (now + timedelta(hours=2)).isoformat(),
        },
    )
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


async def _listed(api: Api, activity_id: str) -> dict[str, dict[str, Any]]:
    r = await api.get(f"/api/v1/activities/{activity_id}/checkins")
    assert r.status_code == 200, r.text
    return {c["member_id"]: c for c in r.json()}


async def test_superior_staff_cannot_mark_and_the_secretary_is_recorded(
    futian_world: World, city: Api, province: Api, http: httpx.AsyncClient
) -> None:
    w = futian_world
    b = await w.branch(3)
    act = await _meeting(w.admin, b.id)
    url = f"/api/v1/activities/{act}/checkins"
    target = b.members[0].member_id
    # City and province administrators see the county's meeting but cannot mark anyone.
    for superior in (city, province):
        assert (await superior.get(f"/api/v1/activities/{act}")).status_code == 200
        r = await superior.post(url, json={"member_id": target})
        assert r.status_code == 403, r.text
        assert r.json()["code"] == "forbidden"
    assert await _listed(w.admin, act) == {}

    user_id, username = await w.user()
    r = await w.admin.post(
        "/api/v1/role-assignments",
        json={"user_id": user_id, "role": "org_secretary", "organization_id": b.id},
    )
    assert r.status_code == 201, r.text
    secretary = await login(http, username, PASSWORD)
    r = await secretary.post(url, json={"member_id": target})
    assert r.status_code == 201, r.text
    assert (r.json()["source"], r.json()["recorded_by"]) == ("secretary", user_id)

    # A member's own check-in is recorded by the member's own account.
    me = b.members[1]
    assert me.api is not None
    token = (await w.admin.get(f"/api/v1/activities/{act}/checkin-token")).json()["token"]
    r = await me.api.post(url, json={"token": token})
    assert r.status_code == 201, r.text
    assert r.json()["recorded_by"] == me.user_id

    listed = await _listed(secretary, act)
    assert {m: c["recorded_by"] for m, c in listed.items()} == {
        target: user_id,
        me.member_id: me.user_id,
    }
    # Nor may the city correct (remove) the county's record, or decide a member's leave.
    checkin_id = listed[target]["id"]
    r = await city.delete(f"{url}/{checkin_id}")
    assert r.status_code == 403, r.text
    assert target in await _listed(w.admin, act)
    absent = b.members[2]
    assert absent.api is not None
    r = await absent.api.post(
        f"/api/v1/activities/{act}/leave-requests", json={"reason": "因公出差"}
    )
    assert r.status_code == 201, r.text
    leave = r.json()["id"]
    r = await city.post(f"/api/v1/leave-requests/{leave}/approve", json={})
    assert r.status_code == 403, r.text
    r = await secretary.post(f"/api/v1/leave-requests/{leave}/approve", json={})
    assert (r.status_code, r.json()["status"]) == (200, "approved")


async def test_supervision_is_an_explicit_grant(
    futian_world: World, city: Api, tenant_ids: dict[str, str], http: httpx.AsyncClient
) -> None:
    w = futian_world
    b = await w.branch(1)
    act = await _meeting(w.admin, b.id)
    # The city defines a supervision role and grants it to one of its staff.
    role = unique("supervisor_")
    r = await city.post(
        "/api/v1/roles",
        json={
            "name": role,
            "display_name": "督查代签",
            "permissions": ["activity:read", "checkin:read", "checkin:supervise"],
        },
    )
    assert r.status_code == 201, r.text
    username = unique("sup")
    r = await city.post(
        "/api/v1/users",
        json={
            "username": username,
            "display_name": "督查员",
            "password": PASSWORD,
            "tenant_id": tenant_ids["440300"],
        },
    )
    assert r.status_code == 201, r.text
    supervisor_id = r.json()["id"]
    r = await city.post("/api/v1/role-assignments", json={"user_id": supervisor_id, "role": role})
    assert r.status_code == 201, r.text
    supervisor = await login(http, username, PASSWORD)
    r = await supervisor.post(
        f"/api/v1/activities/{act}/checkins", json={"member_id": b.members[0].member_id}
    )
    assert r.status_code == 201, r.text
    assert r.json()["recorded_by"] == supervisor_id
