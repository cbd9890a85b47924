"""Lockout cannot be abused, answers do not reveal accounts, rate limits hold (issue 9: 4, 5).

Clients come from different loopback addresses (127.0.0.x) through httpx's local address:
the server takes the peer address as the client's, as it trusts no proxy by default.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest

from infra.settings import Settings
from tests.conftest import Api, login, serve, unique

V1 = "/api/v1"
PASSWORD = "Strong-Pass-2026"
_hosts = itertools.count(10)


@asynccontextmanager
async def client_from(base_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """A client on a loopback address no other test uses."""
    n = next(_hosts)
    address = f"127.0.{n // 250}.{n % 250 + 2}"
    transport = httpx.AsyncHTTPTransport(local_address=address)
    async with httpx.AsyncClient(base_url=base_url, transport=transport, timeout=30) as client:
        yield client


async def new_user(futian: Api, **extra: str) -> dict[str, str]:
    r = await futian.post(
        f"{V1}/users",
        json={"username": unique("la"), "display_name": "登录测试", "password": PASSWORD, **extra},
    )
    assert r.status_code == 201, r.text
    return dict(r.json())


async def attempt(client: httpx.AsyncClient, username: str, password: str) -> httpx.Response:
    return await client.post(f"{V1}/auth/login", json={"username": username, "password": password})


def comparable(r: httpx.Response) -> tuple[int, dict[str, object]]:
    body = r.json()
    body.pop("request_id")
    return r.status_code, body


async def test_a_client_that_failed_is_locked_and_another_client_still_logs_in(
    server: str, futian: Api
) -> None:
    user = await new_user(futian)
    async with client_from(server) as attacker, client_from(server) as owner:
        codes = [(await attempt(attacker, user["username"], "Wrong-Pass-0000")) for _ in range(5)]
        assert [r.json()["code"] for r in codes] == ["invalid_credentials"] * 4 + ["account_locked"]
        locked = codes[-1]
        assert locked.status_code == 429
        assert int(locked.headers["retry-after"]) > 0
        # The client that failed stays locked out, even with the right password...
        r = await attempt(attacker, user["username"], PASSWORD)
        assert (r.status_code, r.json()["code"]) == (429, "account_locked")
        # ...the owner, from an address that has not failed, is not refused.
        r = await attempt(owner, user["username"], PASSWORD)
        assert r.status_code == 200, r.text
    # Failures and refusals are audited (等保 2.0).
    events = await futian.get(f"{V1}/audit-events", params={"action": "auth.login", "limit": 200})
    outcomes = [e["outcome"] for e in events.json()["items"] if e["actor_name"] == user["username"]]
    assert sorted(outcomes) == ["denied"] + ["failure"] * 5 + ["success"]


async def test_unknown_disabled_and_wrong_password_answer_alike(server: str, futian: Api) -> None:
    wrong = await new_user(futian)
    disabled = await new_user(futian)
    r = await futian.patch(f"{V1}/users/{disabled['id']}", json={"is_active": False})
    assert r.status_code == 200
    async with client_from(server) as client:
        answers = {
            "unknown": await attempt(client, unique("nobody"), PASSWORD),
            "disabled": await attempt(client, disabled["username"], PASSWORD),
            "wrong": await attempt(client, wrong["username"], "Wrong-Pass-0000"),
        }
        seen = {name: comparable(r) for name, r in answers.items()}
        assert seen["unknown"] == seen["disabled"] == seen["wrong"]
        assert seen["wrong"][0] == 401
        assert seen["wrong"][1]["code"] == "invalid_credentials"
        # Repeated failures lock unknown names exactly like real ones: no oracle in the 429.
        unknown = unique("nobody")
        for _ in range(4):
            await attempt(client, unknown, PASSWORD)
            await attempt(client, wrong["username"], "Wrong-Pass-0000")
        locked = [
            await attempt(client, unknown, PASSWORD),
            await attempt(client, wrong["username"], "Wrong-Pass-0000"),
        ]
        assert [r.status_code for r in locked] == [429, 429]
        assert {r.json()["code"] for r in locked} == {"account_locked"}


async def test_a_password_reset_clears_the_lock(server: str, futian: Api) -> None:
    user = await new_user(futian)
    async with client_from(server) as client:
        for _ in range(5):
            await attempt(client, user["username"], "Wrong-Pass-0000")
        assert (await attempt(client, user["username"], PASSWORD)).status_code == 429
        r = await futian.patch(f"{V1}/users/{user['id']}", json={"password": "Another-Pass-2026"})
        assert r.status_code == 200, r.text
        assert (await attempt(client, user["username"], "Another-Pass-2026")).status_code == 200


@pytest.fixture(scope="module")
async def limited_server(settings: Settings) -> AsyncIterator[str]:
    """A second server on the same database with small limits, to reach them quickly."""
    from api.app import create_app

    low = settings.model_copy(
        update={"auth_rate_per_minute": 3, "account_rate_per_minute": 4, "user_rate_per_minute": 5}
    )
    async with serve(create_app(low)) as url:
        yield url


async def test_auth_requests_per_address_are_limited_with_headers(limited_server: str) -> None:
    async with client_from(limited_server) as client:
        answers = [await attempt(client, unique("rl"), "Wrong-Pass-0000") for _ in range(4)]
    assert [r.status_code for r in answers] == [401, 401, 401, 429]
    assert [r.headers["ratelimit-remaining"] for r in answers] == ["2", "1", "0", "0"]
    assert all(r.headers["ratelimit-limit"] == "3" for r in answers)
    refused = answers[-1]
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["code"] == "rate_limited"
    assert 0 < int(refused.headers["retry-after"]) <= 60
    assert int(refused.headers["ratelimit-reset"]) == int(refused.headers["retry-after"])


async def test_attempts_on_one_account_are_limited_across_addresses(limited_server: str) -> None:
    username = unique("acct")
    answers = []
    for _ in range(5):
        async with client_from(limited_server) as client:
            answers.append(await attempt(client, username, "Wrong-Pass-0000"))
    assert [r.status_code for r in answers] == [401, 401, 401, 401, 429]
    assert answers[-1].json()["code"] == "rate_limited"
    assert "retry-after" in answers[-1].headers


async def test_each_user_has_a_general_limit(
    http: httpx.AsyncClient, limited_server: str, futian: Api
) -> None:
    user, second = await new_user(futian), await new_user(futian)
    token = (await login(http, user["username"], PASSWORD)).token
    other = (await login(http, second["username"], PASSWORD)).token
    async with httpx.AsyncClient(base_url=limited_server, timeout=30) as client:

        async def me(bearer: str) -> httpx.Response:
            return await client.get(f"{V1}/me", headers={"Authorization": f"Bearer {bearer}"})

        statuses = [(await me(token)).status_code for _ in range(6)]
        assert statuses == [200] * 5 + [429]
        # Another user is not held back by the first one's limit.
        assert (await me(other)).status_code == 200
