"""Member import through HTTP: generated .xlsx and GBK .csv files with bad rows, dry runs,
all-or-nothing and partial modes, isolation between sibling counties, large files as jobs."""

from __future__ import annotations

import asyncio
import csv
import io
import random
from collections.abc import Sequence
from datetime import date
from typing import Any

import psycopg
import pytest
from openpyxl import Workbook

from infra.db.bootstrap import DatabaseUrls, conninfo_of
from tests.conftest import Api, unique
from tests.integration.members.helpers import id_number, new_branch, org_ids

IMPORT = "/api/v1/members/import"
HEADERS = ["姓名", "性别", "身份证号码", "手机号", "学历", "入党时间", "转正时间", "所在党支部"]
_RNG = random.Random()


def fresh_id(**kw: Any) -> str:
    """A valid 身份证号 not used before in this test process."""
    return id_number(rng=_RNG, **kw)


def bad_check_digit(number: str) -> str:
    last = "0" if number[-1] != "0" else "1"
    return number[:-1] + last


_SURNAMES = "柯邝阚覃单解区查翟缪"
_GIVEN = "晓岚思远嘉禾若溪知秋慕白沐阳景行"


def random_name() -> str:
    """Uncommon names, so that thousands of imported rows do not crowd other tests' searches."""
    return random.choice(_SURNAMES) + "".join(random.choices(_GIVEN, k=2))


def person(branch: str, **overrides: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "姓名": random_name(),
        "性别": None,
        "身份证号码": fresh_id(),
        "手机号": "139" + "".join(random.choice("0123456789") for _ in range(8)),
        "学历": "大学本科",
        "入党时间": "2015-07-01",
        "转正时间": "2016-07-01",
        "所在党支部": branch,
    }
    row.update(overrides)
    return row


def csv_bytes(rows: Sequence[dict[str, Any]], encoding: str = "gbk", bom: bool = False) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADERS)
    for row in rows:
        writer.writerow(["" if row.get(h) is None else row[h] for h in HEADERS])
    data = buffer.getvalue().encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def xlsx_bytes(rows: Sequence[dict[str, Any]], title: str | None = None) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    if title:
        sheet.append([title])
    sheet.append(HEADERS)
    for row in rows:
        sheet.append([row.get(h) for h in HEADERS])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


async def upload(
    api: Api,
    content: bytes,
    filename: str,
    *,
    headers: dict[str, str] | None = None,
    **form: Any,
) -> Any:
    data = {k: str(v).lower() if isinstance(v, bool) else str(v) for k, v in form.items()}
    return await api.post(IMPORT, files={"file": (filename, content)}, data=data, headers=headers)


def count_members(database: DatabaseUrls, organization_id: str) -> int:
    with psycopg.connect(conninfo_of(database.admin)) as conn:
        row = conn.execute(
            "SELECT count(*) FROM member WHERE organization_id = %s", (organization_id,)
        ).fetchone()
        assert row is not None
        return int(row[0])


def by_row(report: dict[str, Any]) -> dict[int, list[dict[str, Any]]]:
    return {r["row"]: r["errors"] for r in report["refused_rows"]}


async def job_report(api: Api, job_id: str, limit: int = 200) -> list[dict[str, Any]]:
    """Every row of a job's row report, page by page."""
    rows: list[dict[str, Any]] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": limit, **({"cursor": cursor} if cursor else {})}
        r = await api.get(f"/api/v1/jobs/{job_id}/report", params=params)
        assert r.status_code == 200, r.text
        rows += r.json()["items"]
        cursor = r.json()["next_cursor"]
        if cursor is None:
            return rows


async def job_refused(api: Api, job_id: str) -> dict[int, list[dict[str, Any]]]:
    return {
        r["row"]: r["errors"] for r in await job_report(api, job_id) if r["action"] == "refused"
    }


