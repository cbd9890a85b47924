"""A job's row report: one stored row per sheet row, read a page at a time or as a file.

An import of 200,000 rows can refuse most of them; their reasons are kept here rather than
in the job's result, so that reading the job stays small and the report can be paged
(`/jobs/{id}/report`) or downloaded (`/jobs/{id}/report/export`).
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import xlsxwriter
from sqlalchemy import column, insert, table, text
from sqlalchemy.dialects.postgresql import JSONB

from domain.shared import Message, neutralise_formula
from infra.db.session import UnitOfWork

CHUNK = 5000
# Written with multi-row VALUES: on Citus an INSERT … SELECT from the JSON would run as a
# COPY, which Citus refuses on tables under row-level security.
_REPORT_ROW = table(
    "job_report_row",
    column("tenant_id"),
    column("job_id"),
    column("row_number"),
    column("action"),
    column("name"),
    column("organization"),
    column("errors", JSONB),
)


@dataclass(frozen=True, slots=True)
class ReportError:
    field: str
    code: str
    message: Message


@dataclass(frozen=True, slots=True)
class ReportRow:
    """One sheet row's outcome (create / update / unchanged / refused) and its reasons."""

    row_number: int
    action: str
    name: str | None
    organization: str | None
    errors: tuple[ReportError, ...] = ()


def _stored(row: ReportRow) -> dict[str, object]:
    return {
        "row_number": row.row_number,
        "action": row.action,
        "name": row.name,
        "organization": row.organization,
        "errors": [
            {"field": e.field, "code": e.code, "zh": e.message.zh, "en": e.message.en}
            for e in row.errors
        ],
    }


async def save_rows(
    uow: UnitOfWork, tenant_id: uuid.UUID, job_id: uuid.UUID, rows: Sequence[ReportRow]
) -> None:
    for start in range(0, len(rows), CHUNK):
        chunk = [
            {"tenant_id": tenant_id, "job_id": job_id, **_stored(r)}
            for r in rows[start : start + CHUNK]
        ]
        await uow.session.execute(insert(_REPORT_ROW).values(chunk))


def _loaded(record: Sequence[object]) -> ReportRow:
    errors = record[4]
    assert isinstance(errors, list)
    return ReportRow(
        row_number=int(str(record[0])),
        action=str(record[1]),
        name=record[2] if isinstance(record[2], str) else None,
        organization=record[3] if isinstance(record[3], str) else None,
        errors=tuple(ReportError(e["field"], e["code"], Message(e["zh"], e["en"])) for e in errors),
    )


async def page_rows(
    uow: UnitOfWork, tenant_id: uuid.UUID, job_id: uuid.UUID, *, after: int, limit: int
) -> list[ReportRow]:
    """Rows after sheet row `after`, in sheet order; `limit + 1` to tell whether more exist."""
    result = await uow.session.execute(
        text(
            "SELECT row_number, action, name, organization, errors FROM job_report_row"
            " WHERE tenant_id = :t AND job_id = :j AND row_number > :after"
            " ORDER BY row_number LIMIT :n"
        ),
        {"t": tenant_id, "j": job_id, "after": after, "n": limit + 1},
    )
    return [_loaded(r) for r in result.all()]


async def all_rows(uow: UnitOfWork, tenant_id: uuid.UUID, job_id: uuid.UUID) -> list[ReportRow]:
    result = await uow.session.execute(
        text(
            "SELECT row_number, action, name, organization, errors FROM job_report_row"
            " WHERE tenant_id = :t AND job_id = :j ORDER BY row_number"
        ),
        {"t": tenant_id, "j": job_id},
    )
    return [_loaded(r) for r in result.all()]


HEADERS = ("行号 row", "姓名 name", "结果 action", "党组织 organization", "字段 field",
           "代码 code", "原因 reason")  # fmt: skip


def _lines(rows: Iterable[ReportRow], lang: str) -> Iterable[list[object]]:
    """One line per reason; a row without reasons gets one line of its own."""
    for r in rows:
        base: list[object] = [r.row_number, r.name or "", r.action, r.organization or ""]
        if not r.errors:
            yield [*base, "", "", ""]
        for e in r.errors:
            yield [*base, e.field, e.code, e.message.pick(lang)]


def _inert(value: object) -> object:
    return neutralise_formula(value) if isinstance(value, str) else value


def render_csv(rows: Iterable[ReportRow], lang: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADERS)
    writer.writerows([_inert(v) for v in line] for line in _lines(rows, lang))
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def render_xlsx(rows: Iterable[ReportRow], lang: str) -> bytes:
    out = io.BytesIO()
    workbook = xlsxwriter.Workbook(
        out, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    sheet = workbook.add_worksheet("导入报告")
    sheet.write_row(0, 0, HEADERS)
    for index, line in enumerate(_lines(rows, lang), start=1):
        sheet.write_row(index, 0, line)
    workbook.close()
    return out.getvalue()
