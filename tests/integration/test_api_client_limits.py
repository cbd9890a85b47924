"""What an API client may not do, whatever it asks (issue 13 items 1–2): person-only
operations, lists beyond its scopes, the accounts list; what /me tells it; and who may hand
out `checkins:write`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.conftest import Api, login, unique
from tests.integration.api_clients import V1, client_api, register
from tests.integration.members.helpers import create_member, new_branch
from tests.integration.test_tenancy import PASSWORD, create_user


@pytest.fixture(scope="module")
async def branch(futian: Api) -> str:
    r = await futian.post(
        f"{V1}/organizations", json={"kind": "party_committee", "name": unique("客户端党委")}
    )
    assert r.status_code == 201, r.text
    return await new_branch(futian, r.json()["id"])


async def ongoing_meeting(api: Api, branch: str) -> str:
    now = datetime.now(UTC)
    r = await api.post(
        f"{V1}/activities",
        json={
            "kind": "branch_congress",
            "organization_id": branch,
            "title": "支部党员大会",
            "starts_at": (now - timedelta(minutes=10)).isoformat(),
            "ends_at": (now + timedelta(minutes=50)).isoformat(),
        },
    )
    assert r.status_code == 201, r.text
    meeting: str = r.json()["id"]
    assert (await api.post(f"{V1}/activities/{meeting}/start")).status_code == 200
    return meeting


def person_only(r: httpx.Response) -> None:
    assert r.status_code == 403, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["code"] == "person_only"
    assert "接口客户端" in r.json()["detail"]


async def test_person_only_operations_refuse_a_client_before_reading_its_input(
    http: httpx.AsyncClient, futian: Api
) -> None:
    client = await client_api(http, await register(futian, ["members:read", "events:read"]))
    person_only(await client.post(f"{V1}/me/password", json={"current_password": 1}))
    person_only(await client.post(f"{V1}/auth/mfa/enroll", json={}))
    person_only(await client.post(f"{V1}/auth/mfa/confirm", json={"code": "123456"}))
    person_only(await client.post(f"{V1}/auth/mfa/recovery-codes", json={"code": "123456"}))
    person_only(await client.get(f"{V1}/auth/mfa"))
    person_only(await client.get(f"{V1}/me/member"))
    # A person is let through to the input checks.
    assert (await futian.post(f"{V1}/me/password", json={})).status_code == 400


async def test_me_tells_a_client_its_subtree_and_scopes(
    http: httpx.AsyncClient, futian: Api
) -> None:
    made = await register(futian, ["members:read", "events:read"])
    full = await (await client_api(http, made)).get(f"{V1}/me")
    assert full.status_code == 200, full.text
    body = full.json()
    assert body["api_scopes"] == ["events:read", "members:read"]
    assert body["username"] == f"api_client:{made['name']}" or body["display_name"] == made["name"]
    assert [r["role"] for r in body["roles"]] == ["api_client"]
    assert body["tenant"]["id"] == made["tenant_id"]
    narrowed = await client_api(http, made, scope="events:read")
    assert (await narrowed.get(f"{V1}/me")).json()["api_scopes"] == ["events:read"]
    assert (await futian.get(f"{V1}/me")).json()["api_scopes"] is None


async def test_a_list_needs_its_scope(http: httpx.AsyncClient, futian: Api, branch: str) -> None:
    meeting = await ongoing_meeting(futian, branch)
    unscoped = await client_api(http, await register(futian, ["events:read"]))
    r = await unscoped.get(f"{V1}/activities")
    assert r.status_code == 403, r.text
    reader = await client_api(http, await register(futian, ["activities:read"]))
    listed = await reader.get(f"{V1}/activities", params={"organization_id": branch})
    assert listed.status_code == 200, listed.text
    assert [a["id"] for a in listed.json()["items"]] == [meeting]


async def test_service_accounts_are_not_people(http: httpx.AsyncClient, futian: Api) -> None:
    made = await register(futian, ["members:read"])
    me = (await (await client_api(http, made)).get(f"{V1}/me")).json()
    listed = await futian.get(f"{V1}/users", params={"limit": 200})
    assert listed.status_code == 200, listed.text
    assert me["id"] not in [u["id"] for u in listed.json()["items"]]
    assert not [u for u in listed.json()["items"] if u["username"].startswith("api_client")]
    assert (await futian.get(f"{V1}/users/{me['id']}")).status_code == 404
    r = await futian.patch(f"{V1}/users/{me['id']}", json={"display_name": "改名"})
    assert r.status_code == 404, r.text
    r = await futian.post(
        f"{V1}/role-assignments", json={"user_id": me["id"], "role": "tenant_admin"}
    )
    assert r.status_code == 404, r.text


async def test_a_tenant_administrator_gives_checkins_write_to_mark_members_in(
    http: httpx.AsyncClient, futian: Api, branch: str
) -> None:
    member = await create_member(futian, branch)
    meeting = await ongoing_meeting(futian, branch)
    client = await client_api(http, await register(futian, ["checkins:write"]))
    r = await client.post(f"{V1}/activities/{meeting}/checkins", json={"member_id": member["id"]})
    assert r.status_code == 201, r.text
    assert r.json()["source"] == "secretary"
    listed = await client.get(f"{V1}/activities/{meeting}/checkins")
    assert listed.status_code == 200, listed.text
    reader = await client_api(http, await register(futian, ["activities:read"]))
    again = await reader.post(
        f"{V1}/activities/{meeting}/checkins", json={"member_id": member["id"]}
    )
    assert again.status_code == 403, again.text


async def _holding(http: httpx.AsyncClient, futian: Api, permissions: list[str]) -> Api:
    """A futian account whose only role is a custom one with these permissions."""
    role = await futian.post(
        f"{V1}/roles",
        json={"name": unique("role")[:30], "display_name": "接口管理", "permissions": permissions},
    )
    assert role.status_code == 201, role.text
    user = await create_user(futian)
    r = await futian.post(
        f"{V1}/role-assignments", json={"user_id": user["id"], "role": role.json()["name"]}
    )
    assert r.status_code == 201, r.text
    return await login(http, user["username"], PASSWORD)


async def test_a_scope_needs_every_permission_it_stands_for(
    http: httpx.AsyncClient, futian: Api
) -> None:
    clerk = await _holding(
        http, futian, ["api_client:read", "api_client:write", "activity:read", "checkin:read"]
    )
    r = await clerk.post(
        f"{V1}/api-clients", json={"name": "签到终端", "scopes": ["checkins:write"]}
    )
    body: dict[str, Any] = r.json()
    assert r.status_code == 403, r.text
    assert body["code"] == "api_scope_escalation"
    assert body["errors"][0]["field"] == "scopes.0"
    keeper = await _holding(
        http,
        futian,
        ["api_client:read", "api_client:write", "activity:read", "checkin:read", "checkin:manage"],
    )
    made = await keeper.post(
        f"{V1}/api-clients", json={"name": "签到终端", "scopes": ["checkins:write"]}
    )
    assert made.status_code == 201, made.text