@pytest.fixture
async def futian_branch(futian: Api, tenant_ids: dict[str, str]) -> tuple[str, str]:
    orgs = await org_ids(futian, tenant_ids["440304"])
    name = unique("导入测试党支部")
    return await new_branch(futian, orgs["福田区直属机关党委"], name), name


async def _registered_in_nanshan(nanshan: Api) -> str:
    """A 身份证号 already registered in the sibling county (outside Futian's sight)."""
    number = fresh_id()
    r = await upload(
        nanshan, csv_bytes([person("区教育局党支部", 身份证号码=number)]), "n.csv", mode="all"
    )
    assert r.status_code == 200, r.text
    assert r.json()["created"] == 1, r.text
    assert r.json()["committed"]
    return number


def _bad_file(branch: str, elsewhere: str) -> tuple[bytes, str]:
    twin = fresh_id()
    rows = [
        person(branch, 姓名="柯晓岚"),  # row 2
        person(branch, 姓名="邝思远"),  # row 3
        person(branch, 姓名="王五", 身份证号码=bad_check_digit(fresh_id())),  # row 4
        person(branch, 姓名="赵六", 入党时间="2019-02-30"),  # row 5
        person("不存在的党支部", 姓名="钱七"),  # row 6
        person(branch, 姓名="孙八", 身份证号码=twin),  # row 7
        person(branch, 姓名="周九", 身份证号码=twin),  # row 8
        person(branch, 姓名="吴十", 身份证号码=elsewhere),  # row 9
    ]
    return csv_bytes(rows, "gbk"), twin


async def test_gbk_csv_all_or_nothing_names_every_bad_row(
    futian: Api, nanshan: Api, database: DatabaseUrls, futian_branch: tuple[str, str]
) -> None:
    branch_id, branch = futian_branch
    elsewhere = await _registered_in_nanshan(nanshan)
    content, _ = _bad_file(branch, elsewhere)
    before = count_members(database, branch_id)
    r = await upload(futian, content, "党员.csv", mode="all")
    assert r.status_code == 200, r.text
    report = r.json()
    assert report["committed"] is False
    assert (report["total"], report["would_create"], report["refused"]) == (8, 2, 6)
    assert report["created"] == 0
    refused = by_row(report)
    assert set(refused) == {4, 5, 6, 7, 8, 9}
    assert refused[4][0]["field"] == "id_number"
    assert refused[4][0]["code"] == "id_number_check_digit"
    assert "校验位" in refused[4][0]["message"]
    assert refused[5][0]["field"] == "admitted_on"
    assert refused[5][0]["code"] == "invalid_date"
    assert refused[6][0]["code"] == "unknown_organization"
    assert refused[7][0]["code"] == "duplicate_in_file"
    assert "8" in refused[7][0]["message"]
    assert refused[8][0]["code"] == "duplicate_in_file"
    assert refused[9][0]["code"] == "duplicate_elsewhere"
    assert "南山" not in refused[9][0]["message"]  # the other record's place stays hidden
    assert count_members(database, branch_id) == before == 0

    r = await upload(futian, content, "党员.csv", mode="all", headers={"Accept-Language": "en"})
    errors = by_row(r.json())
    assert "check character" in errors[4][0]["message"]


