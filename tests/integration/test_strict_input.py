"""Input is exactly what the document says, refusals name the field in words a person can
act on, blank names are not names, and every time leaves in one form (+08:00)."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from api.docs import DESCRIPTION
from tests.conftest import Api, unique
from tests.integration.members.helpers import create_member, member_body

V1 = "/api/v1"
TIME_PART = r"T\d{2}:\d{2}:\d{2}(\.\d+)?\+08:00$"


async def _branch(api: Api, tenant_id: str) -> str:
    r = await api.post(
        f"{V1}/organizations",
        json={"kind": "party_committee", "name": unique("党委"), "tenant_id": tenant_id},
    )
    assert r.status_code == 201, r.text
    r = await api.post(
        f"{V1}/organizations",
        json={"kind": "branch", "name": unique("支部"), "parent_id": r.json()["id"]},
    )
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


@pytest.fixture(scope="module")
async def branch_id(futian: Api, tenant_ids: dict[str, str]) -> str:
    return await _branch(futian, tenant_ids["440304"])


def _activity(branch_id: str, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kind": "branch_congress",
        "organization_id": branch_id,
        "title": unique("支部党员大会"),
        "starts_at": "2026-05-20T14:30:00+08:00",
        "ends_at": "2026-05-20T16:30:00+08:00",
    }
    body.update(changes)
    return body


def _refused(r: httpx.Response, field: str, code: str) -> dict[str, Any]:
    assert r.status_code == 400, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    problem = r.json()
    assert problem["code"] == "validation_failed"
    matching = [e for e in problem["errors"] if e["field"] == field]
    assert matching, problem
    assert matching[0]["code"] == code, problem
    assert f"`{code}`" in DESCRIPTION
    return dict(matching[0])


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"radius_m": "200"}, "radius_m", "wrong_type"),
        ({"qr_required": "false"}, "qr_required", "wrong_type"),
        ({"qr_required": 0}, "qr_required", "wrong_type"),
        ({"starts_at": 1830000000}, "starts_at", "wrong_type"),
        ({"starts_at": "2026-05-20T14:30:00"}, "starts_at", "time_without_offset"),
        ({"ends_at": "2026-05-20 16:30"}, "ends_at", "invalid_time"),
        ({"radius_m": 5}, "radius_m", "too_small"),
        ({"title": "题" * 201}, "title", "too_long"),
        ({"kind": "picnic"}, "kind", "invalid_choice"),
        ({"organization_id": "branch-1"}, "organization_id", "invalid_uuid"),
        ({"colour": "red"}, "colour", "unknown_field"),
    ],
)
async def test_activity_body_is_decoded_strictly(
    futian: Api, branch_id: str, changes: dict[str, Any], field: str, code: str
) -> None:
    r = await futian.post(f"{V1}/activities", json=_activity(branch_id, **changes))
    _refused(r, field, code)


async def test_an_integral_float_is_an_integer_as_json_schema_says(
    futian: Api, branch_id: str
) -> None:
    r = await futian.post(f"{V1}/activities", json=_activity(branch_id, radius_m=200.0))
    assert r.status_code == 201, r.text
    activity = r.json()
    assert activity["radius_m"] == 200
    assert isinstance(activity["radius_m"], int)
    r = await futian.patch(f"{V1}/activities/{activity['id']}", json={"radius_m": 150.0})
    assert r.status_code == 200, r.text
    r = await futian.get(f"{V1}/activities/{activity['id']}")
    assert r.json()["radius_m"] == 150
    assert isinstance(r.json()["radius_m"], int)
    body = {
        "kind": "photo",
        "filename": "现场.jpg",
        "content_type": "image/jpeg",
        "size_bytes": 10.0,
        "sha256": "0" * 64,
    }
    r = await futian.post(f"{V1}/activities/{activity['id']}/evidence", json=body)
    assert r.status_code == 201, r.text
    assert r.json()["evidence"]["size_bytes"] == 10


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"radius_m": 200.5}, "radius_m", "wrong_type"),
        ({"radius_m": True}, "radius_m", "wrong_type"),
        ({"radius_m": 5.0}, "radius_m", "too_small"),
        # An integral float is let through, and the next refusal is still named.
        ({"radius_m": 200.0, "qr_required": "false"}, "qr_required", "wrong_type"),
    ],
)
async def test_only_integral_floats_count_as_integers(
    futian: Api, branch_id: str, changes: dict[str, Any], field: str, code: str
) -> None:
    r = await futian.post(f"{V1}/activities", json=_activity(branch_id, **changes))
    _refused(r, field, code)


async def test_nested_field_paths_and_both_languages(futian: Api) -> None:
    item = {
        "client_id": unique("c"),
        "activity_id": "0193a4b2-0000-7000-8000-000000000001",
        "occurred_at": "2026-05-20T14:31:07+08:00",
    }
    bad = {**item, "occurred_at": "2026-05-20T14:31:07"}
    body = {"items": [item, item, item, bad]}
    zh = _refused(
        await futian.post(f"{V1}/checkins/sync", json=body),
        "items[3].occurred_at",
        "time_without_offset",
    )
    assert "RFC 3339" in zh["message"]
    assert "偏移" in zh["message"]
    en = _refused(
        await futian.post(f"{V1}/checkins/sync", json=body, headers={"Accept-Language": "en"}),
        "items[3].occurred_at",
        "time_without_offset",
    )
    assert en["message"].startswith("items[3].occurred_at must be an RFC 3339 time with an offset")


async def test_missing_field_is_named_without_parser_text(futian: Api, branch_id: str) -> None:
    body = _activity(branch_id)
    del body["kind"]
    error = _refused(await futian.post(f"{V1}/activities", json=body), "kind", "missing")
    assert error["message"] == "缺少必填字段 kind。"
    r = await futian.post(f"{V1}/activities", json=_activity(branch_id, kind="picnic"))
    message = _refused(r, "kind", "invalid_choice")["message"]
    assert "branch_congress" in message
    assert "Invalid" not in message


async def test_every_refusal_of_one_body_at_once_is_worded_not_parsed(futian: Api) -> None:
    r = await futian.post(f"{V1}/organizations", json=[])
    error = _refused(r, "body", "wrong_type")
    assert error["message"] == "body 应为对象，收到的是数组。"
    for text in (error["message"], r.json()["detail"]):
        assert "`" not in text
        assert "Expected" not in text


@pytest.mark.parametrize("value", [1, 0, "false", "true"])
async def test_user_is_active_must_be_a_boolean(
    futian: Api, tenant_ids: dict[str, str], value: Any
) -> None:
    r = await futian.post(
        f"{V1}/users",
        json={
            "username": unique("u"),
            "display_name": "李四",
            "password": "Strict-Pass-2026",
            "tenant_id": tenant_ids["440304"],
        },
    )
    assert r.status_code == 201, r.text
    user_id = r.json()["id"]
    r = await futian.patch(f"{V1}/users/{user_id}", json={"is_active": value})
    _refused(r, "is_active", "wrong_type")
    assert (await futian.get(f"{V1}/users/{user_id}")).json()["is_active"] is True


async def test_evidence_size_must_be_a_number(futian: Api, branch_id: str) -> None:
    r = await futian.post(f"{V1}/activities", json=_activity(branch_id))
    assert r.status_code == 201, r.text
    body = {
        "kind": "photo",
        "filename": "现场.jpg",
        "content_type": "image/jpeg",
        "size_bytes": "10",
        "sha256": "0" * 64,
    }
    r = await futian.post(f"{V1}/activities/{r.json()['id']}/evidence", json=body)
    _refused(r, "size_bytes", "wrong_type")


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ({"starts_from": "0.5"}, "invalid_time"),
        ({"starts_from": "2026-12-02T06:44:05"}, "time_without_offset"),
        ({"starts_from": "2026-12-02T06:44:05 08:00"}, "invalid_time"),
        ({"limit": "1e2"}, "wrong_type"),
        ({"limit": "2.0"}, "wrong_type"),
        ({"kind": "picnic"}, "invalid_choice"),
    ],
)
async def test_query_values_have_their_declared_type(
    futian: Api, query: dict[str, str], code: str
) -> None:
    r = await futian.get(f"{V1}/activities", params=query)
    error = _refused(r, next(iter(query)), code)
    assert "`" not in error["message"]


async def test_query_times_with_an_offset_are_accepted(futian: Api) -> None:
    for value in ("2026-12-02T06:44:05+08:00", "2026-12-01T22:44:05Z"):
        r = await futian.get(f"{V1}/activities", params={"starts_from": value, "limit": "5"})
        assert r.status_code == 200, r.text


@pytest.mark.parametrize("blank", ["   ", "\t\n", "\u3000"])
async def test_blank_titles_and_names_are_refused(
    futian: Api, branch_id: str, tenant_ids: dict[str, str], blank: str
) -> None:
    r = await futian.post(f"{V1}/activities", json=_activity(branch_id, title=blank))
    _refused(r, "title", "blank")
    r = await futian.post(f"{V1}/activities", json=_activity(branch_id))
    activity = r.json()
    r = await futian.patch(f"{V1}/activities/{activity['id']}", json={"title": blank})
    _refused(r, "title", "blank")
    assert (await futian.get(f"{V1}/activities/{activity['id']}")).json()["title"] == activity[
        "title"
    ]

    r = await futian.patch(f"{V1}/organizations/{branch_id}", json={"name": blank})
    _refused(r, "name", "blank")
    r = await futian.post(
        f"{V1}/organizations", json={"kind": "branch", "name": blank, "parent_id": branch_id}
    )
    _refused(r, "name", "blank")
    r = await futian.post(
        f"{V1}/users",
        json={
            "username": unique("u"),
            "display_name": blank,
            "password": "Strict-Pass-2026",
            "tenant_id": tenant_ids["440304"],
        },
    )
    _refused(r, "display_name", "blank")
    r = await futian.post(
        f"{V1}/roles",
        json={"name": unique("r"), "display_name": blank, "permissions": ["member:read"]},
    )
    _refused(r, "display_name", "blank")
    r = await futian.post(f"{V1}/activities/{activity['id']}/cancel", json={"reason": blank})
    assert (r.status_code, r.json()["code"]) == (422, "cancel_reason_required")


async def test_blank_tenant_name_is_refused(province: Api) -> None:
    r = await province.post(f"{V1}/tenants", json={"code": "441900", "name": " \u3000 "})
    _refused(r, "name", "blank")


async def test_times_leave_in_one_form(futian: Api, branch_id: str) -> None:
    r = await futian.post(
        f"{V1}/activities",
        json=_activity(
            branch_id, starts_at="2026-05-20T06:30:00Z", ends_at="2026-05-20T16:30:00+08:00"
        ),
    )
    assert r.status_code == 201, r.text
    created = r.json()
    assert created["starts_at"] == "2026-05-20T14:30:00+08:00"
    fetched = (await futian.get(f"{V1}/activities/{created['id']}")).json()
    listed = (await futian.get(f"{V1}/activities", params={"organization_id": branch_id})).json()
    from_list = next(a for a in listed["items"] if a["id"] == created["id"])
    for key in ("starts_at", "ends_at", "created_at", "updated_at"):
        assert fetched[key] == created[key] == from_list[key]
        assert re.search(TIME_PART, fetched[key]), fetched[key]


async def test_times_read_from_the_database_carry_the_display_offset(
    futian: Api, tenant_ids: dict[str, str]
) -> None:
    tenant = (await futian.get(f"{V1}/tenants/{tenant_ids['440304']}")).json()
    assert re.search(TIME_PART, tenant["created_at"]), tenant
    events = (await futian.get(f"{V1}/audit-events", params={"limit": "3"})).json()["items"]
    assert events
    assert all(re.search(TIME_PART, e["occurred_at"]) for e in events)


async def test_blank_member_names_are_refused(futian: Api, branch_id: str) -> None:
    r = await futian.post(f"{V1}/members", json=member_body(branch_id, name=" \u3000 "))
    assert r.status_code in (400, 422), r.text
    assert [e["field"] for e in r.json()["errors"]] == ["name"]
    member = await create_member(futian, branch_id)
    r = await futian.patch(f"{V1}/members/{member['id']}", json={"name": "   "})
    assert r.status_code in (400, 422), r.text
    assert [e["field"] for e in r.json()["errors"]] == ["name"]
    assert (await futian.get(f"{V1}/members/{member['id']}")).json()["name"] == member["name"]


async def test_the_document_says_how_times_leave(http: httpx.AsyncClient) -> None:
    description = (await http.get("/docs/openapi.json")).json()["info"]["description"]
    assert "+08:00" in description
    assert "RFC 3339" in description


async def test_a_missing_body_is_named(futian: Api) -> None:
    r = await futian.post(
        f"{V1}/organizations", content=b"", headers={"Content-Type": "application/json"}
    )
    error = _refused(r, "body", "missing")
    assert error["message"] == "缺少请求体（JSON）。"


async def test_form_fields_are_named_with_their_allowed_values(futian: Api) -> None:
    r = await futian.post(
        f"{V1}/members/import",
        files={"file": ("members.csv", "姓名\n".encode(), "text/csv")},
        data={"mode": "some", "dry_run": "maybe"},
        headers={"Accept-Language": "en"},
    )
    assert r.status_code == 400, r.text
    errors = {e["field"]: e for e in r.json()["errors"]}
    assert errors["mode"]["message"] == "mode must be one of: all, partial."


async def test_times_in_the_audit_trail_take_the_same_form(futian: Api, branch_id: str) -> None:
    activity = (await futian.post(f"{V1}/activities", json=_activity(branch_id))).json()
    r = await futian.patch(
        f"{V1}/activities/{activity['id']}", json={"starts_at": "2026-05-20T06:00:00Z"}
    )
    assert r.status_code == 200, r.text
    assert r.json()["starts_at"] == "2026-05-20T14:00:00+08:00"
    r = await futian.get(f"{V1}/audit-events", params={"action": "activity.update", "limit": "50"})
    details = [e["detail"] for e in r.json()["items"] if e["resource_id"] == activity["id"]]
    assert details == [{"starts_at": "2026-05-20T14:00:00+08:00"}]


DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


def _times_in(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [t for item in value.values() for t in _times_in(item)]
    if isinstance(value, list):
        return [t for item in value for t in _times_in(item)]
    return [value] if isinstance(value, str) and DATETIME.match(value) else []


async def test_every_list_gives_its_times_in_one_form(http: httpx.AsyncClient, futian: Api) -> None:
    document = (await http.get("/docs/openapi.json")).json()
    seen = 0
    for path, item in document["paths"].items():
        if "get" not in item or "{" in path or path.endswith("/export"):
            continue
        r = await futian.get(path)
        if r.status_code == 200 and r.headers["content-type"].startswith("application/json"):
            times = _times_in(r.json())
            seen += len(times)
            assert all(t.endswith("+08:00") for t in times), (path, times)
    assert seen > 0
