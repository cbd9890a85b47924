"""Member registry through HTTP: validation, masking, history, search, scope, duplicates."""

from __future__ import annotations

from datetime import date

import httpx
import pytest

from domain.shared import new_id
from tests.conftest import Api, unique
from tests.integration.members.helpers import (
    create_member,
    id_number,
    member_body,
    new_branch,
    org_ids,
)


@pytest.fixture(scope="module")
async def futian_orgs(futian: Api, tenant_ids: dict[str, str]) -> dict[str, str]:
    return await org_ids(futian, tenant_ids["440304"])


@pytest.fixture(scope="module")
async def branch(futian: Api, futian_orgs: dict[str, str]) -> str:
    """A fresh branch of its own, so searches and counts see only this module's members."""
    return await new_branch(futian, futian_orgs["福田区直属机关党委"])


async def test_create_and_read_masked_by_default(futian: Api, branch: str) -> None:
    number = id_number(birth=date(1980, 3, 15), male=True)
    created = await create_member(
        futian, branch, name="王五", id_number=number, phone="13800138000"
    )
    assert created["id_number"] == number[:6] + "********" + number[-4:]
    assert created["phone"] == "138****8000"
    assert created["gender"] == "male"
    assert created["birth_date"] == "1980-03-15"
    assert created["name_pinyin"] == "wangwu"
    assert created["sensitive_revealed"] is False
    assert created["party_seniority"] >= 14
    r = await futian.get(f"/api/v1/members/{created['id']}")
    assert r.status_code == 200
    assert r.json()["id_number"] == created["id_number"]
    assert r.json()["organization_name"].startswith("测试党支部")
    assert "ETag" in r.headers


async def test_validation_names_every_field_in_chinese_and_english(
    futian: Api, branch: str
) -> None:
    bad = member_body(
        branch,
        id_number="11010519491231002" + "1",  # wrong check character (should be X)
        phone="12345",
        admitted_on="2099-01-01",
    )
    r = await futian.post("/api/v1/members", json=bad)
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["code"] == "validation_failed"
    fields = {e["field"]: e for e in body["errors"]}
    assert {"id_number", "phone", "admitted_on"} <= set(fields)
    assert "校验位" in fields["id_number"]["message"]
    assert "手机号" in fields["phone"]["message"]
    r = await futian.post("/api/v1/members", json=bad, headers={"Accept-Language": "en"})
    fields = {e["field"]: e for e in r.json()["errors"]}
    assert "check character" in fields["id_number"]["message"]
    assert "future" in fields["admitted_on"]["message"]
    # birth date contradicting the 身份证号, and a full member without a 转正 date
    r = await futian.post(
        "/api/v1/members",
        json=member_body(
            branch,
            id_number=id_number(birth=date(1990, 1, 1)),
            birth_date="1991-01-01",
            full_member_on=None,
        ),
        headers={"Accept-Language": "en"},
    )
    assert r.status_code == 422
    fields = {e["field"]: e["code"] for e in r.json()["errors"]}
    assert fields == {"birth_date": "mismatch_id_number", "full_member_on": "required"}


async def test_members_belong_to_branches_or_groups(
    futian: Api, futian_orgs: dict[str, str]
) -> None:
    r = await futian.post("/api/v1/members", json=member_body(futian_orgs["福田区直属机关党委"]))
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "organization_id"
    group = await create_member(futian, futian_orgs["区委办公室第一党小组"])
    assert group["organization_id"] == futian_orgs["区委办公室第一党小组"]


async def test_reveal_needs_read_sensitive_and_is_audited(
    futian: Api, secretary: Api, inspector: Api, futian_orgs: dict[str, str]
) -> None:
    number = id_number()
    member = await create_member(
        futian, futian_orgs["区委办公室党支部"], id_number=number, phone="13912345678"
    )
    url = f"/api/v1/members/{member['id']}"
    r = await secretary.get(url, params={"reveal": "true"})
    assert r.status_code == 200, r.text
    assert r.json()["id_number"] == number
    assert r.json()["phone"] == "13912345678"
    assert r.json()["sensitive_revealed"] is True
    r = await secretary.get(url, params={"reveal": "true"})
    assert r.status_code == 200
    # The provincial inspector may read, masked, but not in full.
    r = await inspector.get(url)
    assert r.status_code == 200
    assert r.json()["id_number"] != number
    r = await inspector.get(url, params={"reveal": "true"})
    assert r.status_code == 403
    events = await futian.get(
        "/api/v1/audit-events", params={"action": "member.read_sensitive", "limit": 200}
    )
    mine = [e for e in events.json()["items"] if e["resource_id"] == member["id"]]
    assert len(mine) == 2
    assert {e["actor_name"] for e in mine} == {"futian_secretary"}