async def test_partial_mode_writes_the_good_rows_with_history_and_one_audit_event(
    futian: Api, nanshan: Api, database: DatabaseUrls, futian_branch: tuple[str, str]
) -> None:
    branch_id, branch = futian_branch
    elsewhere = await _registered_in_nanshan(nanshan)
    content, _ = _bad_file(branch, elsewhere)
    r = await upload(futian, content, "党员.csv", mode="partial")
    assert r.status_code == 200, r.text
    report = r.json()
    assert report["committed"] is True
    assert (report["created"], report["refused"]) == (2, 6)
    assert count_members(database, branch_id) == 2
    with psycopg.connect(conninfo_of(database.admin)) as conn:
        history = conn.execute(
            "SELECT h.action, h.version, h.changes FROM member_history h"
            " JOIN member m ON m.tenant_id = h.tenant_id AND m.id = h.member_id"
            " WHERE m.organization_id = %s",
            (branch_id,),
        ).fetchall()
        identities = conn.execute(
            "SELECT count(*) FROM member_identity i JOIN member m"
            " ON m.tenant_id = i.tenant_id AND m.id = i.member_id WHERE m.organization_id = %s",
            (branch_id,),
        ).fetchone()
        audits = conn.execute(
            "SELECT detail FROM audit_event WHERE action = 'member.import'"
            " AND detail->>'filename' = '党员.csv' AND (detail->>'created')::int = 2"
            " AND actor_name = 'futian_admin'"
        ).fetchall()
        events = conn.execute(
            "SELECT e.topic, e.payload FROM outbox_event e JOIN member m"
            " ON m.tenant_id = e.tenant_id AND e.aggregate_id = m.id::text"
            " WHERE m.organization_id = %s",
            (branch_id,),
        ).fetchall()
    # Integrations hear of imported members as of members created one by one.
    assert sorted(t for t, _ in events) == ["member.created", "member.created"]
    assert all(
        p["organization_id"] == branch_id and p["version"] == 1 and p["fields"] == []
        for _, p in events
    )
    assert [(a, v) for a, v, _ in history] == [("import", 1), ("import", 1)]
    assert all("*" in c["id_number"]["new"] for _, _, c in history)  # masked in history
    assert identities is not None
    assert identities[0] == 2
    assert len(audits) >= 1
    assert audits[-1][0]["refused"] == 6


async def test_dry_run_of_an_xlsx_reports_each_row_and_writes_nothing(
    futian: Api, database: DatabaseUrls, futian_branch: tuple[str, str]
) -> None:
    branch_id, branch = futian_branch
    rows = [
        person(branch, 姓名="柯晓岚"),
        person(branch, 姓名="邝思远", 入党时间=date(2012, 3, 4), 转正时间="2013年3月4日"),
        person(branch, 姓名="王五", 身份证号码=bad_check_digit(fresh_id())),
        person(branch, 姓名="赵六", 性别="男", 身份证号码=fresh_id(male=False)),
    ]
    content = xlsx_bytes(rows, title="福田区党员信息表")
    r = await upload(futian, content, "党员信息.xlsx", dry_run=True)
    assert r.status_code == 200, r.text
    report = r.json()
    assert report["dry_run"] is True
    assert report["committed"] is False
    # the title row is row 1, headers row 2, data from row 3
    actions = {row["row"]: row["action"] for row in report["rows"]}
    assert actions == {3: "create", 4: "create", 5: "refused", 6: "refused"}
    assert by_row(report)[6][0] == {
        "field": "gender",
        "code": "mismatch_id_number",
        "message": by_row(report)[6][0]["message"],
    }
    assert {row["organization"] for row in report["rows"] if row["action"] == "create"} == {branch}
    assert count_members(database, branch_id) == 0


async def test_default_organization_fills_rows_without_a_branch(
    futian: Api, database: DatabaseUrls, futian_branch: tuple[str, str]
) -> None:
    branch_id, _ = futian_branch
    rows = [person("", 姓名="柯晓岚"), person("", 姓名="邝思远")]
    content = csv_bytes(rows, "utf-8", bom=True)
    r = await upload(futian, content, "a.csv", organization_id=branch_id)
    assert r.status_code == 200, r.text
    assert r.json()["created"] == 2
    assert r.json()["committed"]
    assert count_members(database, branch_id) == 2


