"""Name fragments page in list order (migration 0018), whatever the sort and the filters.

A fragment's members are read from `member_name_gram` in list order; with a member filter
the walk first checks a window of entries and, when too few of them pass, walks on. A user
sees every match once, in order, page after page, and a renamed member is found by the new
name only.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from domain.members import name_search_keys
from tests.conftest import Api
from tests.integration.members.helpers import create_member, id_number, new_branch, org_ids

# 翯 is in no other test's names. 85 艾翯x fill every window (limit 1: 80 entries) before
# the first 左翯文 of the quiet branch, so its pages are found by the walk past the window.
CROWDED = 85
QUIET = 3


@pytest.fixture(scope="module")
async def registry(futian: Api, tenant_ids: dict[str, str]) -> dict[str, Any]:
    orgs = await org_ids(futian, tenant_ids["440304"])
    crowded = await new_branch(futian, orgs["福田区直属机关党委"])
    quiet = await new_branch(futian, orgs["福田区直属机关党委"])
    members = []
    for i in range(CROWDED):
        given = "伟芳娜秀英敏静丽强磊"[i % 10]
        members.append(
            await create_member(
                futian,
                crowded,
                name=f"艾翯{given}",
                id_number=id_number(birth=date(1950 + i % 20, 1 + i % 12, 1 + i // 12)),
                admitted_on=f"{1990 + i % 20}-07-01",
                full_member_on=f"{1991 + i % 20}-07-01",
            )
        )
    for i in range(QUIET):
        members.append(
            await create_member(
                futian,
                quiet,
                name="左翯文",
                id_number=id_number(birth=date(1975, 3, 1 + i)),
                status="probationary" if i == 1 else "full",
                full_member_on=None if i == 1 else "2011-07-01",
            )
        )
    return {"crowded": crowded, "quiet": quiet, "members": members}


async def pages(api: Api, limit: int, **params: Any) -> list[dict[str, Any]]:
    seen: list[dict[str, Any]] = []
    cursor = None
    while True:
        query = {**params, "limit": limit, **({"cursor": cursor} if cursor else {})}
        r = await api.get("/api/v1/members", params=query)
        assert r.status_code == 200, r.text
        assert len(r.json()["items"]) <= limit
        seen += r.json()["items"]
        cursor = r.json()["next_cursor"]
        if not cursor:
            return seen


def ids(items: list[dict[str, Any]]) -> list[str]:
    return [m["id"] for m in items]


@pytest.mark.parametrize("sort", ["name", "-name", "admitted_on", "-admitted_on", "created"])
async def test_every_match_once_in_list_order(
    futian: Api, registry: dict[str, Any], sort: str
) -> None:
    key = sort.removeprefix("-")
    sort_value = {
        "name": lambda m: name_search_keys(m["name"]).full,
        "admitted_on": lambda m: m["admitted_on"],
        "created": lambda m: "",
    }[key]
    expected = sorted(
        registry["members"], key=lambda m: (sort_value(m), m["id"]), reverse=sort[0] == "-"
    )
    assert ids(await pages(futian, 7, q="翯", sort=sort)) == ids(expected)


async def test_a_filtered_page_walks_past_the_window(futian: Api, registry: dict[str, Any]) -> None:
    quiet = [m for m in registry["members"] if m["organization_id"] == registry["quiet"]]
    for q in ("翯", "翯文", "左翯文"):
        found = await pages(futian, 1, organization_id=registry["quiet"], q=q)
        assert sorted(ids(found)) == sorted(ids(quiet)), q
    found = await pages(futian, 1, q="翯", status="probationary")
    assert ids(found) == [quiet[1]["id"]]
    assert await pages(futian, 1, organization_id=registry["crowded"], q="左翯") == []


async def test_a_renamed_member_is_found_by_the_new_name_only(
    futian: Api, registry: dict[str, Any]
) -> None:
    r = await futian.post(
        "/api/v1/members",
        json={
            "organization_id": registry["quiet"],
            "name": "右翯",
            "id_number": id_number(birth=date(1980, 5, 5)),
            "status": "full",
            "admitted_on": "2005-07-01",
            "full_member_on": "2006-07-01",
        },
    )
    assert r.status_code == 201, r.text
    member = r.json()
    assert member["id"] in ids(await pages(futian, 50, q="右翯"))
    r = await futian.patch(f"/api/v1/members/{member['id']}", json={"name": "右翮"})
    assert r.status_code == 200, r.text
    assert await pages(futian, 50, q="右翯") == []
    assert ids(await pages(futian, 50, q="翮")) == [member["id"]]
    assert member["id"] not in ids(await pages(futian, 50, q="翯"))
