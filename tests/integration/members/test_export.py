"""Member export through HTTP: the import's own columns (so an export re-imports), masked
unless the caller may read sensitive data, audited once per full export."""

from __future__ import annotations

import csv
import io

import psycopg
import pytest
from openpyxl import load_workbook

from infra.db.bootstrap import DatabaseUrls, conninfo_of
from infra.members.exporting import HEADERS
from tests.conftest import Api, login, unique
from tests.integration.members.test_import import csv_bytes, person, upload

EXPORT = "/api/v1/members/export"


@pytest.fixture
async def branch_with_members(
    futian: Api, tenant_ids: dict[str, str]
) -> tuple[str, str, list[str]]:
    from tests.integration.members.helpers import new_branch, org_ids

    orgs = await org_ids(futian, tenant_ids["440304"])
    name = unique("导出测试党支部")
    branch_id = await new_branch(futian, orgs["福田区直属机关党委"], name)
    rows = [
        person(name, 姓名="柯晓岚"),
        person(name, 姓名="邝思远", 转正时间=None, 学历="硕士"),
        person(name, 姓名="单田芳", 手机号=None),
    ]
    r = await upload(futian, csv_bytes(rows), "seed.csv")
    assert r.json()["created"] == 3, r.text
    return branch_id, name, [row["身份证号码"] for row in rows]


def _csv_rows(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf")  # Excel needs the BOM to read UTF-8
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


async def test_csv_export_in_full_round_trips_through_import(
    futian: Api, database: DatabaseUrls, branch_with_members: tuple[str, str, list[str]]
) -> None:
    branch_id, name, ids = branch_with_members
    r = await futian.get(EXPORT, params={"format": "csv", "organization_id": branch_id})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "text/csv; charset=utf-8"  # once, not twice
    assert "attachment" in r.headers["content-disposition"]
    rows = _csv_rows(r.content)
    assert rows[0] == list(HEADERS)
    assert sorted(row[4] for row in rows[1:]) == sorted(ids)
    by_name = {row[0]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    assert by_name["邝思远"]["党员状态"] == "预备党员"
    assert by_name["邝思远"]["学历"] == "研究生"
    assert by_name["柯晓岚"]["所在党支部"] == name
    assert by_name["单田芳"]["手机号"] == ""

    r = await upload(futian, r.content, "export.csv", dry_run=True)
    report = r.json()
    assert (report["created"], report["refused"], report["unchanged"]) == (0, 0, 3), report
    assert {row["action"] for row in report["rows"]} == {"unchanged"}

    with psycopg.connect(conninfo_of(database.admin)) as conn:
        audit = conn.execute(
            "SELECT detail FROM audit_event WHERE action = 'member.export'"
            " AND resource_id = %s ORDER BY occurred_at DESC LIMIT 1",
            (branch_id,),
        ).fetchone()
    assert audit is not None
    assert audit[0]["rows"] == 3
    assert audit[0]["sensitive"] is True


async def test_xlsx_export_round_trips_and_edits_come_back_as_updates(
    futian: Api, branch_with_members: tuple[str, str, list[str]]
) -> None:
    branch_id, _, ids = branch_with_members
    r = await futian.get(EXPORT, params={"format": "xlsx", "organization_id": branch_id})
    assert r.status_code == 200, r.text
    workbook = load_workbook(io.BytesIO(r.content), read_only=True)
    sheet = workbook.worksheets[0]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert tuple(rows[0]) == HEADERS
    assert sorted(str(row[4]) for row in rows[1:]) == sorted(ids)

    r = await upload(futian, r.content, "export.xlsx", dry_run=True)
    assert (r.json()["created"], r.json()["unchanged"]) == (0, 3), r.json()

    # the same sheet with one edit: an update, not a creation
    from openpyxl import Workbook

    edited = Workbook()
    out = edited.active
    assert out is not None
    for index, row in enumerate(rows):
        if index and row[0] == "柯晓岚":
            row[7] = "区委办公室"  # 工作单位
        out.append(row)
    buffer = io.BytesIO()
    edited.save(buffer)
    r = await upload(futian, buffer.getvalue(), "edited.xlsx", dry_run=True)
    actions = {row["name"]: row["action"] for row in r.json()["rows"]}
    assert actions == {"柯晓岚": "update", "邝思远": "unchanged", "单田芳": "unchanged"}


async def test_export_is_masked_without_read_sensitive(
    futian: Api,
    http: object,
    tenant_ids: dict[str, str],
    branch_with_members: tuple[str, str, list[str]],
) -> None:
    branch_id, _, ids = branch_with_members
    role = unique("exp")
    r = await futian.post(
        "/api/v1/roles",
        json={
            "name": role,
            "display_name": "名册导出员",
            "permissions": ["member:read", "member:export"],
        },
    )
    assert r.status_code == 201, r.text
    username = unique("exporter")
    r = await futian.post(
        "/api/v1/users",
        json={
            "username": username,
            "display_name": "导出员",
            "password": "Strong-Pass-2026",
            "tenant_id": tenant_ids["440304"],
        },
    )
    assert r.status_code == 201, r.text
    r = await futian.post(
        "/api/v1/role-assignments",
        json={"user_id": r.json()["id"], "role": role, "organization_id": branch_id},
    )
    assert r.status_code == 201, r.text
    clerk = await login(futian.http, username, "Strong-Pass-2026")

    r = await clerk.get(EXPORT, params={"format": "csv", "organization_id": branch_id})
    assert r.status_code == 200, r.text
    rows = _csv_rows(r.content)[1:]
    assert len(rows) == 3
    assert all("*" in row[4] for row in rows)
    assert not {row[4] for row in rows} & set(ids)
    assert all(row[5] == "" or "****" in row[5] for row in rows)

    # the clerk's grant is on the branch only: the whole county is not theirs to export
    r = await clerk.get(EXPORT, params={"format": "csv"})
    assert r.status_code == 403


async def test_export_scope_and_refusals(
    nanshan: Api, inspector: Api, branch_with_members: tuple[str, str, list[str]]
) -> None:
    branch_id, _, _ = branch_with_members
    r = await nanshan.get(EXPORT, params={"format": "csv", "organization_id": branch_id})
    assert r.status_code == 404
    r = await nanshan.get(EXPORT, params={"format": "csv"})
    assert r.status_code == 200
    assert branch_id not in r.text
    assert all(row[11] != "" for row in _csv_rows(r.content)[1:])
    r = await inspector.get(EXPORT, params={"format": "csv"})
    assert r.status_code == 403
    r = await nanshan.get(EXPORT, params={"format": "pdf"})
    assert r.status_code == 400
