"""Import refusals a user can act on in one pass: duplicates named beside other faults."""

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
