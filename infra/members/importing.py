"""Member import (党员信息批量导入): spreadsheet → report, and the fast write path.

The file is read (xlsx, or CSV in UTF-8 with or without BOM, or GBK), each row is parsed and
validated by domain.members, branch names are resolved to organizations the caller may
import into, and every 身份证号 is checked against the file and against the platform-wide
directory (blind index). A dry run stops at the report. A real run writes everything in
the caller's transaction: new members are staged with COPY into temporary tables and moved
into `member`, `member_identity` and `member_history` with one INSERT … SELECT each per chunk
(row-level security still checks every row; COPY straight into an RLS table is not allowed),
updated members with one UPDATE … FROM. One audit event records the import with its counts.

CPU-bound steps (reading, parsing, encrypting) run in worker threads in chunks, so an API
worker keeps answering (job progress, other requests) during a large import, and the
database writes one chunk while the next is parsed and built: an all-or-nothing run writes
the rows certain to be created as soon as their chunk is parsed, inside a savepoint it rolls
back if any row of the file turns out to be refused (`_Speculation`).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import logging
import re
import time
import uuid
from collections.abc import AsyncGenerator, Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from types import SimpleNamespace
from typing import Any, Literal

import psycopg
import psycopg.sql
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from domain.members import (
    CellValue,
    HeaderMapping,
    MemberDraft,
    MemberStatus,
    NameSearchKeys,
    RowRefusal,
    duplicate_id_number_refusals,
    field_for_header,
    is_blank_row,
    map_headers,
    name_search_keys,
    parse_row,
)
from domain.members.probes import DUPLICATE_ELSEWHERE
from domain.members.validation import check_status_transition
from domain.shared import DomainError, FieldError, Message, new_id
from infra.authz import org_domain
from infra.db.session import UnitOfWork
from infra.members import probes
from infra.members.protect import FieldProtector
from infra.members.service import (
    build_member_row,
    check_member_organization,
    emit_member_event,
    member_values,
    mobile_document,
    tracked_values,
)
from infra.members.sheets import (
    SheetLimits,
    check_archive,
    count_csv_rows,
    count_xlsx_rows,
    csv_rows,
    xlsx_rows,
)
from infra.members.tables import Member
from infra.platform.job_reports import ReportError, ReportRow
from infra.tenancy.tables import Organization, Tenant

log = logging.getLogger(__name__)
Mode = Literal["all", "partial"]
Progress = Callable[[int, int], Awaitable[None]]
CHUNK = 2000
HEADER_SCAN_ROWS = 10
DEFAULT_ORG_HEADER = "所在党支部"

# Member columns an import writes, in COPY order (every column of the table).
MEMBER_COLUMNS: tuple[str, ...] = tuple(c.name for c in Member.__table__.columns)  # type: ignore[attr-defined]
_MEMBER_COLUMN_LIST = ", ".join(MEMBER_COLUMNS)
HISTORY_COLUMNS = (
    "tenant_id",
    "id",
    "member_id",
    "version",
    "changed_at",
    "changed_by",
    "changed_by_name",
    "action",
    "changes",
)
_HISTORY_COLUMN_LIST = ", ".join(HISTORY_COLUMNS)
# Which member columns an import field feeds (used to keep columns a file does not carry).
_FIELD_COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("name", "name_pinyin", "name_initials"),
    "gender": ("gender",),
    "ethnicity": ("ethnicity",),
    "birth_date": ("birth_date",),
    "phone": ("phone_enc", "phone_bidx", "phone_masked"),
    "education": ("education",),
    "work_unit": ("work_unit",),
    "post": ("post",),
    "admitted_on": ("admitted_on",),
    "full_member_on": ("full_member_on",),
    "organization_name": ("organization_id",),
    "member_class": ("member_class",),
    "status": ("status",),
    "status_reason": ("status_reason",),
    "tags": ("tags",),
}
_ALWAYS_COMPARED = ("gender", "birth_date")  # follow from the 身份证号, always known


def _phase(clock: list[float], name: str) -> None:
    """Debug timing of the import's phases (logger infra.members.importing)."""
    now = time.perf_counter()
    log.debug("import phase before %r: %.2f s", name, now - clock[0])
    clock[0] = now


def _error(code: str, zh: str, en: str, status: int = 422) -> DomainError:
    return DomainError(code, Message(zh, en), status=status)


# ---------------------------------------------------------------- reading the file


@dataclass(slots=True)
class Table:
    """A sheet as read: the header row and the data rows with their sheet row numbers."""

    headers: list[str | None]
    rows: list[tuple[int, Sequence[CellValue]]]


# Bytes no CSV in UTF-8 or GBK contains: C0 controls other than tab, line feed, form feed
# and carriage return (images, PDFs and archives have them in their first bytes).
_NOT_TEXT = re.compile(rb"[\x00-\x08\x0b\x0e-\x1f]")
_SNIFF_BYTES = 8192


def file_kind(content: bytes, filename: str | None) -> Literal["xlsx", "csv"]:
    """What the bytes are, whatever the name says: an .xlsx (a zip) or CSV text."""
    name = (filename or "").lower()
    if content[:4] == b"PK\x03\x04":
        return "xlsx"
    if name.endswith((".xls", ".xlsm", ".xlsb", ".et", ".ods")) or content[:8] == bytes.fromhex(
        "d0cf11e0a1b11ae1"
    ):
        raise _error(
            "import_file_type",
            "仅支持 .xlsx 和 .csv 文件，请在 Excel 中另存为 .xlsx 后重新导入",
            "Only .xlsx and .csv files are accepted; save the sheet as .xlsx and try again",
        )
    if name.endswith(".xlsx") or _NOT_TEXT.search(content[:_SNIFF_BYTES]):
        raise _error(
            "import_file_unreadable",
            "无法读取该文件：它不是 Excel (.xlsx) 表格，也不是 CSV 文本，请确认选对了文件",
            "The file cannot be read: it is neither an Excel (.xlsx) sheet nor CSV text; "
            "check that the right file was chosen",
        )
    return "csv"