async def test_secretary_sees_own_branch_only(
    futian: Api, secretary: Api, futian_orgs: dict[str, str]
) -> None:
    other = await create_member(futian, futian_orgs["区财政局党支部"])
    r = await secretary.get(f"/api/v1/members/{other['id']}")
    assert r.status_code == 403
    r = await secretary.get("/api/v1/members")
    assert r.status_code == 403
    assert r.json()["code"] == "member_scope_required"
    r = await secretary.get(
        "/api/v1/members", params={"organization_id": futian_orgs["区委办公室党支部"]}
    )
    assert r.status_code == 200
    r = await secretary.post("/api/v1/members", json=member_body(futian_orgs["区财政局党支部"]))
    assert r.status_code == 403


async def test_history_after_updates_with_masked_sensitive_values(futian: Api, branch: str) -> None:
    old_phone, new_phone = "13700001111", "13700002222"
    member = await create_member(futian, branch, name="赵六", phone=old_phone)
    url = f"/api/v1/members/{member['id']}"
    r = await futian.patch(url, json={"work_unit": "区财政局", "phone": new_phone})
    assert r.status_code == 200, r.text
    assert r.json()["version"] == 2
    r = await futian.patch(url, json={"tags": ["青年党员"], "name": "赵六一"})
    assert r.status_code == 200
    r = await futian.get(f"{url}/history")
    assert r.status_code == 200
    items = r.json()["items"]
    assert [h["version"] for h in items] == [3, 2, 1]
    assert [h["action"] for h in items] == ["update", "update", "create"]
    assert items[0]["changes"]["name"] == {"old": "赵六", "new": "赵六一"}
    assert items[0]["changes"]["tags"] == {"old": [], "new": ["青年党员"]}
    assert items[1]["changes"]["phone"] == {"old": "137****1111", "new": "137****2222"}
    assert items[1]["changes"]["work_unit"]["new"] == "区财政局"
    assert items[1]["changed_by_name"] == "futian_admin"
    assert old_phone not in r.text
    assert new_phone not in r.text
    # A PATCH that changes nothing keeps the version.
    r = await futian.patch(url, json={"work_unit": "区财政局"})
    assert r.json()["version"] == 3


async def test_patch_reports_all_errors_and_honours_if_match(futian: Api, branch: str) -> None:
    member = await create_member(futian, branch)
    url = f"/api/v1/members/{member['id']}"
    r = await futian.patch(
        url,
        json={"phone": "999", "full_member_on": "2005-01-01"},
        headers={"Accept-Language": "en"},
    )
    assert r.status_code == 422
    assert {e["field"] for e in r.json()["errors"]} == {"phone", "full_member_on"}
    got = await futian.get(url)
    etag = got.headers["ETag"]
    r = await futian.patch(url, json={"post": "科长"}, headers={"If-Match": etag})
    assert r.status_code == 200, r.text
    assert r.headers["ETag"] != etag
    r = await futian.patch(url, json={"post": "处长"}, headers={"If-Match": etag})
    assert r.status_code == 412
    assert r.json()["code"] == "precondition_failed"
    r = await futian.patch(url, json={"post": "处长"}, headers={"If-Match": '"v2"'})
    assert r.status_code == 200
    assert r.json()["version"] == 3
    r = await futian.patch(url, json={"unknown_field": 1})
    assert r.status_code == 400


async def test_pinyin_name_and_exact_searches(futian: Api, branch: str) -> None:
    number = id_number()
    zhang = await create_member(futian, branch, name="张三", id_number=number, phone="13611112222")
    await create_member(futian, branch, name="李小龙")

    async def search(q: str) -> list[str]:
        r = await futian.get("/api/v1/members", params={"organization_id": branch, "q": q})
        assert r.status_code == 200, r.text
        return [m["name"] for m in r.json()["items"]]

    assert await search("zhangsan") == ["张三"]
    assert await search("zs") == ["张三"]
    assert await search("zhang") == ["张三"]
    assert await search("张") == ["张三"]
    assert await search("李小龙") == ["李小龙"]
    assert await search("李小") == ["李小龙"]
    assert await search("小龙") == ["李小龙"]  # any fragment of a name (姓名片段)
    assert await search("龙小") == []
    assert await search(number) == ["张三"]
    assert await search(number.lower()) == ["张三"]
    assert await search("136 1111 2222") == ["张三"]
    r = await futian.get("/api/v1/members", params={"q": number})
    assert [m["id"] for m in r.json()["items"]] == [zhang["id"]]
    assert number not in r.text
    r = await futian.get("/api/v1/members", params={"q": "12345"})
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "q"


