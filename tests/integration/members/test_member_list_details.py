"""What list and search items carry, name fragments, and revealed reads kept out of caches."""

from __future__ import annotations

import pytest

from tests.conftest import Api
from tests.integration.members.helpers import create_member, new_branch, org_ids


@pytest.fixture(scope="module")
async def branch(futian: Api, tenant_ids: dict[str, str]) -> str:
    orgs = await org_ids(futian, tenant_ids["440304"])
    return await new_branch(futian, orgs["福田区直属机关党委"], "片段查找党支部")


async def _names(api: Api, branch: str, q: str) -> list[str]:
    r = await api.get("/api/v1/members", params={"organization_id": branch, "q": q})
    assert r.status_code == 200, r.text
    return [m["name"] for m in r.json()["items"]]


async def test_a_name_fragment_finds_the_name_wherever_it_sits(futian: Api, branch: str) -> None:
    for name in ("张建国", "建国华", "欧阳建国", "张国建"):
        await create_member(futian, branch, name=name)
    # in list order (pinyin): jianguohua, ouyangjianguo, zhangjianguo
    assert await _names(futian, branch, "建国") == ["建国华", "欧阳建国", "张建国"]
    assert await _names(futian, branch, "阳建国") == ["欧阳建国"]
    assert await _names(futian, branch, "国") == ["建国华", "欧阳建国", "张国建", "张建国"]
    assert await _names(futian, branch, "国华") == ["建国华"]
    assert await _names(futian, branch, "建国张") == []


async def test_list_and_search_items_name_their_organization(futian: Api, branch: str) -> None:
    await create_member(futian, branch, name="王组织")
    for params in ({"organization_id": branch}, {"organization_id": branch, "q": "组织"}):
        r = await futian.get("/api/v1/members", params=params)
        assert r.status_code == 200, r.text
        assert r.json()["items"]
        assert {m["organization_name"] for m in r.json()["items"]} == {"片段查找党支部"}


async def test_a_revealed_record_is_not_stored_by_caches(futian: Api, branch: str) -> None:
    member = await create_member(futian, branch, name="赵缓存")
    r = await futian.get(f"/api/v1/members/{member['id']}", params={"reveal": "true"})
    assert r.status_code == 200, r.text
    assert r.json()["sensitive_revealed"] is True
    assert r.headers["cache-control"] == "no-store"
    r = await futian.get(f"/api/v1/members/{member['id']}")
    assert "no-store" not in r.headers.get("cache-control", "")