def decode_csv(content: bytes) -> str:
    """UTF-8 (with or without BOM) first, then GBK (read as GB18030, its superset)."""
    if content.startswith(b"\xef\xbb\xbf"):
        content = content[3:]
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return content.decode("gb18030")
    except UnicodeDecodeError:
        raise _error(
            "import_encoding",
            "无法识别文件编码，请保存为 UTF-8 或 GBK 编码的 CSV",
            "The file's encoding is not recognised; save the CSV as UTF-8 or GBK",
        ) from None


def _header_row_index(rows: Sequence[Sequence[CellValue]]) -> int:
    """The first row naming at least two member fields (a title row may sit above it)."""
    for index, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        known = sum(
            1 for cell in row if isinstance(cell, str) and field_for_header(cell) is not None
        )
        if known >= 2:
            return index
    return 0


def read_table(
    content: bytes,
    filename: str | None,
    limit: int | None = None,
    limits: SheetLimits | None = None,
) -> Table:
    """Read the first sheet of an .xlsx, or a CSV, into header + numbered rows
    (the first `limit` rows only, when given), within `limits` (see infra.members.sheets)."""
    if not content.strip():
        raise _error("import_file_empty", "文件为空", "The file is empty")
    limits = limits or SheetLimits()
    all_rows: Sequence[Sequence[CellValue]]
    if file_kind(content, filename) == "xlsx":
        all_rows = xlsx_rows(content, limit, limits)
    else:
        all_rows = csv_rows(decode_csv(content), limit, limits)
    if not all_rows:
        raise _error("import_file_empty", "文件为空", "The file is empty")
    header_index = _header_row_index(all_rows)
    headers = [None if h is None else str(h) for h in all_rows[header_index]]
    data = [(index + 1, row) for index, row in enumerate(all_rows) if index > header_index]
    return Table(headers=headers, rows=data)


def count_data_rows(content: bytes, filename: str | None, limits: SheetLimits | None = None) -> int:
    """A quick upper bound of the data rows, to choose between answering now and a job;
    refuses a workbook over `limits` without inflating more of it than the limits allow."""
    limits = limits or SheetLimits()
    if file_kind(content, filename) == "xlsx":
        return max(count_xlsx_rows(check_archive(content, limits), limits) - 1, 0)
    return max(count_csv_rows(content, limits) - 1, 0)


# ---------------------------------------------------------------- organizations


@dataclass(frozen=True, slots=True)
class OrgRef:
    id: uuid.UUID
    tenant_id: uuid.UUID
    name: str
    kind: str
    path: str
    tenant_path: str

    @property
    def domain(self) -> str:
        return org_domain(self.tenant_path, self.path)


