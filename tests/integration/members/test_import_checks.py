"""Import refusals a user can act on in one pass: duplicates named beside other faults,
files that are no spreadsheet at all."""

from __future__ import annotations

from tests.conftest import Api
from tests.integration.members.test_import import (
    by_row,
    csv_bytes,
    fresh_id,
    futian_branch,
    person,
    upload,
)

__all__ = ["futian_branch"]

# The first bytes of a PNG image (signature and IHDR chunk).
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000") + b"\x00" * 64


async def test_a_faulty_row_repeating_another_number_gets_every_reason(
    futian: Api, futian_branch: tuple[str, str]
) -> None:
    _, branch = futian_branch
    twin = fresh_id()
    rows = [
        person(branch, 身份证号码=twin),  # row 2
        person(branch),  # row 3
        person(branch, 身份证号码=twin.lower(), 入党时间="2019-02-30"),  # row 4
    ]
    r = await upload(futian, csv_bytes(rows), "twins.csv", mode="partial", dry_run=True)
    assert r.status_code == 200, r.text
    refused = by_row(r.json())
    assert set(refused) == {2, 4}
    assert [(e["field"], e["code"]) for e in refused[4]] == [
        ("admitted_on", "invalid_date"),
        ("id_number", "duplicate_in_file"),
    ]
    assert "第2行" in refused[4][1]["message"]
    assert [e["code"] for e in refused[2]] == ["duplicate_in_file"]
    assert "第4行" in refused[2][0]["message"]


async def test_an_image_named_xlsx_or_csv_is_unreadable(futian: Api) -> None:
    for name in ("党员.xlsx", "党员.csv"):
        r = await upload(futian, PNG, name, mode="all", dry_run=True)
        assert r.status_code == 422, (name, r.text)
        assert r.json()["code"] == "import_file_unreadable", r.text
        assert "不是 Excel" in r.json()["detail"]
