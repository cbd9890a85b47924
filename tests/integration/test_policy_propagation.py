"""A grant made through one worker reaches another worker without a restart."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest

from infra.settings import Settings
from tests.conftest import ADMIN_PASSWORD, Api, login, serve, unique


@pytest.fixture(scope="module")
async def second_worker(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """Another app instance with its own enforcer, as a second worker process would have.

    It trusts a live session for an hour, so only the NOTIFY can tell it one has ended.
    """
    from api.app import create_app

    trusting = settings.model_copy(update={"session_cache_seconds": 3600})
    async with (
        serve(create_app(trusting)) as url,
        httpx.AsyncClient(base_url=url, timeout=30) as client,
    ):
        yield client


async def _status_until(api: Api, url: str, wanted: int) -> int:
    status = 0
    for _ in range(100):
        status = (await api.get(url)).status_code
        if status == wanted:
            break
        await asyncio.sleep(0.05)
    return status


async def test_grant_and_revoke_reach_the_other_worker(
    futian: Api, second_worker: httpx.AsyncClient, tenant_ids: dict[str, str]
) -> None:
    username = unique("w")
    r = await futian.post(
        "/api/v1/users",
        json={"username": username, "display_name": "跨进程", "password": "Strong-Pass-2026"},
    )
    assert r.status_code == 201
    user_id = r.json()["id"]
    elsewhere = await login(second_worker, username, "Strong-Pass-2026")
    assert (await elsewhere.get("/api/v1/audit-events")).status_code == 403

    grant = await futian.post(
        "/api/v1/role-assignments", json={"user_id": user_id, "role": "inspector"}
    )
    assert grant.status_code == 201, grant.text
    assert await _status_until(elsewhere, "/api/v1/audit-events", 200) == 200

    revoke = await futian.delete(f"/api/v1/role-assignments/{grant.json()['id']}")
    assert revoke.status_code == 204
    # Removing a role ends the account's sessions, on the other worker too (NOTIFY).
    assert await _status_until(elsewhere, "/api/v1/audit-events", 401) == 401
    again = await login(second_worker, username, "Strong-Pass-2026")
    assert (await again.get("/api/v1/audit-events")).status_code == 403


async def test_a_session_ended_on_one_worker_ends_on_the_other(
    http: httpx.AsyncClient, second_worker: httpx.AsyncClient
) -> None:
    r = await http.post(
        "/api/v1/auth/login", json={"username": "gd_inspector", "password": ADMIN_PASSWORD}
    )
    assert r.status_code == 200, r.text
    tokens = r.json()
    elsewhere = Api(second_worker, tokens["access_token"], "gd_inspector")
    assert (await elsewhere.get("/api/v1/me")).status_code == 200  # remembered as alive there
    r = await http.post("/api/v1/auth/logout", json={"refresh_token": tokens["refresh_token"]})
    assert r.status_code == 204
    assert await _status_until(elsewhere, "/api/v1/me", 401) == 401
