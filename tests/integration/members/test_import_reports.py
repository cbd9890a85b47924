"""Large imports as jobs: a small job result, the row report paged and downloadable, and
progress that advances while the rows are read and while they are written."""

from __future__ import annotations

import csv
import io
from typing import Any

from openpyxl import load_workbook

from api.members.imports import SYNC_ROW_LIMIT
from domain.tenancy import PLATFORM_PATH
from infra import tenancy
from infra.db.session import Actor, Database, Scope
from infra.members import (
    ImportActor,
    Importer,
    ImportOptions,
    import_sheet,
    read_table,
)
from infra.protection import FieldProtector
from infra.settings import Settings
from tests.conftest import Api
from tests.integration.members.test_import import (
    _finished_job,
    bad_check_digit,
    csv_bytes,
    futian_branch,
    job_report,
    person,
    upload,
)

__all__ = ["futian_branch"]


async def test_a_dry_run_job_pages_and_exports_its_row_report(
    futian: Api, futian_branch: tuple[str, str]
) -> None:
    _, branch = futian_branch
    rows = [person(branch) for _ in range(SYNC_ROW_LIMIT + 100)]
    rows[9]["身份证号码"] = bad_check_digit(rows[9]["身份证号码"])
    rows[9]["入党时间"] = "2040-01-01"
    rows[9]["转正时间"] = None
    r = await upload(futian, csv_bytes(rows), "big.csv", mode="all", dry_run=True)
    assert r.status_code == 202, r.text
    job = await _finished_job(futian, r.json())
    assert job["status"] == "succeeded", job
    result = job["result"]
    assert "rows" not in result
    assert "refused_rows" not in result
    assert (result["would_create"], result["refused"], result["report_rows"]) == (
        len(rows) - 1,
        1,
        len(rows),
    )
    report = await job_report(futian, job["id"], limit=150)
    assert [r["row"] for r in report] == list(range(2, len(rows) + 2))
    refused = report[9]
    assert (refused["row"], refused["action"]) == (11, "refused")
    assert {(e["field"], e["code"]) for e in refused["errors"]} == {
        ("id_number", "id_number_check_digit"),
        ("admitted_on", "in_future"),
    }
    assert report[0]["action"] == "create"
    assert report[0]["organization"] == branch

    url = f"/api/v1/jobs/{job['id']}/report/export"
    r = await futian.get(url, params={"format": "csv"})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert lines[0][0] == "行号 row"
    reasons = [line for line in lines[1:] if line[0] == "11"]
    assert {(line[4], line[5]) for line in reasons} == {
        ("id_number", "id_number_check_digit"),
        ("admitted_on", "in_future"),
    }
    assert "入党时间不能晚于今天" in {line[6] for line in reasons}
    assert len(lines) == 1 + len(rows) + 1  # one line per reason, or per row without one
    r = await futian.get(url, headers={"Accept-Language": "en"})
    assert r.status_code == 200, r.text
    sheet = load_workbook(io.BytesIO(r.content), read_only=True).worksheets[0]
    cells = [row for row in sheet.iter_rows(values_only=True)]
    assert len(cells) == len(lines)
    assert any(c[0] == 11 and c[4] == "admitted_on" and "future" in str(c[6]) for c in cells)


async def test_someone_elses_job_report_is_not_found(
    futian: Api, nanshan: Api, futian_branch: tuple[str, str]
) -> None:
    _, branch = futian_branch
    rows = [person(branch) for _ in range(SYNC_ROW_LIMIT + 1)]
    r = await upload(futian, csv_bytes(rows), "big.csv", dry_run=True)
    job = await _finished_job(futian, r.json())
    for path in ("report", "report/export"):
        r = await nanshan.get(f"/api/v1/jobs/{job['id']}/{path}")
        assert r.status_code == 404, r.text
    r = await futian.get(f"/api/v1/jobs/{job['id']}/report", params={"cursor": "OTk5OTk5OTk5OTk5"})
    assert r.status_code == 400


async def test_progress_advances_through_reading_and_writing(
    settings: Settings, futian_branch: tuple[str, str]
) -> None:
    _, branch = futian_branch
    size = 4500
    seen: list[tuple[int, int]] = []

    async def progress(done: int, total: int) -> None:
        seen.append((done, total))

    assert settings.app_database_url is not None
    db = Database(settings.app_database_url, pool_size=1)
    try:
        async with db.unit_of_work(Scope(PLATFORM_PATH)) as uow:
            tenant = await tenancy.tenant_by_code(uow, "440304")
            admin = await tenancy.platform_admin(uow)
        assert tenant is not None
        assert admin is not None
        scope = Scope(str(tenant.path), admin.id)
        actor = Actor(admin.id, "progress-test", tenant.id, None, "progress-test")
        for mode in ("partial", "all"):
            seen.clear()
            table = read_table(csv_bytes([person(branch) for _ in range(size)]), "big.csv")
            async with db.unit_of_work(scope, actor) as uow:
                report = await import_sheet(
                    uow,
                    table,
                    Importer(ImportActor(admin.id, "progress-test", tenant.id)),
                    FieldProtector.from_settings(settings),
                    ImportOptions(mode=mode, dry_run=False),
                    progress=progress,
                )
            assert report.committed, report.counts()
            done = [d for d, total in seen if total == size]
            assert len(done) == len(seen)
            assert done == sorted(done), (mode, done)
            assert done[-1] == size
            # several steps, none of them a jump over half of the file
            assert len(set(done)) >= 4, (mode, done)
            steps: list[Any] = [b - a for a, b in zip([0, *done], done, strict=False)]
            assert max(steps) <= size / 2, (mode, done)
    finally:
        await db.dispose()