@dataclass(slots=True)
class OrgAccess:
    """Organizations the caller can see, and those it may import members into."""

    orgs: dict[uuid.UUID, OrgRef]
    importable: set[uuid.UUID]
    home_tenant_id: uuid.UUID | None = None
    by_name: dict[str, list[OrgRef]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for org in self.orgs.values():
            self.by_name.setdefault(_org_key(org.name), []).append(org)


def _org_key(name: str) -> str:
    import unicodedata

    return "".join(unicodedata.normalize("NFKC", name).split())


async def load_org_access(
    uow: UnitOfWork,
    may_import: Callable[[str], bool] | None,
    *,
    home_tenant_id: uuid.UUID | None,
    only_importable: Iterable[uuid.UUID] | None = None,
) -> OrgAccess:
    """Every organization row-level security lets the caller see; `may_import(domain)`
    (or the precomputed `only_importable` ids, for a job) says where it may import."""
    rows = (
        await uow.session.execute(
            select(
                Organization.id,
                Organization.tenant_id,
                Organization.name,
                Organization.kind,
                Organization.path,
                Tenant.path,
            ).join(Tenant, Tenant.id == Organization.tenant_id)  # type: ignore[arg-type]
        )
    ).all()
    orgs = {r[0]: OrgRef(r[0], r[1], r[2], r[3], str(r[4]), str(r[5])) for r in rows}
    if only_importable is not None:
        importable = set(only_importable) & set(orgs)
    elif may_import is None:
        importable = set(orgs)
    else:
        importable = {oid for oid, org in orgs.items() if may_import(org.domain)}
    return OrgAccess(orgs=orgs, importable=importable, home_tenant_id=home_tenant_id)


def _refusal(row: int, field_name: str, code: str, zh: str, en: str) -> RowRefusal:
    return RowRefusal(row, (FieldError(field_name, code, Message(zh, en)),))


def resolve_org(
    access: OrgAccess, name: str, row: int, default: OrgRef | None
) -> OrgRef | RowRefusal:
    candidates = access.by_name.get(_org_key(name), [])
    if not candidates:
        return _refusal(
            row,
            "organization_name",
            "unknown_organization",
            f"找不到党组织“{name}”，或您无权查看",
            f"No organization named '{name}' is visible to you",
        )
    allowed = [org for org in candidates if org.id in access.importable]
    if not allowed:
        return _refusal(
            row,
            "organization_name",
            "organization_forbidden",
            f"您无权向“{name}”导入党员",
            f"You may not import members into '{name}'",
        )
    if len(allowed) > 1 and default is not None:
        under = [o for o in allowed if o.tenant_id == default.tenant_id]
        under = [
            o for o in under if o.path == default.path or o.path.startswith(default.path + ".")
        ] or under
        allowed = under or allowed
    if len(allowed) > 1 and access.home_tenant_id is not None:
        allowed = [o for o in allowed if o.tenant_id == access.home_tenant_id] or allowed
    if len(allowed) > 1:
        return _refusal(
            row,
            "organization_name",
            "ambiguous_organization",
            f"有多个名为“{name}”的党组织，请指定导入的目标党组织（organization_id）",
            f"Several organizations are named '{name}'; choose the target organization",
        )
    return allowed[0]


# ---------------------------------------------------------------- the report


@dataclass(slots=True)
class RowOutcome:
    row: int
    action: Literal["create", "update", "unchanged", "refused"]
    name: str | None = None
    organization: str | None = None
    errors: tuple[FieldError, ...] = ()


@dataclass(slots=True)
class ImportReport:
    dry_run: bool
    mode: Mode
    committed: bool = False
    outcomes: list[RowOutcome] = field(default_factory=list)
    unknown_columns: tuple[str, ...] = ()

    def count(self, action: str) -> int:
        return sum(1 for o in self.outcomes if o.action == action)

    def counts(self) -> dict[str, int]:
        """Rows written count as created/updated; when nothing was written (a dry run, or
        all-or-nothing with a refused row) the same rows count as would_create/would_update."""
        creates, updates = self.count("create"), self.count("update")
        return {
            "total": len(self.outcomes),
            "created": creates if self.committed else 0,
            "updated": updates if self.committed else 0,
            "would_create": 0 if self.committed else creates,
            "would_update": 0 if self.committed else updates,
            "unchanged": self.count("unchanged"),
            "refused": self.count("refused"),
        }

    def summary(self) -> dict[str, Any]:
        """The counts without the rows (a job keeps those in its row report)."""
        return {
            "dry_run": self.dry_run,
            "mode": self.mode,
            "committed": self.committed,
            **self.counts(),
            "unknown_columns": list(self.unknown_columns),
        }

    def report_rows(self) -> list[ReportRow]:
        """The rows a report lists: the refused ones, and every row of a dry run."""
        return [
            ReportRow(
                o.row,
                o.action,
                o.name,
                o.organization,
                tuple(ReportError(e.field, e.code, e.message) for e in o.errors),
            )
            for o in self.outcomes
            if self.dry_run or o.action == "refused"
        ]

    def as_dict(self, lang: str) -> dict[str, Any]:
        body: dict[str, Any] = {
            **self.summary(),
            "refused_rows": [
                {
                    "row": o.row,
                    "name": o.name,
                    "errors": [
                        {"field": e.field, "code": e.code, "message": e.message.pick(lang)}
                        for e in o.errors
                    ],
                }
                for o in self.outcomes
                if o.action == "refused"
            ],
        }
        if self.dry_run:
            body["rows"] = [
                {"row": o.row, "action": o.action, "name": o.name, "organization": o.organization}
                for o in self.outcomes
            ]
        return body


# ---------------------------------------------------------------- the import


@dataclass(frozen=True, slots=True)
class ImportOptions:
    mode: Mode = "all"
    dry_run: bool = False
    default_organization_id: uuid.UUID | None = None
    filename: str | None = None


@dataclass(frozen=True, slots=True)
class ImportActor:
    """Who the history rows and the audit event name."""

    user_id: uuid.UUID | None
    name: str | None
    tenant_id: uuid.UUID


@dataclass(slots=True)
class _Planned:
    row: int
    draft: MemberDraft
    org: OrgRef
    bidx: bytes = b""


def _parse_chunk(
    rows: list[tuple[int, Sequence[CellValue]]],
    headers: list[str | None],
    today: date,
    default_name: str | None,
    default_rows: set[int],
) -> list[tuple[int, MemberDraft | RowRefusal, str | None]]:
    out: list[tuple[int, MemberDraft | RowRefusal, str | None]] = []
    width = len(headers)
    for row_number, values in rows:
        raw: dict[str, CellValue] = {}
        for index, header in enumerate(headers):
            if header is None or not header.strip():
                continue
            raw[header] = values[index] if index < len(values) else None
        if is_blank_row(raw) and not any(v is not None and str(v).strip() for v in values[width:]):
            continue
        if default_name is not None:
            current = raw.get(DEFAULT_ORG_HEADER)
            if current is None or not str(current).strip():
                raw[DEFAULT_ORG_HEADER] = default_name
                default_rows.add(row_number)
        name = raw_name(raw)
        out.append((row_number, parse_row(raw, row_number, today=today), name))
    return out


def raw_name(raw: dict[str, CellValue]) -> str | None:
    for header, value in raw.items():
        if field_for_header(header) == "name" and value is not None:
            return str(value).strip() or None
    return None


async def _lookup_owners(
    uow: UnitOfWork, bidxs: list[bytes]
) -> dict[bytes, tuple[uuid.UUID, uuid.UUID]]:
    owners: dict[bytes, tuple[uuid.UUID, uuid.UUID]] = {}
    for start in range(0, len(bidxs), 5000):
        chunk = bidxs[start : start + 5000]
        rows = await uow.session.execute(
            text(
                "SELECT b, o.tenant_id, o.member_id FROM unnest(CAST(:b AS bytea[])) AS b,"
                " LATERAL zhibu_member_identity_owner(b) AS o"
            ),
            {"b": chunk},
        )
        for b, tenant_id, member_id in rows:
            owners[bytes(b)] = (tenant_id, member_id)
    return owners


async def _visible_members(uow: UnitOfWork, ids: list[uuid.UUID]) -> dict[uuid.UUID, Member]:
    found: dict[uuid.UUID, Member] = {}
    for start in range(0, len(ids), 5000):
        chunk = ids[start : start + 5000]
        result = await uow.session.execute(
            select(Member).where(Member.id.in_(chunk))  # type: ignore[attr-defined]
        )
        for member in result.scalars():
            found[member.id] = member
    return found


def _values(member: Member, columns: Iterable[str]) -> dict[str, Any]:
    return {c: getattr(member, c) for c in columns}


def _diff(old: Member, new: Member) -> dict[str, Any]:
    """What an update changes, in the registry's history form (sensitive fields masked)."""
    before, after = tracked_values(old), tracked_values(new)
    changes = {k: {"old": before[k], "new": after[k]} for k in before if before[k] != after[k]}
    if old.phone_bidx != new.phone_bidx and "phone" not in changes:
        changes["phone"] = {"old": old.phone_masked, "new": new.phone_masked}
    return changes


def _merge_update(existing: Member, fresh: Member, present: set[str]) -> Member:
    """The updated row: columns the file carries from `fresh`, the rest kept."""
    columns: set[str] = set()
    for field_name in (*present, *_ALWAYS_COMPARED):
        columns.update(_FIELD_COLUMNS.get(field_name, ()))
    if any(f.startswith("mobile.") for f in present) or "member_class" in present:
        columns.add("mobile")
    merged = Member(**{c: getattr(existing, c) for c in MEMBER_COLUMNS})
    for column in columns:
        setattr(merged, column, getattr(fresh, column))
    return merged


_SAVEPOINT = "zhibu_member_import"


@dataclass(slots=True)
class _Speculation:
    """New members written while the rest of the file is still being parsed.

    Only for all-or-nothing runs, inside a savepoint: it writes a chunk's rows that are
    certain to be created unless some other row is refused (no refusal so far, branch
    resolved and of the right kind, 身份证号 new to the file and to the directory), and
    stops at the first sign of a refusal. The plan is then made exactly as without it; the
    speculation is kept only if it wrote precisely the rows the plan creates, else it is
    rolled back to the savepoint.
    """

    access: OrgAccess
    default: OrgRef | None
    default_rows: set[int]
    protector: FieldProtector
    actor: ImportActor
    now: datetime
    active: bool = True
    written: set[int] = field(default_factory=set)
    owners: dict[bytes, tuple[uuid.UUID, uuid.UUID]] = field(default_factory=dict)
    seen: set[str] = field(default_factory=set)
    resolved: dict[str, OrgRef | RowRefusal] = field(default_factory=dict)
    kinds_ok: dict[uuid.UUID, bool] = field(default_factory=dict)
    # the chunk being built (in a worker thread) while the one before it is written
    pending: tuple[asyncio.Future[str], list[int]] | None = None

    async def chunk(
        self, uow: UnitOfWork, parsed: list[tuple[int, MemberDraft | RowRefusal, str | None]]
    ) -> None:
        if not self.active:
            return
        candidates: list[_Planned] = []
        for row_number, result, _name in parsed:
            org = self._org(row_number, result)
            if org is None or isinstance(result, RowRefusal) or result.id_number in self.seen:
                self.active = False
                return
            self.seen.add(result.id_number)
            bidx = self.protector.id_number_index(result.id_number)
            candidates.append(_Planned(row_number, result, org, bidx))
        found = await _lookup_owners(uow, [p.bidx for p in candidates])
        self.owners.update(found)
        creates = [p for p in candidates if p.bidx not in found]
        building = asyncio.ensure_future(
            asyncio.to_thread(_creation_payload, creates, self.protector, self.now)
        )
        await self.flush(uow)
        self.pending = (building, [p.row for p in creates])

    async def flush(self, uow: UnitOfWork) -> None:
        """Write the chunk last built, if any."""
        if self.pending is None:
            return
        building, rows = self.pending
        self.pending = None
        members = await building
        if not rows or not self.active:
            return
        try:
            await _write_created(uow, members, self.actor)
        except IntegrityError as exc:
            raise _conflict() from exc
        self.written.update(rows)

    def _org(self, row_number: int, result: MemberDraft | RowRefusal) -> OrgRef | None:
        if isinstance(result, RowRefusal):
            return None
        if row_number in self.default_rows and self.default is not None:
            org: OrgRef | RowRefusal = self.default
        else:
            key = result.organization_name or ""
            if key not in self.resolved:
                self.resolved[key] = resolve_org(self.access, key, 0, self.default)
            org = self.resolved[key]
        if isinstance(org, RowRefusal):
            return None
        if org.id not in self.kinds_ok:
            self.kinds_ok[org.id] = not _kind_errors(org)
        return org if self.kinds_ok[org.id] else None


async def run_import(
    uow: UnitOfWork,
    table: Table,
    access: OrgAccess,
    protector: FieldProtector,
    options: ImportOptions,
    actor: ImportActor,
    *,
    today: date,
    progress: Progress | None = None,
) -> ImportReport:
    """Plan the import, and unless it is a dry run (or refused as a whole), write it."""
    clock = [time.perf_counter()]
    mapping_headers = list(table.headers)
    default: OrgRef | None = None
    if options.default_organization_id is not None:
        default = access.orgs.get(options.default_organization_id)
        if default is None:
            raise DomainError(
                "organization_not_found",
                Message("未找到该党组织，或您无权查看。", "Not found, or not visible to you."),
                status=404,
            )
        if default.id not in access.importable:
            raise DomainError(
                "forbidden",
                Message("您无权向该党组织导入党员。", "You may not import into it."),
                status=403,
            )
        if not any(h and field_for_header(h) == "organization_name" for h in mapping_headers):
            mapping_headers.append(DEFAULT_ORG_HEADER)
    await probes.ensure_budget(uow, now=datetime.now(UTC))
    mapping: HeaderMapping = map_headers(mapping_headers)
    present = set(mapping.fields.values())
    total = len(table.rows)
    report = ImportReport(
        dry_run=options.dry_run, mode=options.mode, unknown_columns=mapping.unknown
    )
    # A default org name that is not the org's own name cannot be confused with another.
    default_rows: set[int] = set()
    default_token = f"\u2063{default.id}" if default else None

    _phase(clock, "1. parse")
    # 1. parse and validate, in threads, chunk by chunk. An all-or-nothing run writes the
    # new members of each chunk while the next is parsed (see _Speculation).
    now = datetime.now(UTC)
    speculation: _Speculation | None = None
    if options.mode == "all" and not options.dry_run:
        speculation = _Speculation(access, default, default_rows, protector, actor, now)
        await uow.session.execute(text(f"SAVEPOINT {_SAVEPOINT}"))
    parsed: list[tuple[int, MemberDraft | RowRefusal, str | None]] = []
    starts = range(0, total, CHUNK)
    # Progress in rows' worth: reading the rows takes the first share (all-or-nothing
    # writes them while it reads), checking them a tenth of the rest, the write the rest.
    read_share = 0.9 if speculation is not None else 0.5
    checked_share = read_share + (1 - read_share) / 10

    def parse(start: int) -> asyncio.Future[list[tuple[int, MemberDraft | RowRefusal, str | None]]]:
        chunk = table.rows[start : start + CHUNK]
        return asyncio.ensure_future(
            asyncio.to_thread(
                _parse_chunk, chunk, mapping_headers, today, default_token, default_rows
            )
        )

    parsing = parse(0) if total else None
    try:
        for start in starts:
            assert parsing is not None
            parsed_chunk = await parsing
            parsing = parse(start + CHUNK) if start + CHUNK < total else None
            parsed += parsed_chunk
            if speculation is not None:
                await speculation.chunk(uow, parsed_chunk)
            if progress:
                await progress(int(min(start + CHUNK, total) * read_share), total)
        if speculation is not None:
            await speculation.flush(uow)
            if not speculation.active and speculation.written:
                # a row will be refused: undo before the plan looks rows up in the directory
                await uow.session.execute(text(f"ROLLBACK TO SAVEPOINT {_SAVEPOINT}"))
                speculation.written.clear()
    finally:
        if parsing is not None and not parsing.done():
            await asyncio.wait([parsing])
        if speculation is not None and speculation.pending is not None:
            await asyncio.wait([speculation.pending[0]])

    _phase(clock, "2. organizations")
    # 2. organizations, duplicates in the file
    refusals: dict[int, list[FieldError]] = {}
    names: dict[int, str | None] = {}
    planned: list[_Planned] = []
    kind_errors: dict[uuid.UUID, tuple[FieldError, ...]] = {}
    resolved: dict[str, OrgRef | RowRefusal] = {}
    for row_number, result, name in parsed:
        names[row_number] = name
        if isinstance(result, RowRefusal):
            refusals.setdefault(row_number, []).extend(result.errors)
            continue
        if row_number in default_rows and default is not None:
            org: OrgRef | RowRefusal = default
        else:
            key = result.organization_name or ""
            if key not in resolved:
                resolved[key] = resolve_org(access, key, 0, default)
            found = resolved[key]
            org = RowRefusal(row_number, found.errors) if isinstance(found, RowRefusal) else found
        if isinstance(org, RowRefusal):
            refusals.setdefault(row_number, []).extend(org.errors)
            continue
        if org.id not in kind_errors:
            kind_errors[org.id] = _kind_errors(org)
        if kind_errors[org.id]:
            refusals.setdefault(row_number, []).extend(kind_errors[org.id])
            continue
        planned.append(_Planned(row_number, result, org))
    for refusal in duplicate_id_number_refusals((row, result) for row, result, _ in parsed):
        refusals.setdefault(refusal.row_number, []).extend(refusal.errors)
    planned = [p for p in planned if p.row not in refusals]

    _phase(clock, "3. against")
    # 3. against the platform: the 身份证号 directory and what the caller can see
    for p in planned:
        p.bidx = protector.id_number_index(p.draft.id_number)
    if speculation is not None and speculation.active:
        owners = speculation.owners  # looked up for every row, chunk by chunk
    else:
        owners = await _lookup_owners(uow, [p.bidx for p in planned])
    visible = await _visible_members(uow, sorted({owner[1] for owner in owners.values()}))
    creates: list[_Planned] = []
    updates: list[tuple[_Planned, Member]] = []
    elsewhere: list[tuple[bytes, uuid.UUID]] = []
    for p in planned:
        owner = owners.get(p.bidx)
        if owner is None:
            creates.append(p)
            continue
        existing = visible.get(owner[1])
        if existing is None:
            elsewhere.append((p.bidx, owner[0]))
            refusals[p.row] = [FieldError("id_number", "duplicate_elsewhere", DUPLICATE_ELSEWHERE)]
            continue
        holder = access.orgs.get(existing.organization_id)
        if holder is None or holder.id not in access.importable:
            where = holder.name if holder else ""
            refusals[p.row] = [
                FieldError(
                    "id_number",
                    "duplicate_not_permitted",
                    Message(
                        f"该身份证号已登记在“{where}”，您无权修改该记录",
                        f"This ID number is already registered in '{where}', "
                        "which you may not change",
                    ),
                )
            ]
            continue
        if p.org.tenant_id != existing.tenant_id:
            refusals[p.row] = [
                FieldError(
                    "organization_name",
                    "cross_tenant_move",
                    Message(
                        f"该党员登记在“{holder.name}”，跨机关工委调整请办理组织关系转接",
                        f"The member is registered in '{holder.name}'; moving to another "
                        "tenant is a membership transfer",
                    ),
                )
            ]
            continue
        updates.append((p, existing))

    await probes.charge(uow, elsewhere, now=now)
    if progress:
        await progress(int(total * checked_share), total)

    _phase(clock, "4. updates")
    # 4. what the updates change (the new rows are built while they are written, below)
    changed: list[tuple[_Planned, Member, Member, dict[str, Any]]] = []
    unchanged: set[int] = set()
    for p, existing in updates:
        draft = p.draft
        if "status" not in present and existing.status in (
            MemberStatus.SUSPENDED.value,
            MemberStatus.REMOVED.value,
        ):
            fresh_status = existing.status
        else:
            fresh_status = draft.status.value
            try:
                check_status_transition(
                    MemberStatus(existing.status), draft.status, reason=draft.status_reason
                )
            except DomainError as error:
                refusals[p.row] = list(error.errors)
                continue
        fresh = _build(p, protector, now, member_id=existing.id, user_id=existing.user_id)
        fresh.status = fresh_status
        merged = _merge_update(existing, fresh, present)
        diff = _diff(existing, merged)
        if not diff:
            unchanged.add(p.row)
            continue
        merged.version = existing.version + 1
        merged.updated_at = now
        merged.created_at = existing.created_at
        changed.append((p, existing, merged, diff))

    _phase(clock, "5. the report")
    # 5. the report
    outcomes: dict[int, RowOutcome] = {}
    for row_number, errors in refusals.items():
        outcomes[row_number] = RowOutcome(
            row_number, "refused", names.get(row_number), errors=tuple(errors)
        )
    for p in creates:
        outcomes[p.row] = RowOutcome(p.row, "create", p.draft.name, p.org.name)
    for p, *_rest in changed:
        outcomes[p.row] = RowOutcome(p.row, "update", p.draft.name, p.org.name)
    for p, _existing in updates:
        if p.row in unchanged:
            outcomes[p.row] = RowOutcome(p.row, "unchanged", p.draft.name, p.org.name)
    report.outcomes = [outcomes[k] for k in sorted(outcomes)]

    if speculation is not None and speculation.written:
        if speculation.active and not refusals and speculation.written == {p.row for p in creates}:
            creates = []  # all written already
        else:
            await uow.session.execute(text(f"ROLLBACK TO SAVEPOINT {_SAVEPOINT}"))
    if options.dry_run or (options.mode == "all" and refusals):
        if progress:
            await progress(total, total)
        return report

    _phase(clock, "6. the write")

    # 6. the write: new rows are built (encryption, pinyin, COPY text) in a worker thread
    # chunk by chunk, each chunk while the database writes the one before it
    async def written(done: int) -> None:
        if progress:
            share = checked_share + (1 - checked_share) * done / max(len(creates), 1)
            await progress(int(total * share), total)

    await write_members(
        uow,
        _built_chunks(creates, protector, now),
        [(old, new, diff) for _p, old, new, diff in changed],
        actor,
        now,
        written,
    )
    report.committed = True
    uow.audit(
        "member.import",
        "member",
        None,
        tenant_id=actor.tenant_id,
        detail={
            **report.counts(),
            "mode": options.mode,
            "filename": options.filename,
            "organization_id": str(default.id) if default else None,
        },
    )
    _phase(clock, "done")
    if progress:
        await progress(total, total)
    return report


def _kind_errors(org: OrgRef) -> tuple[FieldError, ...]:
    try:
        check_member_organization(_organization(org), "organization_name")
    except DomainError as error:
        return tuple(error.errors)
    return ()


def _organization(org: OrgRef) -> Organization:
    return Organization(
        tenant_id=org.tenant_id, id=org.id, kind=org.kind, name=org.name, path=org.path
    )


@functools.lru_cache(maxsize=65536)
def _search_keys(name: str) -> NameSearchKeys:
    return name_search_keys(name)


def new_member_values(
    draft: MemberDraft, org: OrgRef, protector: FieldProtector, now: datetime
) -> SimpleNamespace:
    """The new `member` row as plain attributes, exactly as `build_member_row` fills it.

    `build_member_row` builds a SQLModel instance, which costs about half a millisecond a row;
    a 100,000-row import cannot afford that, so it takes the same values as plain attributes
    and COPYs them.
    """
    return SimpleNamespace(
        **member_values(draft, org.tenant_id, org.id, protector, now=now, search_keys=_search_keys)
    )


def _build(
    p: _Planned,
    protector: FieldProtector,
    now: datetime,
    *,
    member_id: uuid.UUID | None = None,
    user_id: uuid.UUID | None = None,
) -> Member:
    return build_member_row(
        p.draft, _organization(p.org), protector, member_id=member_id, user_id=user_id, now=now
    )


def _escape(text_value: str) -> str:
    return (
        text_value.replace("\\", "\\\\")
        .replace("\n", "\\n")
        .replace("\r", "\\r")
        .replace("\t", "\\t")
    )


def _array_literal(items: Sequence[str]) -> str:
    quoted = ('"' + item.replace("\\", "\\\\").replace('"', '\\"') + '"' for item in items)
    return "{" + ",".join(quoted) + "}"


def _copy_field(value: Any) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, bytes | bytearray | memoryview):
        return "\\\\x" + bytes(value).hex()
    if isinstance(value, dict):
        return _escape(json.dumps(value, ensure_ascii=False, separators=(",", ":")))
    if isinstance(value, list | tuple):
        return _escape(_array_literal([str(v) for v in value]))
    if isinstance(value, date | datetime):
        return value.isoformat()
    return _escape(str(value))


