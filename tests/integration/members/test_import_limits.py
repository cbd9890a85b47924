"""No import file can stall the service: permission before the body, hard limits on what a
spreadsheet may unpack to, and the parsing done off the event loop."""

from __future__ import annotations

import asyncio
import functools
import io
import threading
import zipfile

import httpx
import psycopg
import pytest
from openpyxl import Workbook

from infra import offload
from infra.db.bootstrap import DatabaseUrls, conninfo_of
from tests.conftest import Api, unique
from tests.integration.members.helpers import new_branch, org_ids
from tests.integration.members.test_import import (
    HEADERS,
    IMPORT,
    csv_bytes,
    person,
    upload,
)

SHEET = "xl/worksheets/sheet1.xml"
_OPEN = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
_CLOSE = b"</sheetData></worksheet>"


def _workbook(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _with_sheet(xlsx: bytes, parts: list[bytes], repeat: int) -> bytes:
    """The workbook with its first sheet's XML replaced: parts[0], parts[1] × repeat, parts[2]
    (deflated as it is written, so that a huge sheet never sits in memory)."""
    source = zipfile.ZipFile(io.BytesIO(xlsx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            if entry.filename != SHEET:
                target.writestr(entry, source.read(entry))
                continue
            with target.open(SHEET, "w", force_zip64=True) as sheet:
                sheet.write(parts[0])
                block = parts[1] * 1000
                for _ in range(repeat // 1000):
                    sheet.write(block)
                sheet.write(parts[2])
    return out.getvalue()


@functools.cache
def zip_bomb() -> bytes:
    """An .xlsx of well under a megabyte whose sheet XML inflates to about 200 MB."""
    head = _workbook([HEADERS])
    return _with_sheet(
        head,
        [
            _OPEN,
            '<row><c t="inlineStr"><is><t>第一党支部</t></is></c></row>'.encode(),
            _CLOSE,
        ],
        3_000_000,
    )


def sparse_rows_xlsx() -> bytes:
    """Two cells, the second on the sheet's last row: a million rows to a naive reader."""
    cells = '<row r="1"><c r="A1" t="inlineStr"><is><t>姓名</t></is></c></row>'.encode()
    last = b'<row r="1048576"><c r="A1048576"><v>1</v></c></row>'
    return _with_sheet(_workbook([HEADERS]), [_OPEN + cells, b"", last + _CLOSE], 0)


def wide_xlsx() -> bytes:
    """Two cells, the second in the sheet's last column."""
    row = b'<row r="1"><c r="A1"><v>1</v></c><c r="XFD1"><v>1</v></c></row>'
    return _with_sheet(_workbook([HEADERS]), [_OPEN, b"", row + _CLOSE], 0)


def _members(database: DatabaseUrls) -> int:
    with psycopg.connect(conninfo_of(database.admin)) as conn:
        row = conn.execute("SELECT count(*) FROM member").fetchone()
        assert row is not None
        return int(row[0])


@pytest.fixture
async def futian_branch(futian: Api, tenant_ids: dict[str, str]) -> tuple[str, str]:
    orgs = await org_ids(futian, tenant_ids["440304"])
    name = unique("导入限制党支部")
    return await new_branch(futian, orgs["福田区直属机关党委"], name), name


async def test_a_zip_bomb_is_refused_as_too_large_and_nothing_is_written(
    futian: Api, database: DatabaseUrls
) -> None:
    before = _members(database)
    bomb = zip_bomb()
    assert len(bomb) < 1024 * 1024
    r = await upload(futian, bomb, "党员.xlsx")
    assert r.status_code == 413, r.text
    assert r.json()["code"] == "import_file_too_large"
    assert "MB" in r.json()["detail"]
    assert _members(database) == before


async def test_requests_sent_while_a_bomb_is_refused_are_answered_before_it(
    futian: Api, http: httpx.AsyncClient
) -> None:
    """The bomb is checked in a worker thread: while every thread slot is taken, the bomb
    waits for one, and the event loop keeps answering everyone else."""
    bomb = zip_bomb()
    release = threading.Event()
    entered = threading.Semaphore(0)

    def occupy() -> None:
        entered.release()
        release.wait(60)

    holders = [asyncio.create_task(offload.offload(occupy)) for _ in range(offload.slots())]
    try:
        for _ in range(offload.slots()):
            await asyncio.to_thread(entered.acquire)
        refused = asyncio.create_task(upload(futian, bomb, "党员.xlsx"))
        answered = []
        for _ in range(5):
            r = await http.get("/health")
            answered.append((r.status_code, refused.done()))
            r = await futian.get("/api/v1/me")
            answered.append((r.status_code, refused.done()))
        assert answered == [(200, False)] * 10
    finally:
        release.set()
        await asyncio.gather(*holders)
    r = await refused
    assert r.status_code == 413
    assert r.json()["code"] == "import_file_too_large"


async def test_an_account_without_member_import_is_refused_before_its_upload_is_read(
    inspector: Api, secretary: Api
) -> None:
    r = await upload(inspector, zip_bomb(), "党员.xlsx")
    assert r.status_code == 403, r.text
    assert r.json()["code"] == "forbidden"
    # a body that is not even multipart: refused for the permission, not for the body
    r = await secretary.post(
        IMPORT,
        content=b"--nonsense\r\n\r\n" * 1000,
        headers={"Content-Type": "multipart/form-data; boundary=other"},
    )
    assert r.status_code == 403, r.text
    assert r.json()["code"] == "forbidden"
    r = await inspector.http.post(IMPORT, content=b"x", headers={"Content-Type": "text/csv"})
    assert r.status_code == 401


@pytest.mark.parametrize(
    ("what", "content", "filename"),
    [
        ("rows", b"\xe5\xa7\x93\xe5\x90\x8d\n" + b"a\n" * 200_020, "rows.csv"),
        ("columns", ("姓名," * 150 + "\n" + "x," * 150 + "\n").encode(), "columns.csv"),
        ("cell", ("姓名,身份证号码\n" + "柯" * 3000 + ",1\n").encode(), "cell.csv"),
        ("cell", ("姓名,身份证号码\n" + "柯" * 200_000 + ",1\n").encode(), "huge-cell.csv"),
        ("rows", sparse_rows_xlsx(), "sparse-rows.xlsx"),
        ("columns", wide_xlsx(), "wide.xlsx"),
    ],
)
async def test_files_over_a_limit_are_refused_with_the_limit_named(
    futian: Api, what: str, content: bytes, filename: str
) -> None:
    r = await upload(futian, content, filename)
    assert r.status_code == 413, r.text
    body = r.json()
    assert body["code"] == "import_file_too_large"
    word = {"rows": "行", "columns": "列", "cell": "字符"}[what]
    assert word in body["detail"]


async def test_files_within_the_limits_still_import(
    futian: Api, futian_branch: tuple[str, str]
) -> None:
    _, branch = futian_branch
    r = await upload(futian, csv_bytes([person(branch)], "utf-8"), "ok.csv", dry_run=True)
    assert r.status_code == 200, r.text
    assert r.json()["would_create"] == 1
