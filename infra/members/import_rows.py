"""Planning a member import (党员信息批量导入): rows → report, then the write.

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
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from domain.members import (
    HeaderMapping,
    MemberDraft,
    MemberStatus,
    OrgAccess,
    OrgRef,
    RowRefusal,
    changes_between,
    default_organization,
    duplicate_id_number_refusals,
    import_headers,
    imported_fields,
    imported_status,
    map_headers,
    parse_rows,
    resolve_org,
)
from domain.members.messages import MESSAGES
from domain.members.probes import DUPLICATE_ELSEWHERE
from domain.shared import DomainError, FieldError
from infra.db.session import UnitOfWork
from infra.members import probes
from infra.members.import_files import Table
from infra.members.import_report import (
    ImportActor,
    ImportOptions,
    ImportReport,
    Progress,
    RowOutcome,
)
from infra.members.import_targets import organization_kind_errors
from infra.members.import_writes import (
    CHUNK,
    MEMBER_COLUMNS,
    Planned,
    built_chunks,
    creation_payload,
    import_conflict,
    phase,
    write_created,
    write_members,
)
from infra.members.records import (
    build_member_row,
    tracked_values,
)
from infra.members.tables import Member
from infra.protection import FieldProtector

# Which member columns an import field feeds.
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
    "mobile": ("mobile",),
}


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


def _diff(old: Member, new: Member) -> dict[str, Any]:
    """What an update changes, in the registry's history form (sensitive fields masked)."""
    before, after = tracked_values(old), tracked_values(new)
    changes = changes_between(before, after)
    if old.phone_bidx != new.phone_bidx and "phone" not in changes:
        changes["phone"] = {"old": old.phone_masked, "new": new.phone_masked}
    return changes


def _merge_update(existing: Member, fresh: Member, present: set[str]) -> Member:
    """The updated row: the columns of the fields the import replaces from `fresh`
    (domain.members.imported_fields), the rest kept."""
    columns: set[str] = set()
    for field_name in imported_fields(present):
        columns.update(_FIELD_COLUMNS.get(field_name, ()))
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
        candidates: list[Planned] = []
        for row_number, result, _name in parsed:
            org = self._org(row_number, result)
            if org is None or isinstance(result, RowRefusal) or result.id_number in self.seen:
                self.active = False
                return
            self.seen.add(result.id_number)
            bidx = self.protector.id_number_index(result.id_number)
            candidates.append(Planned(row_number, result, org, bidx))
        found = await _lookup_owners(uow, [p.bidx for p in candidates])
        self.owners.update(found)
        creates = [p for p in candidates if p.bidx not in found]
        building = asyncio.ensure_future(
            asyncio.to_thread(creation_payload, creates, self.protector, self.now)
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
            await write_created(uow, members, self.actor)
        except IntegrityError as exc:
            raise import_conflict() from exc
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
            self.kinds_ok[org.id] = not organization_kind_errors(org)
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
    default = default_organization(access, options.default_organization)
    mapping_headers = import_headers(table.headers, default is not None)
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

    phase(clock, "1. parse")
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
                parse_rows, chunk, mapping_headers, today, default_token, default_rows
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

    phase(clock, "2. organizations")
    # 2. organizations, duplicates in the file
    refusals: dict[int, list[FieldError]] = {}
    names: dict[int, str | None] = {}
    planned: list[Planned] = []
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
            kind_errors[org.id] = organization_kind_errors(org)
        if kind_errors[org.id]:
            refusals.setdefault(row_number, []).extend(kind_errors[org.id])
            continue
        planned.append(Planned(row_number, result, org))
    for refusal in duplicate_id_number_refusals((row, result) for row, result, _ in parsed):
        refusals.setdefault(refusal.row_number, []).extend(refusal.errors)
    planned = [p for p in planned if p.row not in refusals]

    phase(clock, "3. against")
    # 3. against the platform: the 身份证号 directory and what the caller can see
    for p in planned:
        p.bidx = protector.id_number_index(p.draft.id_number)
    if speculation is not None and speculation.active:
        owners = speculation.owners  # looked up for every row, chunk by chunk
    else:
        owners = await _lookup_owners(uow, [p.bidx for p in planned])
    visible = await _visible_members(uow, sorted({owner[1] for owner in owners.values()}))
    creates: list[Planned] = []
    updates: list[tuple[Planned, Member]] = []
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
                    MESSAGES.message("members.duplicate_not_permitted", organization=where),
                )
            ]
            continue
        if p.org.tenant_id != existing.tenant_id:
            refusals[p.row] = [
                FieldError(
                    "organization_name",
                    "cross_tenant_move",
                    MESSAGES.message("members.cross_tenant_move", organization=holder.name),
                )
            ]
            continue
        updates.append((p, existing))

    await probes.charge(uow, elsewhere, now=now)
    if progress:
        await progress(int(total * checked_share), total)

    phase(clock, "4. updates")
    # 4. what the updates change (the new rows are built while they are written, below)
    changed: list[tuple[Planned, Member, Member, dict[str, Any]]] = []
    unchanged: set[int] = set()
    for p, existing in updates:
        try:
            status = imported_status(
                MemberStatus(existing.status), p.draft, status_in_file="status" in present
            )
        except DomainError as error:
            refusals[p.row] = list(error.errors)
            continue
        fresh = _build(p, protector, now, member_id=existing.id, user_id=existing.user_id)
        fresh.status = status.value
        merged = _merge_update(existing, fresh, present)
        diff = _diff(existing, merged)
        if not diff:
            unchanged.add(p.row)
            continue
        merged.version = existing.version + 1
        merged.updated_at = now
        merged.created_at = existing.created_at
        changed.append((p, existing, merged, diff))

    phase(clock, "5. the report")
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

    phase(clock, "6. the write")

    # 6. the write: new rows are built (encryption, pinyin, COPY text) in a worker thread
    # chunk by chunk, each chunk while the database writes the one before it
    async def written(done: int) -> None:
        if progress:
            share = checked_share + (1 - checked_share) * done / max(len(creates), 1)
            await progress(int(total * share), total)

    await write_members(
        uow,
        built_chunks(creates, protector, now),
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
    phase(clock, "done")
    if progress:
        await progress(total, total)
    return report


def _build(
    p: Planned,
    protector: FieldProtector,
    now: datetime,
    *,
    member_id: uuid.UUID | None = None,
    user_id: uuid.UUID | None = None,
) -> Member:
    return build_member_row(
        p.draft, p.org, protector, member_id=member_id, user_id=user_id, now=now
    )