def copy_line(values: Sequence[Any]) -> str:
    """One row in PostgreSQL's COPY text format (jsonb from dicts, text[] from lists)."""
    return "\t".join(_copy_field(v) for v in values) + "\n"


# Columns of a new member's COPY line, in the order `_creation_payload` writes them.
NEW_MEMBER_COLUMNS = (
    "tenant_id",
    "id",
    "organization_id",
    "user_id",
    "name",
    "name_pinyin",
    "name_initials",
    "gender",
    "ethnicity",
    "birth_date",
    "id_number_enc",
    "id_number_bidx",
    "id_number_masked",
    "phone_enc",
    "phone_bidx",
    "phone_masked",
    "education",
    "work_unit",
    "post",
    "status",
    "status_reason",
    "admitted_on",
    "full_member_on",
    "member_class",
    "mobile",
    "tags",
    "created_at",
    "updated_at",
    "version",
)
STAGED_MEMBER_COLUMNS = (*NEW_MEMBER_COLUMNS, "history_id")
# The "import" version of each staged new member, worded as `creation_changes` words it: every
# tracked field that is set, as {"old": null, "new": value} (a test compares the two).
# Building it here rather than in Python halves the COPY text the import sends.
_NEW_HISTORY_SQL = """
INSERT INTO member_history
    (tenant_id, id, member_id, version, changed_at, changed_by, changed_by_name, action, changes)
SELECT s.tenant_id, s.history_id, s.id, 1, s.created_at, {changed_by}::uuid,
    {changed_by_name}::text, 'import',
    jsonb_build_object(
        'name', jsonb_build_object('old', NULL, 'new', s.name),
        'gender', jsonb_build_object('old', NULL, 'new', s.gender),
        'ethnicity', jsonb_build_object('old', NULL, 'new', s.ethnicity),
        'birth_date', jsonb_build_object('old', NULL, 'new', s.birth_date),
        'id_number', jsonb_build_object('old', NULL, 'new', s.id_number_masked),
        'phone', jsonb_build_object('old', NULL, 'new', s.phone_masked),
        'education', jsonb_build_object('old', NULL, 'new', s.education),
        'work_unit', jsonb_build_object('old', NULL, 'new', s.work_unit),
        'post', jsonb_build_object('old', NULL, 'new', s.post),
        'organization_id', jsonb_build_object('old', NULL, 'new', s.organization_id),
        'user_id', jsonb_build_object('old', NULL, 'new', s.user_id),
        'status', jsonb_build_object('old', NULL, 'new', s.status),
        'status_reason', jsonb_build_object('old', NULL, 'new', s.status_reason),
        'admitted_on', jsonb_build_object('old', NULL, 'new', s.admitted_on),
        'full_member_on', jsonb_build_object('old', NULL, 'new', s.full_member_on),
        'member_class', jsonb_build_object('old', NULL, 'new', s.member_class),
        'mobile', jsonb_build_object('old', NULL, 'new', s.mobile),
        'tags', jsonb_build_object('old', NULL, 'new', s.tags)
    ) - array_remove(ARRAY[
        CASE WHEN s.ethnicity IS NULL THEN 'ethnicity' END,
        CASE WHEN s.phone_masked IS NULL THEN 'phone' END,
        CASE WHEN s.education IS NULL THEN 'education' END,
        CASE WHEN s.work_unit IS NULL THEN 'work_unit' END,
        CASE WHEN s.post IS NULL THEN 'post' END,
        CASE WHEN s.user_id IS NULL THEN 'user_id' END,
        CASE WHEN s.status_reason IS NULL THEN 'status_reason' END,
        CASE WHEN s.full_member_on IS NULL THEN 'full_member_on' END,
        CASE WHEN s.mobile IS NULL THEN 'mobile' END,
        CASE WHEN cardinality(s.tags) = 0 THEN 'tags' END
    ]::text[], NULL)
FROM zhibu_import_member AS s
"""
_NULL = "\\N"
_encode_json = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def _text_field(value: str | None) -> str:
    return _NULL if value is None else _escape(value)