async def test_filters_sorting_and_cursor(futian: Api, futian_orgs: dict[str, str]) -> None:
    branch = await new_branch(futian, futian_orgs["福田区直属机关党委"])
    names = ["安一", "白二", "陈三", "丁四", "方五"]
    for i, name in enumerate(names):
        await create_member(
            futian,
            branch,
            name=name,
            id_number=id_number(birth=date(1970, 1, 1)),
            admitted_on=f"{2000 + i}-07-01",
            full_member_on=f"{2001 + i}-07-01",
        )
    await create_member(
        futian,
        branch,
        name="流动甲",
        member_class="mobile",
        mobile={
            "host_organization_name": "上海市某街道党工委",
            "activity_card_number": "LD-1",
            "period_start": "2024-01-01",
        },
    )
    seen: list[str] = []
    cursor = None
    while True:
        params = {"organization_id": branch, "limit": 2, "sort": "name", "is_mobile": "false"}
        if cursor:
            params["cursor"] = cursor
        r = await futian.get("/api/v1/members", params=params)
        assert r.status_code == 200, r.text
        seen += [m["name"] for m in r.json()["items"]]
        cursor = r.json()["next_cursor"]
        if not cursor:
            break
    assert seen == names
    r = await futian.get(
        "/api/v1/members",
        params={
            "organization_id": branch,
            "sort": "-admitted_on",
            "admitted_from": 2001,
            "admitted_to": 2003,
        },
    )
    assert [m["name"] for m in r.json()["items"]] == ["丁四", "陈三", "白二"]
    r = await futian.get("/api/v1/members", params={"organization_id": branch, "is_mobile": True})
    assert [m["name"] for m in r.json()["items"]] == ["流动甲"]
    assert r.json()["items"][0]["mobile"]["activity_card_number"] == "LD-1"
    r = await futian.get(
        "/api/v1/members", params={"organization_id": branch, "cursor": "not-a-cursor"}
    )
    assert r.status_code == 400


async def test_sibling_county_can_do_nothing_province_can_read(
    futian: Api, nanshan: Api, province: Api, futian_orgs: dict[str, str]
) -> None:
    member = await create_member(futian, futian_orgs["区委办公室党支部"])
    url = f"/api/v1/members/{member['id']}"
    assert (await nanshan.get(url)).status_code == 404
    assert (await nanshan.get(f"{url}/history")).status_code == 404
    assert (await nanshan.patch(url, json={"post": "x"})).status_code == 404
    r = await nanshan.post(f"{url}/status", json={"status": "suspended", "reason": "试图越权"})
    assert r.status_code == 404
    r = await nanshan.get(
        "/api/v1/members", params={"organization_id": futian_orgs["区委办公室党支部"]}
    )
    assert r.status_code == 404
    r = await nanshan.get("/api/v1/members", params={"limit": 200})
    assert member["id"] not in r.text
    r = await nanshan.post("/api/v1/members", json=member_body(futian_orgs["区委办公室党支部"]))
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "organization_id"
    r = await province.get(url)
    assert r.status_code == 200
    assert r.json()["id"] == member["id"]
    r = await province.get("/api/v1/members", params={"q": member["name_pinyin"], "limit": 200})
    assert member["id"] in {m["id"] for m in r.json()["items"]}


