"""Sessions end at once: after logout, deactivation, a password change or reset, a role
removal or a replayed refresh token, the old access token is refused on the next request."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import httpx
import pytest

from tests.conftest import Api, unique
from tests.integration.members.helpers import create_member, org_ids
from tests.integration.test_tenancy import PASSWORD, V1, create_user, problem

NEW_PASSWORD = "Another-Strong-2026"


@dataclass
class Victim:
    """A fresh tenant administrator of 福田, logged in."""

    user_id: str
    username: str
    grant_id: str
    api: Api
    refresh_token: str


async def _log_in(
    http: httpx.AsyncClient, username: str, password: str = PASSWORD
) -> tuple[Api, str]:
    r = await http.post(f"{V1}/auth/login", json={"username": username, "password": password})
    assert r.status_code == 200, r.text
    return Api(http, r.json()["access_token"], username), r.json()["refresh_token"]


async def _victim(http: httpx.AsyncClient, futian: Api) -> Victim:
    user = await create_user(futian)
    r = await futian.post(
        f"{V1}/role-assignments", json={"user_id": user["id"], "role": "tenant_admin"}
    )
    assert r.status_code == 201, r.text
    api, refresh = await _log_in(http, user["username"])
    return Victim(user["id"], user["username"], r.json()["id"], api, refresh)


@pytest.fixture
async def member_url(futian: Api, tenant_ids: dict[str, str]) -> str:
    orgs = await org_ids(futian, tenant_ids["440304"])
    member = await create_member(futian, orgs["区委办公室党支部"])
    return f"{V1}/members/{member['id']}"


async def _read_write_reveal(api: Api, member_url: str) -> list[httpx.Response]:
    return [
        await api.get(f"{V1}/users"),
        await api.post(
            f"{V1}/organizations", json={"kind": "party_committee", "name": unique("会话")}
        ),
        await api.get(member_url, params={"reveal": "true"}),
    ]


async def _logout(http: httpx.AsyncClient, futian: Api, v: Victim) -> None:
    r = await http.post(f"{V1}/auth/logout", json={"refresh_token": v.refresh_token})
    assert r.status_code == 204, r.text


async def _deactivate(http: httpx.AsyncClient, futian: Api, v: Victim) -> None:
    r = await futian.patch(f"{V1}/users/{v.user_id}", json={"is_active": False})
    assert r.status_code == 200, r.text


async def _change_own_password(http: httpx.AsyncClient, futian: Api, v: Victim) -> None:
    r = await v.api.post(
        f"{V1}/me/password",
        json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
    )
    assert r.status_code == 204, r.text


async def _reset_password(http: httpx.AsyncClient, futian: Api, v: Victim) -> None:
    r = await futian.patch(f"{V1}/users/{v.user_id}", json={"password": NEW_PASSWORD})
    assert r.status_code == 200, r.text


async def _remove_role(http: httpx.AsyncClient, futian: Api, v: Victim) -> None:
    r = await futian.delete(f"{V1}/role-assignments/{v.grant_id}")
    assert r.status_code == 204, r.text


async def _replay_refresh(http: httpx.AsyncClient, futian: Api, v: Victim) -> None:
    r = await http.post(f"{V1}/auth/refresh", json={"refresh_token": v.refresh_token})
    assert r.status_code == 200, r.text
    rotated = Api(http, r.json()["access_token"], v.username)
    assert (await rotated.get(f"{V1}/users")).status_code == 200
    r = await http.post(f"{V1}/auth/refresh", json={"refresh_token": v.refresh_token})
    problem(r, 401, "refresh_token_reused")
    problem(await rotated.get(f"{V1}/users"), 401, "session_ended")


Event = Callable[[httpx.AsyncClient, Api, Victim], Awaitable[None]]


@pytest.mark.parametrize(
    "event",
    [
        _logout,
        _deactivate,
        _change_own_password,
        _reset_password,
        _remove_role,
        _replay_refresh,
    ],
    ids=["logout", "deactivation", "own password", "password reset", "role removal", "replay"],
)
async def test_old_access_token_dies_with_its_session(
    http: httpx.AsyncClient, futian: Api, member_url: str, event: Event
) -> None:
    v = await _victim(http, futian)
    before = await _read_write_reveal(v.api, member_url)
    assert [r.status_code for r in before] == [200, 201, 200], [r.text for r in before]
    assert before[2].json()["sensitive_revealed"] is True

    await event(http, futian, v)

    for r in await _read_write_reveal(v.api, member_url):
        body = problem(r, 401, "session_ended")
        assert body["detail"]
    problem(await v.api.get(f"{V1}/me"), 401, "session_ended")


async def test_a_password_reset_ends_every_session_of_the_account(
    http: httpx.AsyncClient, futian: Api
) -> None:
    v = await _victim(http, futian)
    phone, phone_refresh = await _log_in(http, v.username)
    other = await _victim(http, futian)
    await _reset_password(http, futian, v)
    for api, token in ((v.api, v.refresh_token), (phone, phone_refresh)):
        problem(await api.get(f"{V1}/users"), 401, "session_ended")
        r = await http.post(f"{V1}/auth/refresh", json={"refresh_token": token})
        problem(r, 401, "session_ended")
    # Another account's session is untouched; the new password logs in.
    assert (await other.api.get(f"{V1}/users")).status_code == 200
    fresh, _ = await _log_in(http, v.username, NEW_PASSWORD)
    assert (await fresh.get(f"{V1}/users")).status_code == 200


async def test_a_stale_token_does_not_block_login(http: httpx.AsyncClient, futian: Api) -> None:
    v = await _victim(http, futian)
    await _logout(http, futian, v)
    r = await http.post(
        f"{V1}/auth/login",
        json={"username": v.username, "password": PASSWORD},
        headers={"Authorization": f"Bearer {v.api.token}"},
    )
    assert r.status_code == 200, r.text


async def test_session_ended_is_explained_in_english(http: httpx.AsyncClient, futian: Api) -> None:
    v = await _victim(http, futian)
    await _logout(http, futian, v)
    r = await v.api.get(f"{V1}/me", headers={"Accept-Language": "en"})
    assert "session has ended" in problem(r, 401, "session_ended")["detail"]
    assert r.headers["www-authenticate"].startswith("Bearer")