async def test_existing_members_in_the_subtree_are_updated(
    futian: Api, database: DatabaseUrls, futian_branch: tuple[str, str]
) -> None:
    branch_id, branch = futian_branch
    row = person(branch, 姓名="柯晓岚", 学历="大专")
    r = await upload(futian, csv_bytes([row], "utf-8"), "a.csv")
    assert r.json()["created"] == 1
    again = {**row, "学历": "大学本科", "手机号": "13900001111"}
    r = await upload(futian, csv_bytes([again], "utf-8"), "a.csv", dry_run=True)
    assert r.json()["rows"][0]["action"] == "update"
    r = await upload(futian, csv_bytes([again], "utf-8"), "a.csv")
    assert (r.json()["created"], r.json()["updated"]) == (0, 1)
    r = await upload(futian, csv_bytes([again], "utf-8"), "a.csv")
    assert r.json()["unchanged"] == 1
    assert count_members(database, branch_id) == 1
    with psycopg.connect(conninfo_of(database.admin)) as conn:
        versions = conn.execute(
            "SELECT m.version, m.education, h.changes FROM member m JOIN member_history h"
            " ON h.tenant_id = m.tenant_id AND h.member_id = m.id AND h.version = 2"
            " WHERE m.organization_id = %s",
            (branch_id,),
        ).fetchall()
    assert len(versions) == 1
    version, education, changes = versions[0]
    assert (version, education) == (2, "bachelor")
    assert changes["education"] == {"old": "junior_college", "new": "bachelor"}
    assert changes["phone"]["new"] == "139****1111"
    with psycopg.connect(conninfo_of(database.admin)) as conn:
        events = conn.execute(
            "SELECT e.topic, e.payload FROM outbox_event e JOIN member m"
            " ON m.tenant_id = e.tenant_id AND e.aggregate_id = m.id::text"
            " WHERE m.organization_id = %s ORDER BY e.created_at, e.topic",
            (branch_id,),
        ).fetchall()
    assert [t for t, _ in events] == ["member.created", "member.updated"]
    assert events[1][1]["version"] == 2
    assert {"education", "phone"} <= set(events[1][1]["fields"])


async def test_a_sibling_county_cannot_import_into_futian(
    futian: Api, nanshan: Api, database: DatabaseUrls, futian_branch: tuple[str, str]
) -> None:
    branch_id, branch = futian_branch
    content = csv_bytes([person(branch), person("")], "gbk")
    r = await upload(nanshan, content, "x.csv", organization_id=branch_id)
    assert r.status_code == 404, r.text
    r = await upload(nanshan, csv_bytes([person(branch)], "gbk"), "x.csv", mode="partial")
    assert r.status_code == 200
    assert r.json()["committed"] is True
    assert r.json()["created"] == 0
    assert by_row(r.json())[2][0]["code"] == "unknown_organization"
    assert count_members(database, branch_id) == 0


async def test_callers_without_member_import_are_refused(
    secretary: Api, futian_branch: tuple[str, str]
) -> None:
    _, branch = futian_branch
    r = await upload(secretary, csv_bytes([person(branch)]), "x.csv")
    assert r.status_code == 403
    assert r.json()["code"] == "forbidden"


async def test_bad_headers_and_bad_files_are_422(futian: Api) -> None:
    r = await upload(futian, "姓名,民族\n张三,汉族\n".encode(), "x.csv")
    assert r.status_code == 422
    body = r.json()
    assert body["code"] == "import_headers_invalid"
    assert {e["field"] for e in body["errors"]} >= {"id_number", "admitted_on"}
    r = await upload(futian, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "old.xls")
    assert r.status_code == 422
    assert r.json()["code"] == "import_file_type"
    r = await upload(futian, b"PK\x03\x04garbage", "broken.xlsx")
    assert r.status_code == 422
    assert r.json()["code"] == "import_file_unreadable"
    r = await upload(futian, b"", "empty.csv")
    assert r.status_code == 422


