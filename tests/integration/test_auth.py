"""Login, refresh rotation and reuse detection, lockout, /me."""

from __future__ import annotations

import httpx

from tests.conftest import ADMIN_PASSWORD, Api, login, unique


async def _new_user(admin: Api, tenant_id: str, password: str = "Strong-Pass-2026") -> str:
    username = unique("u")
    r = await admin.post(
        "/api/v1/users",
        json={
            "username": username,
            "display_name": "测试用户",
            "password": password,
            "tenant_id": tenant_id,
        },
    )
    assert r.status_code == 201, r.text
    return username


async def test_login_and_me_show_tenant_and_roles(http: httpx.AsyncClient) -> None:
    api = await login(http, "futian_admin")
    r = await api.get("/api/v1/me")
    assert r.status_code == 200
    body = r.json()
    assert body["username"] == "futian_admin"
    assert body["tenant"]["code"] == "440304"
    assert {"role": "tenant_admin", "domain": "zb/440000/440300/440304/*"} in body["roles"]


async def test_login_by_phone(
    http: httpx.AsyncClient, admin: Api, tenant_ids: dict[str, str]
) -> None:
    username = unique("p")
    phone = "139" + str(uuid_digits())
    r = await admin.post(
        "/api/v1/users",
        json={
            "username": username,
            "display_name": "手机用户",
            "password": "Strong-Pass-2026",
            "phone": phone,
            "tenant_id": tenant_ids["440304"],
        },
    )
    assert r.status_code == 201, r.text
    r = await http.post(
        "/api/v1/auth/login", json={"username": phone, "password": "Strong-Pass-2026"}
    )
    assert r.status_code == 200


def uuid_digits() -> str:
    import random

    return "".join(random.choice("0123456789") for _ in range(8))


async def test_wrong_password_is_401_with_code(http: httpx.AsyncClient) -> None:
    r = await http.post("/api/v1/auth/login", json={"username": "admin", "password": "nope"})
    assert r.status_code == 401
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["code"] == "invalid_credentials"
    r = await http.post(
        "/api/v1/auth/login",
        json={"username": "nobody-here", "password": "nope"},
        headers={"Accept-Language": "en"},
    )
    assert r.json()["code"] == "invalid_credentials"
    assert r.json()["detail"] == "Wrong username or password."


async def test_lockout_after_repeated_failures(
    http: httpx.AsyncClient, admin: Api, tenant_ids: dict[str, str]
) -> None:
    username = await _new_user(admin, tenant_ids["440304"])
    codes = []
    for _ in range(5):
        r = await http.post("/api/v1/auth/login", json={"username": username, "password": "bad"})
        codes.append(r.json()["code"])
    assert codes[:4] == ["invalid_credentials"] * 4
    assert codes[4] == "account_locked"
    # Even the right password is refused while locked.
    r = await http.post(
        "/api/v1/auth/login",
        json={"username": username, "password": "Strong-Pass-2026"},
        headers={"Accept-Language": "en"},
    )
    assert r.status_code == 429
    assert r.json()["code"] == "account_locked"
    assert r.json()["detail"].endswith("+08:00."), r.json()["detail"]
    events = await admin.get("/api/v1/audit-events", params={"action": "auth.login", "limit": 200})
    outcomes = [e["outcome"] for e in events.json()["items"] if e["actor_name"] == username]
    assert sorted(outcomes) == ["denied"] + ["failure"] * 5


async def test_refresh_rotates_and_reuse_revokes_family(http: httpx.AsyncClient) -> None:
    r = await http.post(
        "/api/v1/auth/login", json={"username": "admin", "password": ADMIN_PASSWORD}
    )
    first = r.json()["refresh_token"]
    r = await http.post("/api/v1/auth/refresh", json={"refresh_token": first})
    assert r.status_code == 200
    second = r.json()["refresh_token"]
    assert second != first
    me = await http.get(
        "/api/v1/me", headers={"Authorization": f"Bearer {r.json()['access_token']}"}
    )
    assert me.status_code == 200
    # Replaying the first token is theft: the whole family dies, the second token too.
    r = await http.post("/api/v1/auth/refresh", json={"refresh_token": first})
    assert r.status_code == 401
    assert r.json()["code"] == "refresh_token_reused"
    r = await http.post("/api/v1/auth/refresh", json={"refresh_token": second})
    assert r.status_code == 401


async def test_logout_revokes_session(http: httpx.AsyncClient) -> None:
    r = await http.post(
        "/api/v1/auth/login", json={"username": "admin", "password": ADMIN_PASSWORD}
    )
    token = r.json()["refresh_token"]
    assert (
        await http.post("/api/v1/auth/logout", json={"refresh_token": token})
    ).status_code == 204
    r = await http.post("/api/v1/auth/refresh", json={"refresh_token": token})
    assert r.status_code == 401


async def test_garbage_tokens_are_401_not_500(http: httpx.AsyncClient) -> None:
    for header in ("Bearer x.y.z", "Bearer", "Basic abc", "Bearer ' OR 1=1 --"):
        r = await http.get("/api/v1/me", headers={"Authorization": header})
        assert r.status_code == 401, header
    for token in ("rt.x.y.z", "rt..", "' OR 1=1", "rt." + "0" * 32 + "." + "0" * 32 + ".s"):
        r = await http.post("/api/v1/auth/refresh", json={"refresh_token": token})
        assert r.status_code == 401, token
        assert r.json()["code"] == "refresh_token_invalid"


async def test_taken_username_is_a_conflict_in_the_same_tenant_as_in_another(
    admin: Api, tenant_ids: dict[str, str]
) -> None:
    username = await _new_user(admin, tenant_ids["440304"])
    for tenant in ("440304", "440305"):
        r = await admin.post(
            "/api/v1/users",
            json={
                "username": username,
                "display_name": "重名用户",
                "password": "Strong-Pass-2026",
                "tenant_id": tenant_ids[tenant],
            },
        )
        assert r.status_code == 409, (tenant, r.text)
        assert r.json()["code"] == "username_taken"