def _date_field(value: date | None) -> str:
    return _NULL if value is None else value.isoformat()


def _creation_payload(chunk: Sequence[_Planned], protector: FieldProtector, now: datetime) -> str:
    """COPY text for a chunk of new members (columns STAGED_MEMBER_COLUMNS: the member, and
    the id of its first history version, which `_NEW_HISTORY_SQL` words in the database).

    The values are those of `new_member_values`, written column by column with their known
    types rather than through `copy_line` (a test compares the two): this loop runs once
    per imported row.
    """
    stamp = now.isoformat()
    org_texts: dict[uuid.UUID, tuple[str, str]] = {}
    members: list[str] = []
    for p in chunk:
        draft = p.draft
        if draft.gender is None or draft.birth_date is None or draft.admitted_on is None:
            raise ValueError("_creation_payload needs drafts normalised by validate_member")
        org_text = org_texts.get(p.org.id)
        if org_text is None:
            org_text = org_texts[p.org.id] = (str(p.org.tenant_id), str(p.org.id))
        tenant_id, organization_id = org_text
        member_id = str(new_id())
        id_number = protector.id_number(draft.id_number)
        phone = protector.phone(draft.phone) if draft.phone else None
        keys = _search_keys(draft.name)
        gender = draft.gender.value
        birth_date = draft.birth_date.isoformat()
        education = draft.education.value if draft.education else None
        status = draft.status.value
        admitted_on = draft.admitted_on.isoformat()
        full_member_on = draft.full_member_on.isoformat() if draft.full_member_on else None
        member_class = draft.member_class.value
        mobile = mobile_document(draft.mobile)
        tags = list(draft.tags)
        members.append(
            "\t".join(
                (
                    tenant_id,
                    member_id,
                    organization_id,
                    _NULL,
                    _escape(draft.name),
                    _escape(keys.full),
                    _escape(keys.initials),
                    gender,
                    _text_field(draft.ethnicity),
                    birth_date,
                    "\\\\x" + id_number.ciphertext.hex(),
                    "\\\\x" + id_number.blind_index.hex(),
                    _escape(id_number.masked),
                    "\\\\x" + phone.ciphertext.hex() if phone else _NULL,
                    "\\\\x" + phone.blind_index.hex() if phone else _NULL,
                    _escape(phone.masked) if phone else _NULL,
                    _text_field(education),
                    _text_field(draft.work_unit),
                    _text_field(draft.post),
                    status,
                    _text_field(draft.status_reason),
                    admitted_on,
                    full_member_on or _NULL,
                    member_class,
                    _NULL if mobile is None else _escape(_encode_json(mobile)),
                    _escape(_array_literal(tags)),
                    stamp,
                    stamp,
                    "1",
                    str(new_id()),  # history_id
                )
            )
            + "\n"
        )
    return "".join(members)