async def test_duplicates_refused_without_leaking_the_other_tenant(
    futian: Api, nanshan: Api, province: Api, futian_orgs: dict[str, str], http: httpx.AsyncClient
) -> None:
    number = id_number()
    await create_member(futian, futian_orgs["区财政局党支部"], name="钱七", id_number=number)
    nanshan_orgs = await org_ids(nanshan, (await nanshan.get("/api/v1/me")).json()["tenant"]["id"])
    r = await nanshan.post(
        "/api/v1/members", json=member_body(nanshan_orgs["区教育局党支部"], id_number=number)
    )
    assert r.status_code == 409
    assert r.json()["code"] == "member_duplicate_id_number"
    assert "区财政局" not in r.text
    assert "钱七" not in r.text
    # The same county sees where the other record is.
    r = await futian.post(
        "/api/v1/members", json=member_body(futian_orgs["区委办公室党支部"], id_number=number)
    )
    assert r.status_code == 409
    assert "区财政局党支部" in r.json()["detail"]
    # A changed 身份证号 is checked too.
    other = await create_member(futian, futian_orgs["区委办公室党支部"])
    r = await futian.patch(f"/api/v1/members/{other['id']}", json={"id_number": number})
    assert r.status_code == 409
    # Nothing of the refused requests was written.
    r = await province.get("/api/v1/members", params={"q": number})
    assert len(r.json()["items"]) == 1


async def test_status_changes_need_reasons_and_removal_is_final(futian: Api, branch: str) -> None:
    member = await create_member(
        futian, branch, status="probationary", admitted_on="2024-07-01", full_member_on=None
    )
    url = f"/api/v1/members/{member['id']}"
    r = await futian.post(f"{url}/status", json={"status": "full", "reason": "支部大会通过"})
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "full_member_on"
    r = await futian.post(
        f"{url}/status",
        json={"status": "full", "reason": "支部大会通过", "full_member_on": "2025-07-01"},
    )
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "full"
    assert r.json()["full_member_on"] == "2025-07-01"
    r = await futian.post(f"{url}/status", json={"status": "suspended", "reason": "失联超过6个月"})
    assert r.status_code == 200
    assert r.json()["status_reason"] == "失联超过6个月"
    r = await futian.post(f"{url}/status", json={"status": "full", "reason": "恢复联系"})
    assert r.status_code == 200
    assert r.json()["status_reason"] is None
    r = await futian.post(f"{url}/status", json={"status": "removed", "reason": "除名"})
    assert r.status_code == 200
    r = await futian.post(f"{url}/status", json={"status": "full", "reason": "撤销"})
    assert r.status_code == 409
    assert r.json()["errors"][0]["code"] == "status_final"
    r = await futian.post(f"{url}/status", json={"status": "removed", "reason": ""})
    assert r.status_code == 400
    # The record stays, with every status change and its reason in history.
    r = await futian.get(url)
    assert r.status_code == 200
    assert r.json()["status"] == "removed"
    history = (await futian.get(f"{url}/history")).json()["items"]
    reasons = [h["changes"]["reason"]["new"] for h in history if h["action"] == "status"]
    assert reasons == ["除名", "恢复联系", "失联超过6个月", "支部大会通过"]


async def test_linked_account_reads_own_record(
    futian: Api, http: httpx.AsyncClient, branch: str, tenant_ids: dict[str, str]
) -> None:
    from tests.conftest import login

    username = unique("m")
    r = await futian.post(
        "/api/v1/users",
        json={
            "username": username,
            "display_name": "党员本人",
            "password": "Strong-Pass-2026",
            "tenant_id": tenant_ids["440304"],
        },
    )
    assert r.status_code == 201, r.text
    user_id = r.json()["id"]
    me = await login(http, username, "Strong-Pass-2026")
    r = await me.get("/api/v1/me/member")
    assert r.status_code == 404
    assert r.json()["code"] == "member_not_linked"
    member = await create_member(futian, branch, name="孙八")
    r = await futian.patch(f"/api/v1/members/{member['id']}", json={"user_id": user_id})
    assert r.status_code == 200, r.text
    r = await me.get("/api/v1/me/member")
    assert r.status_code == 200
    assert r.json()["id"] == member["id"]
    assert "*" in r.json()["id_number"]
    assert (await me.get(f"/api/v1/members/{member['id']}")).status_code == 200
    assert (await me.get(f"/api/v1/members/{member['id']}?reveal=true")).status_code == 403
    other = await create_member(futian, branch)
    assert (await me.get(f"/api/v1/members/{other['id']}")).status_code == 403
    r = await futian.patch(f"/api/v1/members/{other['id']}", json={"user_id": user_id})
    assert r.status_code == 409
    assert r.json()["code"] == "user_already_linked"
    r = await futian.patch(f"/api/v1/members/{other['id']}", json={"user_id": str(new_id())})
    assert r.status_code == 422
    assert [(e["field"], e["code"]) for e in r.json()["errors"]] == [("user_id", "not_found")]
