"""Tenants, settings, organizations, roles, users and audit through real HTTP.

Every test makes its own tenants, organizations and users (fresh codes and names), so
tests stay independent of each other and of the order they run in.
"""

from __future__ import annotations

import itertools
import uuid
from typing import Any

import httpx
import pytest

from tests.conftest import ADMIN_PASSWORD, Api, login, unique

V1 = "/api/v1"
PASSWORD = "Strong-Pass-2026"


class Codes:
    """Unused division codes: cities 4401–4420 under 440000 (4403 is the demo 深圳), their
    counties, and provinces nobody seeds. One database per test process, so a module-level
    allocator never hands out a code twice."""

    def __init__(self) -> None:
        self._cities = iter(f"44{n:02d}00" for n in range(1, 21) if n != 3)
        self._provinces = iter(["450000", "460000", "510000", "520000", "530000", "540000"])
        self._counties: dict[str, itertools.count[int]] = {}

    def city(self) -> str:
        return next(self._cities)

    def county(self, city: str) -> str:
        n = next(self._counties.setdefault(city, itertools.count(1)))
        return f"{city[:4]}{n:02d}"

    def province(self) -> str:
        return next(self._provinces)


codes = Codes()


def problem(r: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = r.json()
    assert body["code"] == code, body
    return body


def field_codes(body: dict[str, Any]) -> set[tuple[str, str]]:
    return {(e["field"], e["code"]) for e in body.get("errors", [])}


async def create_tenant(api: Api, code: str, **extra: Any) -> dict[str, Any]:
    r = await api.post(f"{V1}/tenants", json={"code": code, "name": f"测试{code}", **extra})
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


async def create_org(
    api: Api, kind: str, parent_id: str | None = None, **extra: Any
) -> dict[str, Any]:
    payload = {"kind": kind, "name": unique("组织"), **extra}
    if parent_id:
        payload["parent_id"] = parent_id
    r = await api.post(f"{V1}/organizations", json=payload)
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


async def create_user(api: Api, **extra: Any) -> dict[str, Any]:
    payload = {"username": unique("u"), "display_name": "测试", "password": PASSWORD, **extra}
    r = await api.post(f"{V1}/users", json=payload)
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


async def org(api: Api, org_id: str) -> dict[str, Any]:
    r = await api.get(f"{V1}/organizations/{org_id}")
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


# ---------------------------------------------------------------- tenant creation by level


async def test_platform_admin_creates_a_province_but_not_a_city(admin: Api) -> None:
    code = codes.province()
    province = await create_tenant(admin, code)
    assert province["level"] == "province"
    assert province["path"] == f"zb.{code}"
    r = await admin.post(f"{V1}/tenants", json={"code": code[:2] + "0100", "name": "某市"})
    body = problem(r, 422, "tenant_invalid")
    assert ("level", "tenant_root_must_be_province") in field_codes(body)


async def test_province_admin_creates_a_city_with_its_prefix(
    province: Api, tenant_ids: dict[str, str]
) -> None:
    code = codes.city()
    city = await create_tenant(province, code)
    assert (city["level"], city["parent_id"]) == ("city", tenant_ids["440000"])
    assert city["path"] == f"zb.440000.{code}"
    r = await province.get(f"{V1}/tenants", params={"parent_id": tenant_ids["440000"]})
    assert code in {t["code"] for t in r.json()["items"]}


@pytest.mark.parametrize(
    ("code", "field", "error"),
    [
        ("440188", "level", "tenant_child_level_invalid"),  # a county straight under a province
        ("460000", "level", "tenant_child_level_invalid"),  # another province
        ("450100", "code", "tenant_code_prefix_mismatch"),  # a city of another province
        ("449000", "code", "tenant_code_not_a_city"),  # 省直辖 grouping code
        ("44010", "code", "tenant_code_format"),
    ],
)
async def test_province_admin_cannot_skip_or_leave_its_level(
    province: Api, code: str, field: str, error: str
) -> None:
    r = await province.post(f"{V1}/tenants", json={"code": code, "name": "不应创建"})
    if error == "tenant_code_format":
        body = problem(r, 400, "validation_failed")  # refused by the schema before any rule
        assert any(e["field"] == "code" for e in body["errors"])
        return
    body = problem(r, 422, "tenant_invalid")
    assert (field, error) in field_codes(body)


async def test_county_admin_creates_no_child_tenant(futian: Api) -> None:
    r = await futian.post(f"{V1}/tenants", json={"code": "440399", "name": "不应创建"})
    body = problem(r, 422, "tenant_invalid")
    assert ("level", "tenant_county_has_no_children") in field_codes(body)


async def test_duplicate_tenant_code_is_409(province: Api) -> None:
    code = codes.city()
    await create_tenant(province, code)
    r = await province.post(f"{V1}/tenants", json={"code": code, "name": "重复"})
    body = problem(r, 409, "tenant_code_taken")
    assert ("code", "tenant_code_taken") in field_codes(body)


async def test_child_tenant_under_an_invisible_parent_is_404(
    nanshan: Api, city: Api, tenant_ids: dict[str, str]
) -> None:
    r = await nanshan.post(
        f"{V1}/tenants",
        json={"code": "440399", "name": "越权", "parent_id": tenant_ids["440300"]},
    )
    problem(r, 404, "tenant_not_found")
    # The city admin creates a county under its own city; the province's code space is not its own.
    county = codes.county("440300")
    assert (await create_tenant(city, county))["path"] == f"zb.440000.440300.{county}"


# ---------------------------------------------------------------- settings


@pytest.mark.parametrize(
    ("document", "field", "error"),
    [
        ({"transfer_letter_validity_days": 0}, "transfer_letter_validity_days", "too_small"),
        ({"rankings_enabled": "yes"}, "rankings_enabled", "must_be_boolean"),
        ({"meeting_frequencies": {"theme_day": "weekly"}}, "meeting_frequencies.theme_day", ""),
        ({"no_such_setting": 1}, "no_such_setting", "unknown_field"),
    ],
)
async def test_settings_errors_name_the_field(
    province: Api, tenant_ids: dict[str, str], document: dict[str, Any], field: str, error: str
) -> None:
    r = await province.patch(
        f"{V1}/tenants/{tenant_ids['440000']}",
        json={"settings": document},
        headers={"Accept-Language": "en"},
    )
    body = problem(r, 422, "tenant_settings_invalid")
    fields = {e["field"]: e for e in body["errors"]}
    assert field in fields, body
    assert not error or fields[field]["code"] == error
    assert fields[field]["message"].isascii()


async def test_settings_are_inherited_down_the_tree(province: Api) -> None:
    city_code = codes.city()
    city = await create_tenant(province, city_code, settings={"transfer_letter_validity_days": 45})
    county = await create_tenant(
        province,
        codes.county(city_code),
        parent_id=city["id"],
        settings={"meeting_frequencies": {"theme_day": "quarterly"}},
    )
    r = await province.get(f"{V1}/tenants/{county['id']}/settings")
    assert r.status_code == 200, r.text
    effective = r.json()
    assert effective["transfer_letter_validity_days"] == 45  # from the city
    assert effective["meeting_frequencies"]["theme_day"] == "quarterly"  # its own
    assert effective["meeting_frequencies"]["committee_meeting"] == "monthly"  # the default
    assert effective["rankings_enabled"] is False
    # A later change above is seen below at once; the county's own override still wins.
    r = await province.patch(
        f"{V1}/tenants/{city['id']}",
        json={"settings": {"transfer_letter_validity_days": 30, "rankings_enabled": True}},
    )
    assert r.status_code == 200, r.text
    effective = (await province.get(f"{V1}/tenants/{county['id']}/settings")).json()
    assert effective["transfer_letter_validity_days"] == 30
    assert effective["rankings_enabled"] is True
    assert effective["meeting_frequencies"]["theme_day"] == "quarterly"
    # The stored document of the county holds only its own override.
    stored = (await province.get(f"{V1}/tenants/{county['id']}")).json()["settings"]
    assert stored == {"meeting_frequencies": {"theme_day": "quarterly"}}


# ---------------------------------------------------------------- organizations


async def test_organization_create_list_and_detail(futian: Api, tenant_ids: dict[str, str]) -> None:
    committee = await create_org(futian, "party_committee")
    branch = await create_org(futian, "branch", committee["id"])
    group = await create_org(futian, "party_group", branch["id"])
    assert committee["tenant_id"] == tenant_ids["440304"]
    assert branch["path"].startswith(committee["path"] + ".")
    assert group["path"].startswith(branch["path"] + ".")

    r = await futian.get(f"{V1}/organizations", params={"under": committee["id"], "limit": 200})
    assert {o["id"] for o in r.json()["items"]} == {committee["id"], branch["id"], group["id"]}
    r = await futian.get(f"{V1}/organizations", params={"parent_id": branch["id"]})
    assert [o["id"] for o in r.json()["items"]] == [group["id"]]

    detail = await org(futian, branch["id"])
    assert detail["organization"]["id"] == branch["id"]
    assert detail["committee"] == []
    assert "no_secretary" in {w["code"] for w in detail["warnings"]}
    r = await futian.post(
        f"{V1}/organizations/{branch['id']}/committee-posts",
        json={"post": "secretary", "holder_name": "张三", "term_start": "2026-01-01"},
    )
    assert r.status_code == 201, r.text
    detail = await org(futian, branch["id"])
    assert [(p["post"], p["holder_name"]) for p in detail["committee"]] == [("secretary", "张三")]
    assert "no_secretary" not in {w["code"] for w in detail["warnings"]}


async def test_organization_rules_are_enforced(futian: Api) -> None:
    committee = await create_org(futian, "party_committee")
    group = await create_org(
        futian, "party_group", (await create_org(futian, "branch", committee["id"]))["id"]
    )
    r = await futian.post(
        f"{V1}/organizations",
        json={"kind": "party_committee", "name": "错位", "parent_id": group["id"]},
    )
    body = problem(r, 422, "organization_invalid")
    assert ("parent_id", "organization_parent_kind_invalid") in field_codes(body)
    r = await futian.post(
        f"{V1}/organizations",
        json={"kind": "temporary_branch", "name": "临时", "parent_id": committee["id"]},
    )
    problem(r, 422, "organization_invalid")
    r = await futian.post(
        f"{V1}/organizations/{committee['id']}/committee-posts",
        json={
            "post": "secretary",
            "holder_name": "张三",
            "term_start": "2026-01-01",
            "term_end": "2025-12-31",
        },
    )
    body = problem(r, 422, "term_invalid")
    assert field_codes(body) == {("term_end", "term_ends_before_start")}
    assert (await org(futian, committee["id"]))["committee"] == []


async def test_moving_a_subtree_updates_every_path(futian: Api) -> None:
    old_root = await create_org(futian, "party_committee")
    branch = await create_org(futian, "branch", old_root["id"])
    group = await create_org(futian, "party_group", branch["id"])
    new_root = await create_org(futian, "party_committee")

    r = await futian.post(
        f"{V1}/organizations/{branch['id']}/move", json={"parent_id": new_root["id"]}
    )
    assert r.status_code == 200, r.text
    moved = r.json()
    assert moved["parent_id"] == new_root["id"]
    assert moved["path"] == new_root["path"] + "." + branch["path"].rsplit(".", 1)[1]
    group_now = (await org(futian, group["id"]))["organization"]
    assert group_now["path"] == moved["path"] + "." + group["path"].rsplit(".", 1)[1]
    assert group_now["parent_id"] == branch["id"]
    r = await futian.get(f"{V1}/organizations", params={"under": old_root["id"]})
    assert [o["id"] for o in r.json()["items"]] == [old_root["id"]]
    r = await futian.get(f"{V1}/organizations", params={"under": new_root["id"]})
    assert {o["id"] for o in r.json()["items"]} == {new_root["id"], branch["id"], group["id"]}


async def test_a_role_on_a_moved_branch_follows_it(http: httpx.AsyncClient, futian: Api) -> None:
    old_root = await create_org(futian, "party_committee")
    new_root = await create_org(futian, "party_committee")
    branch = await create_org(futian, "branch", old_root["id"])
    group = await create_org(futian, "party_group", branch["id"])
    user = await create_user(futian)
    r = await futian.post(
        f"{V1}/role-assignments",
        json={"user_id": user["id"], "role": "org_secretary", "organization_id": branch["id"]},
    )
    assert r.status_code == 201, r.text
    api = await login(http, user["username"], PASSWORD)
    r = await futian.post(
        f"{V1}/organizations/{branch['id']}/move", json={"parent_id": new_root["id"]}
    )
    assert r.status_code == 200, r.text
    moved_path = r.json()["path"]
    grants = (await futian.get(f"{V1}/role-assignments", params={"user_id": user["id"]})).json()
    assert [g["domain"].endswith(moved_path.replace(".", "/") + "/*") for g in grants["items"]] == [
        True
    ]
    # At once, from the worker that moved it, with the same token.
    assert (await api.get(f"{V1}/organizations/{group['id']}")).status_code == 200
    problem(await api.get(f"{V1}/organizations/{new_root['id']}"), 403, "forbidden")


async def test_moving_under_own_descendant_is_refused_and_changes_nothing(futian: Api) -> None:
    root = await create_org(futian, "party_committee")
    general = await create_org(futian, "general_branch", root["id"])
    branch = await create_org(futian, "branch", general["id"])
    for target in (branch["id"], general["id"]):
        r = await futian.post(
            f"{V1}/organizations/{general['id']}/move", json={"parent_id": target}
        )
        body = problem(r, 409, "organization_move_into_own_subtree")
        assert ("parent_id", "organization_move_into_own_subtree") in field_codes(body)
    assert (await org(futian, branch["id"]))["organization"]["path"] == branch["path"]


async def test_moving_across_tenants_is_refused(province: Api, futian: Api, nanshan: Api) -> None:
    mine = await create_org(futian, "branch", (await create_org(futian, "party_committee"))["id"])
    theirs = await create_org(nanshan, "party_committee")
    # The province sees both, and is still refused: organizations stay in their tenant.
    r = await province.post(
        f"{V1}/organizations/{mine['id']}/move", json={"parent_id": theirs["id"]}
    )
    problem(r, 422, "organization_move_across_tenants")
    # The county cannot even see the target.
    r = await futian.post(f"{V1}/organizations/{mine['id']}/move", json={"parent_id": theirs["id"]})
    problem(r, 404, "organization_not_found")
    assert (await org(futian, mine["id"]))["organization"]["path"] == mine["path"]


# ---------------------------------------------------------------- roles on a subtree


async def test_seeded_secretary_acts_on_own_branch_only(futian: Api, secretary: Api) -> None:
    r = await futian.get(f"{V1}/organizations", params={"q": "党支部", "limit": 200})
    by_name = {o["name"]: o for o in r.json()["items"]}
    own, sibling = by_name["区委办公室党支部"], by_name["区财政局党支部"]
    assert (await secretary.get(f"{V1}/organizations/{own['id']}")).status_code == 200
    r = await secretary.patch(f"{V1}/organizations/{own['id']}", json={"name": own["name"]})
    assert r.status_code == 200, r.text
    r = await secretary.patch(f"{V1}/organizations/{sibling['id']}", json={"name": "越权修改"})
    problem(r, 403, "forbidden")
    assert (await org(futian, sibling["id"]))["organization"]["name"] == "区财政局党支部"


async def test_grant_and_revoke_take_effect_immediately(
    http: httpx.AsyncClient, futian: Api
) -> None:
    committee = await create_org(futian, "party_committee")
    branch = await create_org(futian, "branch", committee["id"])
    sibling = await create_org(futian, "branch", committee["id"])
    group = await create_org(futian, "party_group", branch["id"])
    user = await create_user(futian)
    api = await login(http, user["username"], PASSWORD)
    problem(await api.get(f"{V1}/organizations/{branch['id']}"), 403, "forbidden")

    r = await futian.post(
        f"{V1}/role-assignments",
        json={"user_id": user["id"], "role": "org_secretary", "organization_id": branch["id"]},
    )
    assert r.status_code == 201, r.text
    grant = r.json()
    assert grant["domain"].endswith(branch["path"].replace(".", "/") + "/*")
    # Same token, no re-login: the grant holds on the branch and everything below it.
    assert (await api.get(f"{V1}/organizations/{branch['id']}")).status_code == 200
    assert (await api.get(f"{V1}/organizations/{group['id']}")).status_code == 200
    r = await api.patch(f"{V1}/organizations/{group['id']}", json={"name": unique("改名")})
    assert r.status_code == 200, r.text
    problem(await api.get(f"{V1}/organizations/{sibling['id']}"), 403, "forbidden")
    r = await api.patch(f"{V1}/organizations/{sibling['id']}", json={"name": "越权"})
    problem(r, 403, "forbidden")
    problem(await api.get(f"{V1}/organizations/{committee['id']}"), 403, "forbidden")
    me = (await api.get(f"{V1}/me")).json()
    assert {"role": "org_secretary", "domain": grant["domain"]} in me["roles"]

    r = await futian.post(
        f"{V1}/role-assignments",
        json={"user_id": user["id"], "role": "org_secretary", "organization_id": branch["id"]},
    )
    problem(r, 409, "role_already_granted")
    r = await futian.delete(f"{V1}/role-assignments/{grant['id']}")
    assert r.status_code == 204, r.text
    # Removing a role ends the holder's sessions; logged in again, the role is gone.
    problem(await api.get(f"{V1}/organizations/{branch['id']}"), 401, "session_ended")
    api = await login(http, user["username"], PASSWORD)
    problem(await api.get(f"{V1}/organizations/{branch['id']}"), 403, "forbidden")
    r = await futian.get(f"{V1}/role-assignments", params={"user_id": user["id"]})
    assert r.json()["items"] == []


async def test_custom_role_create_grant_and_escalation(
    http: httpx.AsyncClient, futian: Api, tenant_ids: dict[str, str]
) -> None:
    name = "reader_" + uuid.uuid4().hex[:8]
    r = await futian.post(
        f"{V1}/roles",
        json={"name": name, "display_name": "只读", "permissions": ["organization:read"]},
    )
    assert r.status_code == 201, r.text
    role = r.json()
    assert (role["shipped"], role["tenant_id"]) == (False, tenant_ids["440304"])
    listed = (await futian.get(f"{V1}/roles")).json()
    assert name in {x["name"] for x in listed}
    assert {"tenant_admin", "inspector"} <= {x["name"] for x in listed if x["shipped"]}

    committee = await create_org(futian, "party_committee")
    user = await create_user(futian)
    api = await login(http, user["username"], PASSWORD)
    problem(await api.get(f"{V1}/organizations/{committee['id']}"), 403, "forbidden")
    r = await futian.post(f"{V1}/role-assignments", json={"user_id": user["id"], "role": name})
    assert r.status_code == 201, r.text
    assert (await api.get(f"{V1}/organizations/{committee['id']}")).status_code == 200
    r = await api.patch(f"{V1}/organizations/{committee['id']}", json={"name": "只读不能改"})
    problem(r, 403, "forbidden")
    problem(await futian.delete(f"{V1}/roles/{role['id']}"), 409, "role_in_use")

    # Nobody hands out what they do not hold: a county admin has no check-in rights.
    r = await futian.post(
        f"{V1}/roles",
        json={"name": unique("esc_"), "display_name": "越权", "permissions": ["checkin:create"]},
    )
    body = problem(r, 403, "permission_escalation")
    assert ("permissions", "not_held") in field_codes(body)
    r = await futian.post(
        f"{V1}/roles",
        json={"name": "tenant_admin", "display_name": "冒名", "permissions": ["tenant:read"]},
    )
    assert ("name", "role_name_reserved") in field_codes(problem(r, 422, r.json()["code"]))
    r = await futian.post(f"{V1}/role-assignments", json={"user_id": user["id"], "role": "nope_x"})
    assert ("role", "unknown") in field_codes(problem(r, 422, "role_unknown"))
    r = await futian.post(
        f"{V1}/role-assignments", json={"user_id": user["id"], "role": "platform_admin"}
    )
    problem(r, 422, "role_platform_only")


# ---------------------------------------------------------------- users


async def test_duplicate_username_is_409(futian: Api, nanshan: Api) -> None:
    user = await create_user(futian)
    # Usernames are unique platform-wide, also across sibling tenants.
    r = await nanshan.post(
        f"{V1}/users",
        json={"username": user["username"], "display_name": "重名", "password": PASSWORD},
    )
    body = problem(r, 409, "username_taken")
    assert ("username", "username_taken") in field_codes(body)


@pytest.mark.parametrize("password", ["short1A", "alllowercaseletters", "abcDEF" + "u" * 3])
async def test_weak_password_is_422_naming_password(futian: Api, password: str) -> None:
    r = await futian.post(
        f"{V1}/users",
        json={"username": unique("w"), "display_name": "弱口令", "password": password},
    )
    body = problem(r, 422, r.json().get("code", ""))
    assert "password" in {e["field"] for e in body["errors"]}


async def test_password_containing_the_username_is_refused(futian: Api) -> None:
    username = unique("name")
    r = await futian.post(
        f"{V1}/users",
        json={"username": username, "display_name": "x", "password": f"Aa1-{username}"},
    )
    assert "password" in {e["field"] for e in problem(r, 422, r.json()["code"])["errors"]}


async def test_disabled_user_cannot_log_in(http: httpx.AsyncClient, futian: Api) -> None:
    user = await create_user(futian)
    r = await futian.patch(f"{V1}/users/{user['id']}", json={"is_active": False})
    assert r.status_code == 200
    assert r.json()["is_active"] is False
    r = await http.post(
        f"{V1}/auth/login", json={"username": user["username"], "password": PASSWORD}
    )
    assert r.status_code in (401, 403), r.text


# ---------------------------------------------------------------- audit and ETags


async def test_writes_are_audited_with_actor_action_and_request_id(futian: Api) -> None:
    request_id = "test-" + uuid.uuid4().hex
    r = await futian.post(
        f"{V1}/organizations",
        json={"kind": "party_committee", "name": unique("审计")},
        headers={"X-Request-ID": request_id},
    )
    assert r.status_code == 201
    assert r.headers["x-request-id"] == request_id
    created = r.json()
    r = await futian.get(
        f"{V1}/audit-events", params={"action": "organization.create", "limit": 200}
    )
    assert r.status_code == 200
    events = [e for e in r.json()["items"] if e["resource_id"] == created["id"]]
    assert len(events) == 1
    event = events[0]
    me = (await futian.get(f"{V1}/me")).json()
    assert event["actor_id"] == me["id"]
    assert event["actor_name"] == "futian_admin"
    assert event["tenant_id"] == created["tenant_id"]
    assert (event["resource_type"], event["outcome"]) == ("organization", "success")
    assert event["request_id"] == request_id
    assert event["client_addr"] == "127.0.0.1"


async def test_refused_write_leaves_no_success_event(futian: Api) -> None:
    request_id = "test-" + uuid.uuid4().hex
    r = await futian.post(
        f"{V1}/tenants",
        json={"code": "440398", "name": "不应创建"},
        headers={"X-Request-ID": request_id},
    )
    assert r.status_code == 422
    events = (await futian.get(f"{V1}/audit-events", params={"limit": 200})).json()["items"]
    assert not [e for e in events if e["request_id"] == request_id and e["outcome"] == "success"]


async def test_audit_events_are_paginated_newest_first(futian: Api) -> None:
    for _ in range(3):
        await create_org(futian, "party_committee")
    first = await futian.get(f"{V1}/audit-events", params={"limit": 2})
    page = first.json()
    assert len(page["items"]) == 2
    assert page["next_cursor"]
    second = await futian.get(
        f"{V1}/audit-events", params={"limit": 2, "cursor": page["next_cursor"]}
    )
    ids = [e["id"] for e in page["items"] + second.json()["items"]]
    assert len(set(ids)) == len(ids) == 4
    times = [e["occurred_at"] for e in page["items"] + second.json()["items"]]
    assert times == sorted(times, reverse=True)
    problem(
        await futian.get(f"{V1}/audit-events", params={"cursor": "not-a-cursor"}),
        400,
        "invalid_cursor",
    )


async def test_single_resources_carry_etags_and_honour_if_none_match(
    futian: Api, tenant_ids: dict[str, str]
) -> None:
    committee = await create_org(futian, "party_committee")
    url = f"{V1}/organizations/{committee['id']}"
    r = await futian.get(url)
    etag = r.headers["etag"]
    assert etag.startswith('"')
    assert etag.endswith('"')
    r = await futian.get(url, headers={"If-None-Match": etag})
    assert r.status_code == 304
    assert r.content == b""
    assert r.headers["etag"] == etag
    r = await futian.patch(url, json={"name": unique("改名")})
    assert r.status_code == 200
    r = await futian.get(url, headers={"If-None-Match": etag})
    assert r.status_code == 200
    assert r.headers["etag"] != etag
    for path in (
        f"/tenants/{tenant_ids['440304']}",
        f"/tenants/{tenant_ids['440304']}/settings",
        "/me",
    ):
        r = await futian.get(V1 + path)
        assert r.status_code == 200, path
        assert r.headers.get("etag"), path
        again = await futian.get(V1 + path, headers={"If-None-Match": r.headers["etag"]})
        assert again.status_code == 304, path


async def test_inspector_reads_the_subtree_but_writes_nothing(
    inspector: Api, tenant_ids: dict[str, str], futian: Api
) -> None:
    committee = await create_org(futian, "party_committee")
    assert (await inspector.get(f"{V1}/organizations/{committee['id']}")).status_code == 200
    assert (await inspector.get(f"{V1}/tenants/{tenant_ids['440304']}")).status_code == 200
    r = await inspector.patch(f"{V1}/organizations/{committee['id']}", json={"name": "督查不改"})
    problem(r, 403, "forbidden")
    r = await inspector.post(
        f"{V1}/users",
        json={"username": unique("i"), "display_name": "x", "password": ADMIN_PASSWORD},
    )
    problem(r, 403, "forbidden")
