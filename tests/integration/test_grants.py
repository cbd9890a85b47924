"""Grants: machine roles stay with machines, nobody hands out what they do not hold (shipped
roles too), role names resolve by scope, and lists show what single reads show."""

from __future__ import annotations

import uuid

import httpx

from tests.conftest import Api, login
from tests.integration.test_tenancy import (
    PASSWORD,
    V1,
    create_user,
    field_codes,
    problem,
)


async def test_machine_roles_are_not_granted_to_people(futian: Api) -> None:
    me = (await futian.get(f"{V1}/me")).json()
    user = await create_user(futian)
    for who in (me["id"], user["id"]):
        r = await futian.post(f"{V1}/role-assignments", json={"user_id": who, "role": "api_client"})
        assert ("role", "machine_only") in field_codes(problem(r, 422, "role_machine_only"))
    grants = (await futian.get(f"{V1}/role-assignments", params={"user_id": me["id"]})).json()
    assert "api_client" not in {g["role"] for g in grants["items"]}
    # ... so the check-in rights stay out of reach of a county administrator's custom roles.
    r = await futian.post(
        f"{V1}/roles",
        json={
            "name": "esc_" + uuid.uuid4().hex[:8],
            "display_name": "越权",
            "permissions": ["checkin:sync"],
        },
    )
    problem(r, 403, "permission_escalation")


async def test_shipped_roles_pass_the_escalation_check_too(
    http: httpx.AsyncClient, futian: Api
) -> None:
    name = "granter_" + uuid.uuid4().hex[:8]
    r = await futian.post(
        f"{V1}/roles",
        json={
            "name": name,
            "display_name": "授权员",
            "permissions": ["role_assignment:write", "role_assignment:read", "user:read"],
        },
    )
    assert r.status_code == 201, r.text
    granter = await create_user(futian)
    target = await create_user(futian)
    r = await futian.post(f"{V1}/role-assignments", json={"user_id": granter["id"], "role": name})
    assert r.status_code == 201, r.text
    api = await login(http, granter["username"], PASSWORD)
    for role in ("tenant_admin", "org_secretary", "inspector"):
        r = await api.post(f"{V1}/role-assignments", json={"user_id": target["id"], "role": role})
        assert ("role", "not_held") in field_codes(problem(r, 403, "permission_escalation"))
        assert r.json()["detail"]
    # What the granter holds itself it may hand on.
    r = await api.post(f"{V1}/role-assignments", json={"user_id": target["id"], "role": name})
    assert r.status_code == 201, r.text
    # A tenant administrator still appoints secretaries and members (self check-in is a
    # member's right over their own attendance, not power over anyone).
    r = await futian.post(
        f"{V1}/role-assignments", json={"user_id": target["id"], "role": "member"}
    )
    assert r.status_code == 201, r.text


async def test_same_custom_role_name_in_two_tenants_resolves_to_the_nearest(
    http: httpx.AsyncClient,
    city: Api,
    futian: Api,
    nanshan: Api,
    tenant_ids: dict[str, str],
) -> None:
    name = "dup_" + uuid.uuid4().hex[:8]
    defined = {}
    for api, permissions in (
        (city, ["organization:read"]),
        (futian, ["organization:read", "tenant:read"]),
        (nanshan, ["tenant:read"]),
    ):
        r = await api.post(
            f"{V1}/roles", json={"name": name, "display_name": "同名", "permissions": permissions}
        )
        assert r.status_code == 201, r.text
        defined[r.json()["tenant_id"]] = r.json()
    for code in ("440304", "440305", "440300"):
        user = await create_user(city, tenant_id=tenant_ids[code])
        r = await city.post(
            f"{V1}/role-assignments",
            json={"user_id": user["id"], "role": name, "tenant_id": tenant_ids[code]},
        )
        assert r.status_code == 201, r.text
        assert r.json()["role"] == f"r:{tenant_ids[code]}:{name}"
    # The city's own definition is the nearest for a grant on the city.
    assert tenant_ids["440300"] in defined


async def test_a_secretary_lists_only_its_branch(secretary: Api, futian: Api) -> None:
    me = (await secretary.get(f"{V1}/me")).json()
    (branch_domain,) = [g["domain"] for g in me["roles"] if g["role"] == "org_secretary"]
    prefix = branch_domain.removesuffix("*")

    grants = await secretary.get(f"{V1}/role-assignments", params={"limit": 200})
    assert grants.status_code == 200, grants.text
    items = grants.json()["items"]
    assert items
    assert all(g["domain"].startswith(prefix) for g in items)
    assert "tenant_admin" not in {g["role"] for g in items}

    users = await secretary.get(f"{V1}/users", params={"limit": 200})
    assert users.status_code == 200, users.text
    listed = {u["id"] for u in users.json()["items"]}
    assert me["id"] in listed
    assert listed <= {g["user_id"] for g in items}
    admin_id = (await futian.get(f"{V1}/me")).json()["id"]
    assert admin_id not in listed
    problem(await secretary.get(f"{V1}/users/{admin_id}"), 403, "forbidden")
    for user_id in listed:  # the single read agrees with the list
        assert (await secretary.get(f"{V1}/users/{user_id}")).status_code == 200
    # The tenant administrator still sees the whole county.
    everyone = (await futian.get(f"{V1}/users", params={"limit": 200})).json()["items"]
    assert {admin_id, me["id"]} <= {u["id"] for u in everyone}