async def test_a_large_file_runs_as_a_job_with_progress_and_a_report(
    futian: Api, database: DatabaseUrls, futian_branch: tuple[str, str]
) -> None:
    branch_id, branch = futian_branch
    rows = [person(branch) for _ in range(2500)]
    rows[99]["身份证号码"] = bad_check_digit(rows[99]["身份证号码"])
    rows[1999]["入党时间"] = "2040-01-01"
    r = await upload(futian, csv_bytes(rows, "gbk"), "big.csv", mode="partial")
    assert r.status_code == 202, r.text
    job = r.json()
    assert job["kind"] == "members.import"
    assert job["progress_total"] == 2500
    seen_progress: set[int] = set()
    for _ in range(600):
        r = await futian.get(f"/api/v1/jobs/{job['id']}")
        job = r.json()
        seen_progress.add(job["progress_done"])
        if job["status"] in ("succeeded", "failed"):
            break
        await asyncio.sleep(0.1)
    assert job["status"] == "succeeded", job
    assert job["progress_done"] == 2500
    assert job["percent"] == 100.0
    report = job["result"]
    assert (report["created"], report["refused"], report["committed"]) == (2498, 2, True)
    assert report["report_rows"] == 2
    refused = await job_refused(futian, job["id"])
    assert refused[101][0]["code"] == "id_number_check_digit"
    assert refused[2001][0] == {
        "field": "admitted_on",
        "code": "in_future",
        "message": "入党时间不能晚于今天",
    }
    assert count_members(database, branch_id) == 2498


def test_import_rows_fill_every_member_column() -> None:
    """The import COPYs `new_member_values` column by column: a column added to the table
    but not to `member_values` would silently be left at its default."""
    import base64
    import os
    import uuid as uuid_module
    from datetime import UTC, datetime

    from domain.members import MemberDraft, MemberStatus, MobileDetails, OrgRef, validate_member
    from domain.members.model import Education, MemberClass
    from infra.crypto import BlindIndex, FieldCipher
    from infra.members.import_writes import new_member_values
    from infra.members.tables import Member
    from infra.protection import FieldProtector

    key = base64.b64encode(os.urandom(32)).decode()
    protector = FieldProtector(
        FieldCipher.from_base64({"k1": key}, "k1"), BlindIndex.from_base64(key)
    )
    draft = validate_member(
        MemberDraft(
            name="单田芳",
            id_number=fresh_id(),
            status=MemberStatus.FULL,
            admitted_on=date(2015, 7, 1),
            full_member_on=date(2016, 7, 1),
            organization_name="x",
            phone="13900001111",
            education=Education.BACHELOR,
            member_class=MemberClass.MOBILE,
            mobile=MobileDetails("深圳市南山区某党支部", "LD-1", date(2024, 1, 1)),
            tags=("青年党员",),
        ),
        today=date(2026, 1, 1),
    )
    ref = OrgRef(uuid_module.uuid4(), uuid_module.uuid4(), "x", "branch", "a.b", "zb.440000")
    now = datetime.now(UTC)
    fast = new_member_values(draft, ref, protector, now)
    columns = {c.name for c in Member.__table__.columns}  # type: ignore[attr-defined]
    assert set(vars(fast)) == columns
    assert protector.reveal_id_number(fast.id_number_enc) == draft.id_number
    assert (fast.name_pinyin, fast.name_initials) == ("shantianfang", "stf")


