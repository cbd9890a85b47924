"""Structure warnings count the members of an organization's whole subtree (the registry's)."""

from __future__ import annotations

from tests.conftest import Api
from tests.integration.members.helpers import create_member, new_branch, org_ids

V1 = "/api/v1"


async def _warnings(api: Api, org_id: str) -> dict[str, str]:
    r = await api.get(f"{V1}/organizations/{org_id}", headers={"Accept-Language": "en"})
    assert r.status_code == 200, r.text
    return {w["code"]: w["message"] for w in r.json()["warnings"]}


async def test_full_members_below_the_branch_count_toward_it(
    futian: Api, tenant_ids: dict[str, str]
) -> None:
    committee = (await org_ids(futian, tenant_ids["440304"]))["福田区直属机关党委"]
    branch = await new_branch(futian, committee)
    r = await futian.post(
        f"{V1}/organizations",
        json={"kind": "party_group", "name": "第一党小组", "parent_id": branch},
    )
    assert r.status_code == 201, r.text
    group = r.json()["id"]
    await create_member(futian, branch)
    await create_member(futian, group)
    await create_member(
        futian, group, status="probationary", full_member_on=None, admitted_on="2025-07-01"
    )

    warnings = await _warnings(futian, branch)
    assert "Only 2 full members" in warnings["branch_too_few_full_members"]

    await create_member(futian, group)
    assert "branch_too_few_full_members" not in await _warnings(futian, branch)