async def _copy_rows(
    uow: UnitOfWork, staging: str, like: str, columns: Sequence[str], payloads: Sequence[str]
) -> None:
    """COPY text payloads into a temporary staging table shaped like `like` (dropped at
    commit); COPY straight into a table under row-level security is not allowed."""
    connection = await uow.session.connection()
    raw = await connection.get_raw_connection()
    driver: Any = raw.driver_connection
    column_list = ", ".join(columns)
    async with driver.cursor() as cursor:
        await cursor.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS {staging} (LIKE {like}) ON COMMIT DROP"
        )
        await cursor.execute(f"TRUNCATE {staging}")
        async with cursor.copy(f"COPY {staging} ({column_list}) FROM STDIN") as copy:
            for payload in payloads:
                if payload:
                    await copy.write(payload.encode("utf-8"))


async def _built_chunks(
    creates: Sequence[_Planned], protector: FieldProtector, now: datetime
) -> AsyncGenerator[tuple[int, str]]:
    """(rows, COPY text) per chunk of new members; the next chunk is built in a worker
    thread while the caller writes the current one."""
    chunks = [creates[start : start + CHUNK] for start in range(0, len(creates), CHUNK)]
    if not chunks:
        return
    building = asyncio.ensure_future(
        asyncio.to_thread(_creation_payload, chunks[0], protector, now)
    )
    try:
        for index, chunk in enumerate(chunks):
            members = await building
            if index + 1 < len(chunks):
                building = asyncio.ensure_future(
                    asyncio.to_thread(_creation_payload, chunks[index + 1], protector, now)
                )
            yield len(chunk), members
    finally:
        if not building.done():
            await asyncio.wait([building])