def test_copy_payload_matches_generic_copy_lines() -> None:
    """The import writes COPY text column by column; it must say what `copy_line` says of
    the row `new_member_values` builds."""
    import base64
    import os
    import uuid as uuid_module
    from datetime import UTC, datetime

    from domain.members import MemberDraft, MemberStatus, MobileDetails, OrgRef, validate_member
    from domain.members.model import Education, MemberClass
    from infra.crypto import BlindIndex, FieldCipher
    from infra.members.import_writes import (
        MEMBER_COLUMNS,
        NEW_MEMBER_COLUMNS,
        STAGED_MEMBER_COLUMNS,
        Planned,
        copy_line,
        creation_payload,
        new_member_values,
    )
    from infra.protection import FieldProtector

    assert sorted(NEW_MEMBER_COLUMNS) == sorted(MEMBER_COLUMNS)
    key = base64.b64encode(os.urandom(32)).decode()
    protector = FieldProtector(
        FieldCipher.from_base64({"k1": key}, "k1"), BlindIndex.from_base64(key)
    )
    today = date(2026, 1, 1)
    full = validate_member(
        MemberDraft(
            name="单田芳",
            id_number=fresh_id(),
            status=MemberStatus.FULL,
            admitted_on=date(2015, 7, 1),
            full_member_on=date(2016, 7, 1),
            organization_name="x",
            phone="13900001111",
            ethnicity="回族",
            education=Education.BACHELOR,
            work_unit='某局\t二处\\"一科"\n',
            post="科员",
            member_class=MemberClass.MOBILE,
            mobile=MobileDetails("深圳市南山区某党支部", "LD-1", date(2024, 1, 1)),
            tags=("青年党员", 'a"b\\c'),
        ),
        today=today,
    )
    bare = validate_member(
        MemberDraft(
            name="李四",
            id_number=fresh_id(),
            status=MemberStatus.PROBATIONARY,
            admitted_on=date(2025, 7, 1),
            organization_name="x",
        ),
        today=today,
    )
    ref = OrgRef(uuid_module.uuid4(), uuid_module.uuid4(), "x", "branch", "a.b", "zb.440000")
    now = datetime.now(UTC)
    lines = creation_payload([Planned(2, full, ref), Planned(3, bare, ref)], protector, now)
    assert lines.endswith("\n")
    history_ids = set()
    for draft, line in zip((full, bare), lines[:-1].split("\n"), strict=True):
        row = new_member_values(draft, ref, protector, now)
        fast = dict(zip(STAGED_MEMBER_COLUMNS, line.split("\t"), strict=True))
        generic = dict(
            zip(
                NEW_MEMBER_COLUMNS,
                copy_line([getattr(row, c) for c in NEW_MEMBER_COLUMNS])[:-1].split("\t"),
                strict=True,
            )
        )
        for column in ("id_number_enc", "phone_enc"):  # fresh nonce each time
            values = [fast.pop(column), generic.pop(column)]
            if values[1] == "\\N":
                assert values[0] == "\\N"
                continue
            reveal = (
                protector.reveal_id_number if column == "id_number_enc" else protector.reveal_phone
            )
            plain = [reveal(bytes.fromhex(v.removeprefix("\\\\x"))) for v in values]
            assert plain[0] == plain[1]
        history_ids.add(uuid_module.UUID(fast.pop("history_id")))
        assert uuid_module.UUID(fast.pop("id")) not in history_ids
        generic.pop("id")
        assert fast == generic
    assert len(history_ids) == 2


