"""Places for transfers: a party committee with two branches in a tenant, its staff (the
branch's secretary, who starts, and the committee's, who approves), members in them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from tests.conftest import Api, login, unique
from tests.integration.members.helpers import create_member

V1 = "/api/v1"
PASSWORD = "Transfer-Pass-2026!"


def ok(r: httpx.Response, status: int = 200) -> dict[str, Any]:
    assert r.status_code == status, r.text
    body: dict[str, Any] = r.json()
    return body


def refused(r: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert r.status_code == status, r.text
    body: dict[str, Any] = r.json()
    assert body["code"] == code, body
    return body


async def staff(
    http: httpx.AsyncClient,
    admin: Api,
    role: str,
    organization_id: str,
    tenant_id: str | None = None,
) -> Api:
    username = unique("zj")
    user = ok(
        await admin.post(
            f"{V1}/users",
            json={
                "username": username,
                "display_name": "转接" + username[-4:],
                "password": PASSWORD,
                **({"tenant_id": tenant_id} if tenant_id else {}),
            },
        ),
        201,
    )
    ok(
        await admin.post(
            f"{V1}/role-assignments",
            json={"user_id": user["id"], "role": role, "organization_id": organization_id},
        ),
        201,
    )
    return await login(http, username, PASSWORD)


@dataclass
class Place:
    """A tenant's committee with two branches, as one tenant administrator sees it."""

    admin: Api
    tenant_code: str
    committee: str
    branch: str
    other_branch: str

    async def member(self, branch: str | None = None, **overrides: Any) -> str:
        return str((await create_member(self.admin, branch or self.branch, **overrides))["id"])


async def place(admin: Api, tenant_code: str) -> Place:
    name = unique("转接党委")
    committee = ok(
        await admin.post(f"{V1}/organizations", json={"kind": "party_committee", "name": name}),
        201,
    )["id"]
    branches = [
        ok(
            await admin.post(
                f"{V1}/organizations",
                json={"kind": "branch", "name": f"{name}第{n}支部", "parent_id": committee},
            ),
            201,
        )["id"]
        for n in (1, 2)
    ]
    return Place(admin, tenant_code, committee, branches[0], branches[1])


async def start(api: Api, member_id: str, target: Place | None, **body: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {"member_id": member_id, "reason": "work_change", **body}
    if target is not None:
        payload.setdefault("target_tenant_code", target.tenant_code)
        payload.setdefault("target_organization_id", target.other_branch)
    return ok(await api.post(f"{V1}/transfers", json=payload), 201)


async def act(api: Api, transfer_id: str, action: str, **body: Any) -> httpx.Response:
    return await api.post(f"{V1}/transfers/{transfer_id}/{action}", json=body)
