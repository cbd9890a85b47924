"""Member pages in list order: subtree pages (early window and whole-subtree sort), initials.

A subtree page first looks at a window of the tenant's members in list order and sorts the
whole subtree only when that window holds too few of them; initials and name prefixes are
collected and sorted apart from full pinyin. Either way a user sees every member once, in
order, page after page.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from domain.members import name_search_keys
from tests.conftest import Api, unique
from tests.integration.members.helpers import create_member, id_number, new_branch, org_ids

INSIDE = ["邹丁", "安大", "赵甲", "周丙", "安二", "赵乙", "安娜"]
# 艾民 (aimin) sorts before every member of the subtree: at limit=1 a page's window (40 rows
# per row, 80) holds none of them and the whole subtree is sorted; at limit 2 and 50 the
# window (120, 2040 rows) holds the page.
OUTSIDERS = 90


@pytest.fixture(scope="module")
async def tree(futian: Api, tenant_ids: dict[str, str]) -> dict[str, Any]:
    orgs = await org_ids(futian, tenant_ids["440304"])
    r = await futian.post(
        "/api/v1/organizations",
        json={
            "kind": "general_branch",
            "name": unique("测试党总支"),
            "parent_id": orgs["福田区直属机关党委"],
        },
    )
    assert r.status_code == 201, r.text
    general = str(r.json()["id"])
    branch = await new_branch(futian, general)
    outside = await new_branch(futian, orgs["福田区直属机关党委"])
    for i in range(OUTSIDERS):
        born = date(1960 + i % 30, 1 + i % 12, 1 + i // 12)
        await create_member(futian, outside, name="艾民", id_number=id_number(birth=born))
    created = []
    for i, name in enumerate(INSIDE):
        member = await create_member(
            futian,
            branch,
            name=name,
            id_number=id_number(birth=date(1970, 1, 1 + i)),
            admitted_on=f"{2000 + i % 3}-07-01",
            full_member_on=f"{2001 + i % 3}-07-01",
        )
        created.append(member)
    return {"general": general, "branch": branch, "members": created}


async def pages(api: Api, limit: int, **params: Any) -> list[str]:
    seen: list[str] = []
    cursor = None
    while True:
        query = {**params, "limit": limit}
        if cursor:
            query["cursor"] = cursor
        r = await api.get("/api/v1/members", params=query)
        assert r.status_code == 200, r.text
        items = r.json()["items"]
        assert len(items) <= limit
        seen += [m["name"] for m in items]
        cursor = r.json()["next_cursor"]
        if not cursor:
            return seen


def by_pinyin(names: list[str]) -> list[str]:
    return sorted(names, key=lambda n: name_search_keys(n).full)


@pytest.mark.parametrize("limit", [1, 2, 50])
async def test_subtree_pages_in_pinyin_order(futian: Api, tree: dict[str, Any], limit: int) -> None:
    expected = by_pinyin(INSIDE)
    assert expected[:3] == ["安大", "安二", "安娜"]
    subtree = {"organization_id": tree["general"], "status": "full"}
    assert await pages(futian, limit, **subtree) == expected
    assert await pages(futian, limit, **subtree, sort="-name") == expected[::-1]
    # Only the branch itself, and the branch as a subtree, list the same members.
    assert await pages(futian, limit, organization_id=tree["branch"]) == expected
    assert (
        await pages(futian, limit, organization_id=tree["branch"], include_descendants="false")
        == expected
    )


async def test_subtree_pages_by_creation_and_admission(futian: Api, tree: dict[str, Any]) -> None:
    subtree = {"organization_id": tree["general"]}
    assert await pages(futian, 2, **subtree, sort="created") == INSIDE
    assert await pages(futian, 3, **subtree, sort="-created") == INSIDE[::-1]
    members = tree["members"]
    admitted = [m["name"] for m in sorted(members, key=lambda m: (m["admitted_on"], m["id"]))]
    assert await pages(futian, 2, **subtree, sort="admitted_on") == admitted


async def test_initials_and_pinyin_prefix_find_each_member_once(
    futian: Api, tree: dict[str, Any]
) -> None:
    subtree = {"organization_id": tree["general"]}
    assert await pages(futian, 1, **subtree, q="zj") == ["赵甲"]
    assert await pages(futian, 1, **subtree, q="zy") == ["赵乙"]
    assert await pages(futian, 1, **subtree, q="z") == by_pinyin(["邹丁", "赵甲", "周丙", "赵乙"])
    # 安娜 is both "an…" in pinyin (anna) and "an" in initials: listed once.
    assert await pages(futian, 1, **subtree, q="an") == ["安大", "安二", "安娜"]
    assert await pages(futian, 2, **subtree, q="an", sort="-name") == ["安娜", "安二", "安大"]
    assert await pages(futian, 2, **subtree, q="安") == ["安大", "安二", "安娜"]
    # Outside the subtree the same initials find the outsiders too, in pages.
    outsiders = await pages(futian, 50, q="am", sort="created")
    assert outsiders.count("艾民") >= OUTSIDERS