async def test_imported_members_history_says_what_the_registry_would(
    futian: Api, database: DatabaseUrls, futian_branch: tuple[str, str]
) -> None:
    """The first history version of an imported member records every set field as the
    registry's own history does, and keeps the import's time and author."""
    from types import SimpleNamespace

    from psycopg.rows import dict_row

    from infra.members.records import creation_changes

    branch_id, branch = futian_branch
    headers = [
        "姓名",
        "身份证号码",
        "民族",
        "手机号",
        "学历",
        "工作单位",
        "职务",
        "入党时间",
        "转正时间",
        "所在党支部",
        "人员类别",
        "流入党组织",
        "活动证编号",
        "外出日期",
        "标签",
    ]
    rows = [
        [random_name(), fresh_id(), "回族", "13900001111", "硕士", '某局"二处"\\', "科员",
         "2015-07-01", "2016-07-01", branch, "流动党员", "深圳市南山区某党支部", "LD-1",
         "2024-01-01", "青年党员、退役军人"],
        [random_name(), fresh_id(), "", "", "", "", "", "2025-07-01", "", branch, "", "", "",
         "", ""],
    ]  # fmt: skip
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    writer.writerows(rows)
    r = await upload(futian, buffer.getvalue().encode("utf-8"), "history.csv")
    assert r.status_code == 200, r.text
    assert r.json()["created"] == 2, r.text
    with psycopg.connect(conninfo_of(database.admin), row_factory=dict_row) as conn:
        found = conn.execute(
            "SELECT m.*, h.changes AS history_changes, h.version AS history_version,"
            " h.changed_at AS history_changed_at, h.changed_by_name, h.action"
            " FROM member m JOIN member_history h"
            " ON h.tenant_id = m.tenant_id AND h.member_id = m.id"
            " WHERE m.organization_id = %s AND m.name = ANY(%s)",
            (branch_id, [row[0] for row in rows]),
        ).fetchall()
    assert len(found) == 2
    for record in found:
        assert record["action"] == "import"
        assert record["history_version"] == 1
        assert record["changed_by_name"] == "futian_admin"
        assert record["history_changed_at"] == record["created_at"]
        assert record["history_changes"] == creation_changes(SimpleNamespace(**record))
    full = next(r for r in found if r["member_class"] == "mobile")
    assert full["history_changes"]["tags"]["new"] == ["青年党员", "退役军人"]
    assert full["history_changes"]["mobile"]["new"]["period_end"] is None


async def _finished_job(api: Api, job: dict[str, Any]) -> dict[str, Any]:
    for _ in range(600):
        r = await api.get(f"/api/v1/jobs/{job['id']}")
        job = r.json()
        if job["status"] in ("succeeded", "failed"):
            return job
        await asyncio.sleep(0.1)
    raise AssertionError(f"job did not finish: {job}")


@pytest.mark.parametrize("late_problem", ["duplicate_in_file", "duplicate_elsewhere"])
async def test_all_or_nothing_writes_nothing_when_a_late_row_is_refused(
    futian: Api,
    nanshan: Api,
    database: DatabaseUrls,
    futian_branch: tuple[str, str],
    late_problem: str,
) -> None:
    """Rows of the first chunks are written while later ones are still being read; a row
    refused near the end of the file still leaves nothing behind."""
    branch_id, branch = futian_branch
    rows = [person(branch) for _ in range(2500)]
    if late_problem == "duplicate_in_file":
        rows[2399]["身份证号码"] = rows[0]["身份证号码"]
        refused_rows = {2, 2401}
    else:
        rows[2399]["身份证号码"] = await _registered_in_nanshan(nanshan)
        refused_rows = {2401}
    r = await upload(futian, csv_bytes(rows, "gbk"), "late.csv", mode="all")
    assert r.status_code == 202, r.text
    job = await _finished_job(futian, r.json())
    assert job["status"] == "succeeded", job
    report = job["result"]
    assert report["committed"] is False
    assert (report["would_create"], report["created"]) == (2500 - len(refused_rows), 0)
    refused = await job_refused(futian, job["id"])
    assert set(refused) == refused_rows
    assert all(e[0]["code"] == late_problem for e in refused.values())
    assert count_members(database, branch_id) == 0
    with psycopg.connect(conninfo_of(database.admin)) as conn:
        found = conn.execute(
            "SELECT count(*) FROM member_history h JOIN member m"
            " ON m.tenant_id = h.tenant_id AND m.id = h.member_id WHERE m.organization_id = %s",
            (branch_id,),
        ).fetchone()
    assert found is not None
    assert found[0] == 0
    # the same file without the late problem is written whole
    rows[2399]["身份证号码"] = fresh_id()
    r = await upload(futian, csv_bytes(rows, "gbk"), "late.csv", mode="all")
    job = await _finished_job(futian, r.json())
    assert job["result"]["committed"] is True, job
    assert job["result"]["created"] == 2500
    assert count_members(database, branch_id) == 2500
