"""API clients (issue 13 items 1–2): registration within what the administrator holds,
the client credentials grant and each of its refusals, scopes and subtree enforced on what a
client does, rotation with overlap, revocation at once, sensitive reads audited."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import AsyncIterator

import httpx
import pytest

from infra.settings import Settings
from tests.conftest import Api, serve
from tests.integration.api_clients import (
    TOKEN,
    V1,
    ask_token,
    client_api,
    register,
)
from tests.integration.members.helpers import create_member, new_branch


@pytest.fixture(scope="module")
async def branches(futian: Api) -> tuple[str, str]:
    """Two branches of one 福田 party committee: the one a client is confined to, and a sibling."""
    r = await futian.post(
        f"{V1}/organizations", json={"kind": "party_committee", "name": "接口测试党委"}
    )
    assert r.status_code == 201, r.text
    parent = r.json()["id"]
    return await new_branch(futian, parent), await new_branch(futian, parent)


async def test_registration_shows_the_secret_once(futian: Api) -> None:
    made = await register(futian, ["members:read", "organizations:read"])
    assert made["client_id"].startswith("zbc.")
    assert made["client_secret"].startswith("zbs.")
    assert made["scopes"] == ["members:read", "organizations:read"]
    assert [s["expires_at"] for s in made["secrets"]] == [None]
    got = await futian.get(f"{V1}/api-clients/{made['id']}")
    assert got.status_code == 200, got.text
    assert "client_secret" not in got.json()
    assert made["client_secret"] not in got.text
    listed = await futian.get(f"{V1}/api-clients", params={"limit": 200})
    assert made["id"] in [c["id"] for c in listed.json()["items"]]


async def test_the_scope_catalogue_lists_the_sensitive_scope(futian: Api) -> None:
    r = await futian.get(f"{V1}/api-scopes", headers={"Accept-Language": "en"})
    scopes = {s["name"]: s for s in r.json()}
    assert scopes["members:sensitive:read"]["sensitive"] is True
    assert scopes["members:sensitive:read"]["permissions"] == ["member:read_sensitive"]
    assert scopes["members:read"]["sensitive"] is False


async def test_an_unknown_scope_is_refused(futian: Api) -> None:
    unknown = await futian.post(
        f"{V1}/api-clients", json={"name": "未知范围", "scopes": ["members:delete"]}
    )
    assert unknown.status_code == 400, unknown.text
    assert unknown.json()["errors"][0]["field"] == "scopes[0]"


async def test_a_secretary_registers_no_client(secretary: Api) -> None:
    r = await secretary.post(
        f"{V1}/api-clients", json={"name": "支部系统", "scopes": ["members:read"]}
    )
    assert r.status_code == 403, r.text


async def test_the_token_comes_by_basic_or_by_the_body(
    http: httpx.AsyncClient, futian: Api
) -> None:
    made = await register(futian, ["members:read", "organizations:read"])
    basic = await ask_token(http, made["client_id"], made["client_secret"])
    assert basic.status_code == 200, basic.text
    assert basic.headers["cache-control"] == "no-store"
    token = basic.json()
    assert token["token_type"] == "Bearer"
    assert token["scope"] == "members:read organizations:read"
    assert 0 < token["expires_in"] <= 3600
    body = await http.post(
        TOKEN,
        data={
            "grant_type": "client_credentials",
            "client_id": made["client_id"],
            "client_secret": made["client_secret"],
            "scope": "members:read",
        },
    )
    assert body.status_code == 200, body.text
    assert body.json()["scope"] == "members:read"


async def test_each_refusal_is_an_oauth_error(http: httpx.AsyncClient, futian: Api) -> None:
    made = await register(futian, ["members:read"])
    cid, secret = made["client_id"], made["client_secret"]

    def error(r: httpx.Response, status: int, code: str) -> None:
        assert r.status_code == status, r.text
        assert r.headers["content-type"].startswith("application/json")
        assert r.json()["error"] == code
        assert r.json()["error_description"]

    wrong = await ask_token(http, cid, secret[:-2] + "xx")
    error(wrong, 401, "invalid_client")
    assert wrong.headers["www-authenticate"].startswith("Basic")
    error(await ask_token(http, cid.replace("zbc.", "zbc.0"), secret), 401, "invalid_client")
    error(await http.post(TOKEN, data={"grant_type": "client_credentials"}), 401, "invalid_client")
    error(await ask_token(http, cid, secret, grant_type="password"), 400, "unsupported_grant_type")
    error(
        await http.post(TOKEN, data={"client_id": cid}, auth=(cid, secret)), 400, "invalid_request"
    )
    error(await ask_token(http, cid, secret, scope="members:write"), 400, "invalid_scope")
    both = await http.post(
        TOKEN,
        data={"grant_type": "client_credentials", "client_id": cid, "client_secret": secret},
        auth=(cid, secret),
    )
    error(both, 400, "invalid_request")
    twice = await http.post(
        TOKEN,
        content=b"grant_type=client_credentials&grant_type=client_credentials",
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Authorization": "Basic " + base64.b64encode(f"{cid}:{secret}".encode()).decode(),
        },
    )
    error(twice, 400, "invalid_request")
    as_json = await http.post(TOKEN, json={"grant_type": "client_credentials"}, auth=(cid, secret))
    error(as_json, 400, "invalid_request")


async def test_a_client_acts_with_its_scopes_only(
    http: httpx.AsyncClient, futian: Api, branches: tuple[str, str]
) -> None:
    member = await create_member(futian, branches[0])
    client = await client_api(http, await register(futian, ["members:read", "organizations:read"]))
    r = await client.get(f"{V1}/members/{member['id']}")
    assert r.status_code == 200, r.text
    assert (await client.get(f"{V1}/organizations", params={"limit": 5})).status_code == 200
    refused = [
        await client.patch(f"{V1}/members/{member['id']}", json={"name": "改名"}),
        await client.get(f"{V1}/members/{member['id']}", params={"reveal": "true"}),
        await client.get(f"{V1}/users"),
        await client.get(f"{V1}/api-clients"),
        await client.post(f"{V1}/api-clients", json={"name": "x", "scopes": ["members:read"]}),
    ]
    assert [r.status_code for r in refused] == [403] * len(refused), [r.text for r in refused]
    narrowed = await client_api(
        http, await register(futian, ["members:read", "organizations:read"]), scope="members:read"
    )
    assert (await narrowed.get(f"{V1}/organizations")).status_code == 403


async def test_a_client_of_one_organization_sees_only_its_subtree(
    http: httpx.AsyncClient, futian: Api, branches: tuple[str, str]
) -> None:
    mine, sibling = branches
    inside = await create_member(futian, mine)
    outside = await create_member(futian, sibling)
    made = await register(futian, ["members:read"], organization_id=mine)
    assert made["organization_id"] == mine
    client = await client_api(http, made)
    assert (await client.get(f"{V1}/members/{inside['id']}")).status_code == 200
    assert (await client.get(f"{V1}/members/{outside['id']}")).status_code in (403, 404)
    # As for a branch secretary, a list names the organization it is about.
    listed = await client.get(f"{V1}/members", params={"limit": 200, "organization_id": mine})
    assert listed.status_code == 200, listed.text
    assert inside["id"] in {m["id"] for m in listed.json()["items"]}
    other = await client.get(f"{V1}/members", params={"organization_id": sibling})
    assert other.status_code in (403, 404), other.text
    assert outside["id"] not in other.text


async def test_sensitive_reads_need_their_scope_and_are_audited(
    http: httpx.AsyncClient, futian: Api, branches: tuple[str, str]
) -> None:
    member = await create_member(futian, branches[0])
    made = await register(futian, ["members:read", "members:sensitive:read"])
    client = await client_api(http, made)
    r = await client.get(f"{V1}/members/{member['id']}", params={"reveal": "true"})
    assert r.status_code == 200, r.text
    assert "*" in member["id_number"]
    assert "*" not in r.json()["id_number"]
    audit = await futian.get(
        f"{V1}/audit-events",
        params={"action": "member.read_sensitive", "resource_type": "member", "limit": 200},
    )
    mine = [e for e in audit.json()["items"] if e["resource_id"] == member["id"]]
    assert len(mine) == 1
    assert mine[0]["actor_name"] == f"api_client:{made['name']}"


async def test_rotation_keeps_the_old_secret_for_the_overlap(
    http: httpx.AsyncClient, futian: Api
) -> None:
    made = await register(futian, ["members:read"])
    cid, first = made["client_id"], made["client_secret"]
    rotated = await futian.post(f"{V1}/api-clients/{made['id']}/rotate", json={})
    assert rotated.status_code == 200, rotated.text
    second = rotated.json()["client_secret"]
    assert second != first
    assert [s["expires_at"] is None for s in rotated.json()["secrets"]] == [False, True]
    assert (await ask_token(http, cid, first)).status_code == 200
    assert (await ask_token(http, cid, second)).status_code == 200
    third = await futian.post(f"{V1}/api-clients/{made['id']}/rotate", json={"overlap_seconds": 0})
    assert third.status_code == 200, third.text
    assert (await ask_token(http, cid, first)).status_code == 401
    assert (await ask_token(http, cid, second)).status_code == 401
    assert (await ask_token(http, cid, third.json()["client_secret"])).status_code == 200
    too_long = await futian.post(
        f"{V1}/api-clients/{made['id']}/rotate", json={"overlap_seconds": 8 * 86400}
    )
    assert too_long.status_code == 400, too_long.text


async def test_revocation_ends_the_tokens_at_once(http: httpx.AsyncClient, futian: Api) -> None:
    made = await register(futian, ["members:read", "organizations:read"])
    client = await client_api(http, made)
    assert (await client.get(f"{V1}/organizations")).status_code == 200
    r = await futian.post(f"{V1}/api-clients/{made['id']}/revoke")
    assert r.status_code == 200, r.text
    assert r.json()["revoked_at"] is not None
    after = await client.get(f"{V1}/organizations")
    assert after.status_code == 401, after.text
    assert after.json()["code"] == "api_client_revoked"
    assert (await ask_token(http, made["client_id"], made["client_secret"])).status_code == 401
    again = await futian.post(f"{V1}/api-clients/{made['id']}/rotate", json={})
    assert again.status_code == 409, again.text


@pytest.fixture(scope="module")
async def second_worker(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """Another app instance, as a second worker process; it trusts what it knows of a
    client for an hour, so only the NOTIFY can tell it the client was revoked."""
    from api.app import create_app

    trusting = settings.model_copy(update={"session_cache_seconds": 3600})
    async with (
        serve(create_app(trusting)) as url,
        httpx.AsyncClient(base_url=url, timeout=30) as client,
    ):
        yield client


async def test_revocation_reaches_the_other_worker(
    http: httpx.AsyncClient, futian: Api, second_worker: httpx.AsyncClient
) -> None:
    made = await register(futian, ["organizations:read"])
    token = (await client_api(http, made)).token
    elsewhere = Api(second_worker, token, made["name"])
    assert (await elsewhere.get(f"{V1}/organizations")).status_code == 200  # known alive there
    assert (await futian.post(f"{V1}/api-clients/{made['id']}/revoke")).status_code == 200
    status = 0
    for _ in range(100):
        status = (await elsewhere.get(f"{V1}/organizations")).status_code
        if status == 401:
            break
        await asyncio.sleep(0.05)
    assert status == 401


async def test_another_county_neither_sees_nor_revokes_the_client(
    futian: Api, nanshan: Api, province: Api
) -> None:
    made = await register(futian, ["members:read"])
    assert (await nanshan.get(f"{V1}/api-clients/{made['id']}")).status_code == 404
    assert (await nanshan.post(f"{V1}/api-clients/{made['id']}/revoke")).status_code == 404
    listed = await nanshan.get(f"{V1}/api-clients", params={"limit": 200})
    assert made["id"] not in [c["id"] for c in listed.json()["items"]]
    assert (await province.get(f"{V1}/api-clients/{made['id']}")).status_code == 200
