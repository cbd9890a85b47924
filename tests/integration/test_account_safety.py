"""No administrator locks their tenant out: one's own password needs the current one, the
last active tenant_admin stays, and operators reset passwords from the command line with a
one-time password."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
from typer.testing import CliRunner

from api.cli import app
from infra.db.bootstrap import DatabaseUrls
from infra.seed import first_start_notice, seed
from tests.conftest import Api, login, unique
from tests.integration.test_tenancy import (
    PASSWORD,
    V1,
    create_tenant,
    create_user,
    field_codes,
    problem,
)


async def test_own_password_needs_the_current_one(http: httpx.AsyncClient, futian: Api) -> None:
    user = await create_user(futian)
    api = await login(http, user["username"], PASSWORD)
    new = {"new_password": "Changed-Pass-2026"}
    r = await api.post(f"{V1}/me/password", json={"current_password": "wrong", **new})
    body = problem(r, 403, "current_password_wrong")
    assert ("current_password", "wrong") in field_codes(body)
    r = await api.post(
        f"{V1}/me/password", json={"current_password": PASSWORD, "new_password": "x"}
    )
    assert "password" in {e["field"] for e in problem(r, 422, r.json()["code"])["errors"]}
    assert (await api.get(f"{V1}/me")).status_code == 200  # nothing changed, still logged in

    # An administrator changing its own password through PATCH /users needs it too.
    admin = await create_user(futian)
    r = await futian.post(
        f"{V1}/role-assignments", json={"user_id": admin["id"], "role": "tenant_admin"}
    )
    assert r.status_code == 201, r.text
    admin_api = await login(http, admin["username"], PASSWORD)
    url = f"{V1}/users/{admin['id']}"
    r = await admin_api.patch(url, json={"password": "Changed-Pass-2026"})
    problem(r, 422, "current_password_required")
    r = await admin_api.patch(url, json={"password": "Changed-Pass-2026", "current_password": "no"})
    problem(r, 403, "current_password_wrong")
    r = await admin_api.patch(
        url, json={"password": "Changed-Pass-2026", "current_password": PASSWORD}
    )
    assert r.status_code == 200, r.text
    await login(http, admin["username"], "Changed-Pass-2026")


async def test_the_last_tenant_admin_stays(http: httpx.AsyncClient, province: Api) -> None:
    city = await create_tenant(province, "445100")  # a city no other test creates
    first = await create_user(province, tenant_id=city["id"])
    second = await create_user(province, tenant_id=city["id"])
    r = await province.post(
        f"{V1}/role-assignments", json={"user_id": first["id"], "role": "tenant_admin"}
    )
    assert r.status_code == 201, r.text
    first_grant = r.json()["id"]
    only = await login(http, first["username"], PASSWORD)

    problem(
        await only.patch(f"{V1}/users/{first['id']}", json={"is_active": False}),
        409,
        "last_tenant_admin",
    )
    problem(await only.delete(f"{V1}/role-assignments/{first_grant}"), 409, "last_tenant_admin")
    problem(
        await province.patch(f"{V1}/users/{first['id']}", json={"is_active": False}),
        409,
        "last_tenant_admin",
    )
    assert (await only.get(f"{V1}/me")).status_code == 200  # refused, nothing ended

    r = await only.post(
        f"{V1}/role-assignments", json={"user_id": second["id"], "role": "tenant_admin"}
    )
    assert r.status_code == 201, r.text
    second_grant = r.json()["id"]
    r = await only.patch(f"{V1}/users/{first['id']}", json={"is_active": False})
    assert r.status_code == 200, r.text
    # The remaining administrator is now the last one.
    successor = await login(http, second["username"], PASSWORD)
    problem(
        await successor.delete(f"{V1}/role-assignments/{second_grant}"), 409, "last_tenant_admin"
    )
    r = await successor.patch(f"{V1}/users/{first['id']}", json={"is_active": True})
    assert r.status_code == 200, r.text
    r = await successor.delete(f"{V1}/role-assignments/{second_grant}")
    assert r.status_code == 204, r.text


async def test_cli_resets_a_password_once_and_ends_sessions(
    http: httpx.AsyncClient,
    futian: Api,
    database: DatabaseUrls,
    data_dir: Path,
) -> None:
    user = await create_user(futian)
    api = await login(http, user["username"], PASSWORD)
    env = {"DATABASE_URL": database.admin, "ZHIBU_DATA_DIR": str(data_dir)}

    def run(*args: str) -> tuple[int, str]:
        result = CliRunner().invoke(app, ["users", "reset-password", *args], env=env)
        return result.exit_code, result.output

    code, output = await asyncio.to_thread(run, user["username"])
    assert code == 0, output
    password = output.splitlines()[1].strip()
    problem(await api.get(f"{V1}/me"), 401, "session_ended")
    r = await http.post(
        f"{V1}/auth/login", json={"username": user["username"], "password": PASSWORD}
    )
    assert r.status_code == 401
    # The one-time password opens nothing but the change of password.
    fresh = await login(http, user["username"], password)
    problem(await fresh.get(f"{V1}/me"), 403, "password_change_required")
    problem(await fresh.get(f"{V1}/organizations"), 403, "password_change_required")
    r = await fresh.post(
        f"{V1}/me/password", json={"current_password": password, "new_password": PASSWORD + "x"}
    )
    assert r.status_code == 204, r.text
    problem(await fresh.get(f"{V1}/me"), 401, "session_ended")
    chosen = await login(http, user["username"], PASSWORD + "x")
    assert (await chosen.get(f"{V1}/me")).status_code == 200
    r = await futian.get(
        f"{V1}/audit-events", params={"action": "user.password_reset", "resource_type": "user"}
    )
    events = [e for e in r.json()["items"] if e["resource_id"] == user["id"]]
    assert [e["actor_name"] for e in events] == ["cli"]

    code, output = await asyncio.to_thread(run, unique("nobody"))
    assert code == 1
    assert "nobody" in output


def test_admin_password_on_a_later_start_is_ignored_and_said(database: DatabaseUrls) -> None:
    result = seed(database.admin, admin_password="Yet-Another-Pass-2026", demo=False)
    assert result.admin_password_ignored is True
    out = first_start_notice(result)
    assert out is not None
    assert "ZHIBU_ADMIN_PASSWORD" in out
    assert "reset-password" in out
