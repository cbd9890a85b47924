"""查重 across tenants: a 身份证号 registered in another county is refused, pointing to the
transfer; each hit is audited in both counties and a user's hits per day are limited."""

from __future__ import annotations

from typing import Any

import httpx

from domain.members.probes import DAILY_CROSS_TENANT_HITS
from tests.conftest import Api, login, unique
from tests.integration.members.helpers import (
    create_member,
    id_number,
    member_body,
    new_branch,
    org_ids,
)

PASSWORD = "Probe-Pass-2026"


async def _secretary(
    futian: Api, http: httpx.AsyncClient, tenant_id: str, *, role: str = "org_secretary"
) -> tuple[Api, str]:
    """A new futian user and a new branch, `role` on the branch (a custom role on the
    county): a budget of its own."""
    orgs = await org_ids(futian, tenant_id)
    branch = await new_branch(futian, orgs["福田区直属机关党委"])
    username = unique("probe")
    r = await futian.post(
        "/api/v1/users",
        json={"username": username, "display_name": "查重", "password": PASSWORD},
    )
    assert r.status_code == 201, r.text
    user_id = r.json()["id"]
    grant = {"user_id": user_id, "role": role}
    if role == "org_secretary":
        grant["organization_id"] = branch
    r = await futian.post("/api/v1/role-assignments", json=grant)
    assert r.status_code == 201, r.text
    return await login(http, username, PASSWORD), branch


async def _events(api: Api, action: str) -> list[dict[str, Any]]:
    r = await api.get("/api/v1/audit-events", params={"action": action, "limit": 200})
    assert r.status_code == 200, r.text
    return list(r.json()["items"])


async def test_hits_elsewhere_are_audited_on_both_sides_and_limited(
    futian: Api, nanshan: Api, province: Api, tenant_ids: dict[str, str], http: httpx.AsyncClient
) -> None:
    futian_id, nanshan_id = tenant_ids["440304"], tenant_ids["440305"]
    nanshan_branch = (await org_ids(nanshan, nanshan_id))["区教育局党支部"]
    numbers = [id_number() for _ in range(DAILY_CROSS_TENANT_HITS + 1)]
    for number in numbers:
        await create_member(nanshan, nanshan_branch, name="周八", id_number=number)
    secretary, branch = await _secretary(futian, http, futian_id)
    me = (await secretary.get("/api/v1/me")).json()

    r = await secretary.post("/api/v1/members", json=member_body(branch, id_number=numbers[0]))
    assert r.status_code == 409, r.text
    body = r.json()
    assert body["code"] == "member_duplicate_id_number"
    assert "组织关系转接" in body["detail"]
    assert "周八" not in r.text
    assert "教育局" not in r.text

    mine = [e for e in await _events(futian, "member.identity_probe") if e["actor_id"] == me["id"]]
    assert len(mine) == 1
    assert mine[0]["detail"] == {"holder_tenant_ids": [nanshan_id], "hits": 1}
    theirs = [
        e for e in await _events(nanshan, "member.identity_probed") if e["actor_id"] == me["id"]
    ]
    assert len(theirs) == 1
    assert theirs[0]["actor_name"] == me["username"]
    assert theirs[0]["detail"] == {"asked_by_tenant_id": futian_id, "hits": 1}

    for number in numbers[1:DAILY_CROSS_TENANT_HITS]:
        r = await secretary.post("/api/v1/members", json=member_body(branch, id_number=number))
        assert r.status_code == 409, r.text
    # The budget is spent: every new 身份证号 is refused alike, registered elsewhere or not.
    for number in (numbers[-1], id_number()):
        r = await secretary.post("/api/v1/members", json=member_body(branch, id_number=number))
        assert r.status_code == 429, r.text
        assert r.headers["content-type"].startswith("application/problem+json")
        assert r.json()["code"] == "identity_check_limited"
        assert int(r.headers["retry-after"]) > 0
    # Nothing was registered by the refused requests; others keep their own budget.
    r = await province.get("/api/v1/members", params={"q": numbers[-1]})
    assert [m["tenant_id"] for m in r.json()["items"]] == [nanshan_id]
    other, other_branch = await _secretary(futian, http, futian_id)
    r = await other.post("/api/v1/members", json=member_body(other_branch))
    assert r.status_code == 201, r.text


async def test_a_dry_run_import_counts_and_audits_its_hits(
    futian: Api, nanshan: Api, tenant_ids: dict[str, str], http: httpx.AsyncClient
) -> None:
    futian_id, nanshan_id = tenant_ids["440304"], tenant_ids["440305"]
    nanshan_branch = (await org_ids(nanshan, nanshan_id))["区教育局党支部"]
    elsewhere = [id_number() for _ in range(3)]
    for number in elsewhere:
        await create_member(nanshan, nanshan_branch, id_number=number)
    importer = unique("importer_")
    r = await futian.post(
        "/api/v1/roles",
        json={
            "name": importer,
            "display_name": "导入",
            "permissions": ["organization:read", "member:read", "member:write", "member:import"],
        },
    )
    assert r.status_code == 201, r.text
    secretary, branch = await _secretary(futian, http, futian_id, role=importer)
    # by id: the county holds more organizations than one page of the list
    branch_name = (await futian.get(f"/api/v1/organizations/{branch}")).json()["organization"][
        "name"
    ]
    me = (await secretary.get("/api/v1/me")).json()
    header = "姓名,身份证号码,所在党支部,入党时间,转正时间\n"
    rows = [*elsewhere, id_number()]
    lines = [f"吴{i},{n},{branch_name},2010-07-01,2011-07-01" for i, n in enumerate(rows)]
    content = (header + "\n".join(lines) + "\n").encode()
    r = await secretary.post(
        "/api/v1/members/import",
        files={"file": ("党员.csv", content)},
        data={"dry_run": "true"},
    )
    assert r.status_code == 200, r.text
    refused = {row["row"]: row["errors"][0] for row in r.json()["refused_rows"]}
    assert set(refused) == {2, 3, 4}
    assert all(e["code"] == "duplicate_elsewhere" for e in refused.values())
    assert "组织关系转接" in refused[2]["message"]
    mine = [e for e in await _events(futian, "member.identity_probe") if e["actor_id"] == me["id"]]
    assert [e["detail"] for e in mine] == [{"holder_tenant_ids": [nanshan_id], "hits": 3}]
    theirs = [
        e for e in await _events(nanshan, "member.identity_probed") if e["actor_id"] == me["id"]
    ]
    assert [e["detail"] for e in theirs] == [{"asked_by_tenant_id": futian_id, "hits": 3}]