_STAGE_CREATED = (
    "CREATE TEMP TABLE IF NOT EXISTS zhibu_import_member"
    " (LIKE member, history_id uuid NOT NULL) ON COMMIT DROP;"
    " TRUNCATE zhibu_import_member"
)
_MOVE_CREATED = (
    f"INSERT INTO member ({_MEMBER_COLUMN_LIST})"  # noqa: S608
    f" SELECT {_MEMBER_COLUMN_LIST} FROM zhibu_import_member;"
    " INSERT INTO member_identity (id_number_bidx, tenant_id, member_id)"
    " SELECT id_number_bidx, tenant_id, id FROM zhibu_import_member;"
    # The event a member created one by one emits (`emit_member_event`), per imported member.
    " INSERT INTO outbox_event (tenant_id, id, topic, aggregate_type, aggregate_id, payload)"
    " SELECT tenant_id, gen_random_uuid(), 'member.created', 'member', id::text,"
    "   jsonb_build_object('member_id', id, 'organization_id', organization_id,"
    "     'version', version, 'fields', '[]'::jsonb)"
    " FROM zhibu_import_member;"
)


async def _write_created(uow: UnitOfWork, members: str, actor: ImportActor) -> None:
    """Write one chunk of new members (COPY text from `_creation_payload`) with their
    directory entries and first history versions: stage them with COPY, then move them in
    one round trip (the import's worker threads hold the GIL most of the time, so every
    round trip and every COPY buffer waits for it)."""
    clock = [time.perf_counter()]
    connection = await uow.session.connection()
    raw = await connection.get_raw_connection()
    driver: Any = raw.driver_connection
    try:
        async with driver.cursor() as cursor:
            await cursor.execute(_STAGE_CREATED)
            columns = ", ".join(STAGED_MEMBER_COLUMNS)
            async with cursor.copy(f"COPY zhibu_import_member ({columns}) FROM STDIN") as copy:
                await copy.write(members.encode("utf-8"))
            _phase(clock, "c:stage")
            history = psycopg.sql.SQL(_NEW_HISTORY_SQL).format(
                changed_by=psycopg.sql.Literal(actor.user_id),
                changed_by_name=psycopg.sql.Literal(actor.name),
            )
            await cursor.execute(psycopg.sql.Composed([psycopg.sql.SQL(_MOVE_CREATED), history]))
            _phase(clock, "c:move")
    except psycopg.errors.IntegrityError as exc:
        raise _conflict() from exc


