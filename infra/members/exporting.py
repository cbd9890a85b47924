"""Member export (党员名册导出): the caller's visible subtree, in the columns the import reads.

Rows are read with a server-side cursor in chunks and written as they come, so a province
export never holds the whole roll in memory: CSV goes out chunk by chunk (UTF-8 with BOM so
Excel opens it), xlsx is written by xlsxwriter in constant-memory mode to a temporary file
that is then streamed; rows are decrypted and written in worker threads. A CSV cell that a
spreadsheet would run as a formula is quoted (domain.shared.formulas). 身份证号 and phone
are masked unless the caller may read them in full; a full export is audited once, with its
row count, before the first byte leaves.
"""

from __future__ import annotations

import asyncio
import csv
import io
import os
import tempfile
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from sqlalchemy import Select, and_, func, select

from domain.members import Education, Gender, MemberClass, MemberStatus
from domain.shared import neutralise_formula, not_found
from infra.db.session import Actor, Database, Scope
from infra.members.tables import Member
from infra.offload import offload
from infra.protection import FieldProtector
from infra.tenancy import ORGANIZATIONS, organization_ref

Format = Literal["csv", "xlsx"]
FETCH_CHUNK = 2000
STREAM_CHUNK = 64 * 1024

# The headers the import accepts, in the order of the usual 党员信息 template.
HEADERS: tuple[str, ...] = (
    "姓名",
    "性别",
    "民族",
    "出生日期",
    "身份证号码",
    "手机号",
    "学历",
    "工作单位",
    "职务",
    "入党时间",
    "转正时间",
    "所在党支部",
    "人员类别",
    "党员状态",
    "状态原因",
    "标签",
    "流入党组织",
    "活动证编号",
    "外出日期",
    "返回日期",
)
MEDIA_TYPES: dict[str, str] = {
    "csv": "text/csv",  # Litestar adds "; charset=utf-8" to text/* types
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

_COLUMNS = (
    Member.name,
    Member.gender,
    Member.ethnicity,
    Member.birth_date,
    Member.id_number_enc,
    Member.id_number_masked,
    Member.phone_enc,
    Member.phone_masked,
    Member.education,
    Member.work_unit,
    Member.post,
    Member.admitted_on,
    Member.full_member_on,
    ORGANIZATIONS.c.name,
    Member.member_class,
    Member.status,
    Member.status_reason,
    Member.tags,
    Member.mobile,
)


@dataclass(frozen=True, slots=True)
class ExportPlan:
    """What an export will read: the statement, whether in full, how many rows."""

    statement: Select[Any]
    sensitive: bool
    rows: int
    scope: Scope


def _label(enum: Any, value: str | None) -> str:
    if value is None:
        return ""
    try:
        return str(enum(value).label)
    except ValueError:
        return value


def _day(value: date | str | None) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else value.isoformat()


def to_cells(row: Sequence[Any], sensitive: bool, protector: FieldProtector) -> list[str]:
    (
        name,
        gender,
        ethnicity,
        birth_date,
        id_enc,
        id_masked,
        phone_enc,
        phone_masked,
        education,
        work_unit,
        post,
        admitted_on,
        full_member_on,
        org_name,
        member_class,
        status,
        status_reason,
        tags,
        mobile,
    ) = row
    if sensitive:
        id_number = protector.reveal_id_number(bytes(id_enc))
        phone = protector.reveal_phone(bytes(phone_enc)) if phone_enc else ""
    else:
        id_number, phone = id_masked, phone_masked or ""
    mobile = mobile or {}
    return [
        name,
        _label(Gender, gender),
        ethnicity or "",
        _day(birth_date),
        id_number,
        phone,
        _label(Education, education),
        work_unit or "",
        post or "",
        _day(admitted_on),
        _day(full_member_on),
        org_name,
        _label(MemberClass, member_class),
        _label(MemberStatus, status),
        status_reason or "",
        "、".join(tags or []),
        mobile.get("host_organization_name") or "",
        mobile.get("activity_card_number") or "",
        _day(mobile.get("period_start")),
        _day(mobile.get("period_end")),
    ]


async def plan_export(
    db: Database,
    scope: Scope,
    *,
    organization_id: uuid.UUID | None,
    include_descendants: bool,
    status: str | None,
    export_format: Format,
    actor: Actor,
    require: Callable[[str | None], None],
    may_read_sensitive: Callable[[str | None], bool],
) -> ExportPlan:
    """Check the permission in the export's domain, count the rows, audit, and return the
    statement the stream will read (in a transaction of its own)."""
    stmt = select(*_COLUMNS).join(
        ORGANIZATIONS,
        and_(
            ORGANIZATIONS.c.tenant_id == Member.tenant_id,
            ORGANIZATIONS.c.id == Member.organization_id,
        ),
    )
    domain: str | None = None
    async with db.unit_of_work(scope, actor) as uow:
        if organization_id is not None:
            org = await organization_ref(uow, organization_id)
            if org is None:
                raise not_found("organization")
            domain = org.domain
            if include_descendants:
                stmt = stmt.where(
                    ORGANIZATIONS.c.tenant_id == org.tenant_id,
                    ORGANIZATIONS.c.path.op("<@")(org.path),
                )
            else:
                stmt = stmt.where(
                    Member.tenant_id == org.tenant_id,  # type: ignore[arg-type]
                    Member.organization_id == org.id,  # type: ignore[arg-type]
                )
        require(domain)
        if status is not None:
            stmt = stmt.where(Member.status == status)  # type: ignore[arg-type]
        sensitive = may_read_sensitive(domain)
        rows = (
            await uow.session.execute(select(func.count()).select_from(stmt.subquery()))
        ).scalar_one()
        uow.audit(
            "member.export",
            "member",
            organization_id,
            detail={
                "rows": int(rows),
                "sensitive": sensitive,
                "format": export_format,
                "status": status,
                "include_descendants": include_descendants,
            },
        )
    stmt = stmt.order_by(Member.tenant_id, Member.id)  # type: ignore[arg-type]
    return ExportPlan(statement=stmt, sensitive=sensitive, rows=int(rows), scope=scope)


async def _row_chunks(db: Database, plan: ExportPlan) -> AsyncIterator[Sequence[Sequence[Any]]]:
    async with db.unit_of_work(plan.scope) as uow:
        result = await uow.session.stream(plan.statement.execution_options(yield_per=FETCH_CHUNK))
        async for partition in result.partitions(FETCH_CHUNK):
            yield partition


def _csv_bytes(rows: list[list[str]]) -> bytes:
    """CSV lines; a cell a spreadsheet would run as a formula is quoted (OWASP), and
    the import takes the quote off again (domain.shared.formulas)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows([neutralise_formula(cell) for cell in row] for row in rows)
    return buffer.getvalue().encode("utf-8")


def _csv_chunk(rows: Sequence[Sequence[Any]], sensitive: bool, protector: FieldProtector) -> bytes:
    return _csv_bytes([to_cells(row, sensitive, protector) for row in rows])


async def stream_csv(
    db: Database, plan: ExportPlan, protector: FieldProtector
) -> AsyncIterator[bytes]:
    yield b"\xef\xbb\xbf" + _csv_bytes([list(HEADERS)])
    async for chunk in _row_chunks(db, plan):
        yield await offload(_csv_chunk, chunk, plan.sensitive, protector)


class _XlsxWriter:
    """xlsxwriter in constant-memory mode: each row is flushed to the temp file as written."""

    def __init__(self, path: str) -> None:
        import xlsxwriter

        self.workbook = xlsxwriter.Workbook(path, {"constant_memory": True})
        self.sheet = self.workbook.add_worksheet("党员名册")
        bold = self.workbook.add_format({"bold": True})
        self.text = self.workbook.add_format({"num_format": "@"})
        for col, header in enumerate(HEADERS):
            self.sheet.write_string(0, col, header, bold)
        self.sheet.set_column(0, len(HEADERS) - 1, 14, self.text)
        self.next_row = 1

    def write(
        self, rows: Sequence[Sequence[Any]], sensitive: bool, protector: FieldProtector
    ) -> None:
        for row in rows:
            for col, value in enumerate(to_cells(row, sensitive, protector)):
                if value:
                    self.sheet.write_string(self.next_row, col, value)
            self.next_row += 1

    def close(self) -> None:
        self.workbook.close()


async def stream_xlsx(
    db: Database, plan: ExportPlan, protector: FieldProtector
) -> AsyncIterator[bytes]:
    handle, path = tempfile.mkstemp(prefix="zhibu-export-", suffix=".xlsx")
    os.close(handle)
    try:
        writer = await offload(_XlsxWriter, path)
        async for chunk in _row_chunks(db, plan):
            await offload(writer.write, chunk, plan.sensitive, protector)
        await offload(writer.close)
        with open(path, "rb") as stream:  # noqa: ASYNC230 - local temp file, small reads
            while True:
                data = await asyncio.to_thread(stream.read, STREAM_CHUNK)
                if not data:
                    break
                yield data
    finally:
        os.unlink(path)
