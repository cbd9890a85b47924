"""CSV formula injection: a work unit or post beginning with `=`, `+`, `-` or `@` leaves the
CSV export quoted so no spreadsheet runs it, and comes back unchanged through the import."""

from __future__ import annotations

import csv
import io

import pytest

from domain.shared import neutralise_formula
from infra.members.exporting import HEADERS
from tests.conftest import Api, unique
from tests.integration.members.helpers import new_branch, org_ids
from tests.integration.members.test_import import person, upload

EXPORT = "/api/v1/members/export"
# what members' records hold, as typed into the registry
RISKY = {
    "柯晓岚": ('=HYPERLINK("http://example.com/x","点此")', "+1 科员"),
    "邝思远": ("-2+3", "@SUM(A1:A9)"),
    "单田芳": ("'=已带引号的单位", "'普通的引号"),
    "覃若溪": ("区委办公室", "科员"),
}


def _csv(rows: list[dict[str, str | None]]) -> bytes:
    headers = [*rows[0]]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    for row in rows:
        writer.writerow([neutralise_formula(row[h] or "") for h in headers])
    return buffer.getvalue().encode("utf-8")


@pytest.fixture
async def risky_branch(futian: Api, tenant_ids: dict[str, str]) -> str:
    orgs = await org_ids(futian, tenant_ids["440304"])
    name = unique("公式测试党支部")
    branch_id = await new_branch(futian, orgs["福田区直属机关党委"], name)
    rows = [
        {**person(name, 姓名=who), "工作单位": unit, "职务": post}
        for who, (unit, post) in RISKY.items()
    ]
    r = await upload(futian, _csv(rows), "risky.csv")
    assert r.status_code == 200, r.text
    assert r.json()["created"] == len(RISKY), r.text
    return branch_id


async def test_csv_export_quotes_formulas_and_the_import_reads_them_back_unchanged(
    futian: Api, risky_branch: str
) -> None:
    r = await futian.get("/api/v1/members", params={"organization_id": risky_branch})
    stored = {m["name"]: (m["work_unit"], m["post"]) for m in r.json()["items"]}
    assert stored == RISKY

    r = await futian.get(EXPORT, params={"format": "csv", "organization_id": risky_branch})
    assert r.status_code == 200, r.text
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[0] == list(HEADERS)
    unit, post = HEADERS.index("工作单位"), HEADERS.index("职务")
    exported = {row[0]: (row[unit], row[post]) for row in rows[1:]}
    assert exported == {
        "柯晓岚": ('\'=HYPERLINK("http://example.com/x","点此")', "'+1 科员"),
        "邝思远": ("'-2+3", "'@SUM(A1:A9)"),
        "单田芳": ("''=已带引号的单位", "'普通的引号"),
        "覃若溪": ("区委办公室", "科员"),
    }
    for row in rows[1:]:
        assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in row)

    r = await upload(futian, r.content, "export.csv", dry_run=True)
    report = r.json()
    assert (report["created"], report["refused"], report["unchanged"]) == (0, 0, 4), report


async def test_xlsx_export_keeps_the_values_as_they_are(futian: Api, risky_branch: str) -> None:
    from openpyxl import load_workbook

    r = await futian.get(EXPORT, params={"format": "xlsx", "organization_id": risky_branch})
    sheet = load_workbook(io.BytesIO(r.content), read_only=True).worksheets[0]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    unit, post = HEADERS.index("工作单位"), HEADERS.index("职务")
    assert {row[0]: (row[unit], row[post]) for row in rows[1:]} == RISKY
    r = await upload(futian, r.content, "export.xlsx", dry_run=True)
    assert r.json()["unchanged"] == 4, r.json()