async def write_members(
    uow: UnitOfWork,
    created: AsyncGenerator[tuple[int, str]],
    changed: list[tuple[Member, Member, dict[str, Any]]],
    actor: ImportActor,
    now: datetime,
    written: Callable[[int], Awaitable[None]] | None = None,
) -> None:
    """Batch-write new members (chunks of COPY text from `_creation_payload`) and changed
    members, with their directory entries and history."""
    clock = [time.perf_counter()]
    try:
        done = 0
        async with contextlib.aclosing(created) as chunks:
            async for rows, members in chunks:
                _phase(clock, "build (waited for)")
                await _write_created(uow, members, actor)
                done += rows
                if written:
                    await written(done)
        if changed:
            await _copy_rows(
                uow,
                "zhibu_import_member_update",
                "member",
                MEMBER_COLUMNS,
                [
                    "".join(
                        copy_line(tuple(getattr(new, c) for c in MEMBER_COLUMNS))
                        for _old, new, _d in changed
                    )
                ],
            )
            settable = [c for c in MEMBER_COLUMNS if c not in ("tenant_id", "id", "created_at")]
            assignments = ", ".join(f"{c} = u.{c}" for c in settable)
            await uow.session.execute(
                text(
                    f"UPDATE member AS m SET {assignments} FROM zhibu_import_member_update AS u"  # noqa: S608
                    " WHERE m.tenant_id = u.tenant_id AND m.id = u.id"
                )
            )
            history = "".join(
                copy_line(
                    (
                        new.tenant_id,
                        new_id(),
                        new.id,
                        new.version,
                        now,
                        actor.user_id,
                        actor.name,
                        "import",
                        diff,
                    )
                )
                for _old, new, diff in changed
            )
            await _copy_rows(
                uow, "zhibu_import_history", "member_history", HISTORY_COLUMNS, [history]
            )
            await uow.session.execute(
                text(
                    f"INSERT INTO member_history ({_HISTORY_COLUMN_LIST})"  # noqa: S608
                    f" SELECT {_HISTORY_COLUMN_LIST} FROM zhibu_import_history"
                )
            )
            for _old, new, diff in changed:
                emit_member_event(uow, new, "member.updated", sorted(diff))
        _phase(clock, "updates")
    except IntegrityError as exc:
        raise _conflict() from exc


def _conflict() -> DomainError:
    return DomainError(
        "import_conflict",
        Message(
            "导入期间有相同身份证号的党员被登记，请重新导入",
            "A member with one of these ID numbers was registered meanwhile; import again",
        ),
        status=409,
    )
