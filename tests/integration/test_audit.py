"""The audit trail: writes and refusals, append-only, visible to the subtree's admins."""

from __future__ import annotations

from tests.conftest import Api, unique


async def test_denied_write_is_audited(secretary: Api, futian: Api) -> None:
    name = unique("x")
    r = await secretary.post(
        "/api/v1/users",
        json={"username": name, "display_name": "越权", "password": "Strong-Pass-2026"},
        headers={"X-Request-ID": f"deny-{name}"},
    )
    assert r.status_code == 403
    assert r.json()["code"] == "forbidden"
    events = await futian.get("/api/v1/audit-events", params={"limit": 200})
    denied = [e for e in events.json()["items"] if e["request_id"] == f"deny-{name}"]
    assert len(denied) == 1
    assert denied[0]["outcome"] == "denied"
    assert denied[0]["actor_name"] == "futian_secretary"
    assert denied[0]["detail"]["permission"] == "user:create"


async def test_write_is_audited_with_request_id(futian: Api) -> None:
    name = unique("a")
    r = await futian.post(
        "/api/v1/users",
        json={"username": name, "display_name": "审计", "password": "Strong-Pass-2026"},
        headers={"X-Request-ID": f"req-{name}"},
    )
    assert r.status_code == 201
    assert r.headers["x-request-id"] == f"req-{name}"
    events = await futian.get("/api/v1/audit-events", params={"action": "user.create"})
    mine = [e for e in events.json()["items"] if e["request_id"] == f"req-{name}"]
    assert len(mine) == 1
    assert mine[0]["actor_name"] == "futian_admin"
    assert mine[0]["resource_id"] == r.json()["id"]
    assert mine[0]["outcome"] == "success"


async def test_sibling_county_sees_none_of_our_audit_events(futian: Api, nanshan: Api) -> None:
    await futian.get("/api/v1/me")
    mine = await futian.get("/api/v1/audit-events", params={"limit": 200})
    theirs = await nanshan.get("/api/v1/audit-events", params={"limit": 200})
    assert theirs.status_code == 200
    futian_tenant = (await futian.get("/api/v1/me")).json()["tenant"]["id"]
    assert any(e["tenant_id"] == futian_tenant for e in mine.json()["items"])
    assert all(e["tenant_id"] != futian_tenant for e in theirs.json()["items"])
