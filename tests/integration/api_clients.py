"""Registering API clients and getting their tokens, for the tests that act as one."""

from __future__ import annotations

from typing import Any

import httpx

from domain.integration import SCOPES
from tests.conftest import Api, unique

V1 = "/api/v1"
TOKEN = f"{V1}/auth/token"
# Every scope in the catalogue but `checkins:write`, which the matrix's county
# administrators cannot give.
EVERY_SCOPE = sorted(set(SCOPES) - {"checkins:write"})


async def register(admin: Api, scopes: list[str], **extra: Any) -> dict[str, Any]:
    r = await admin.post(
        f"{V1}/api-clients", json={"name": unique("对接系统"), "scopes": scopes, **extra}
    )
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


async def ask_token(
    http: httpx.AsyncClient, client_id: str, secret: str, **form: str
) -> httpx.Response:
    return await http.post(
        TOKEN, data={"grant_type": "client_credentials", **form}, auth=(client_id, secret)
    )


async def client_api(http: httpx.AsyncClient, client: dict[str, Any], **form: str) -> Api:
    """A caller acting as the client, with a token from the client credentials grant."""
    r = await ask_token(http, client["client_id"], client["client_secret"], **form)
    assert r.status_code == 200, r.text
    return Api(http, r.json()["access_token"], client["name"])
