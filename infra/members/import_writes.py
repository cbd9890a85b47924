"""The import's fast write path: new members staged with COPY and moved in one round trip
per chunk, changed members with one UPDATE … FROM, each with history and outbox events."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import logging
import time
import uuid
from collections.abc import AsyncGenerator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from types import SimpleNamespace
from typing import Any

import psycopg
import psycopg.sql
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from domain.members import (
    MemberDraft,
    NameSearchKeys,
    OrgRef,
    name_search_keys,
)
from domain.members.messages import MESSAGES
from domain.shared import DomainError, ErrorKind, new_id
from infra.db.bulk import insert_rows
from infra.db.routing import tenant_filter
from infra.db.session import UnitOfWork
from infra.members.import_report import ImportActor
from infra.members.records import (
    emit_member_event,
    member_values,
)
from infra.members.tables import Member
from infra.platform.outbox_bulk import emit_each
from infra.protection import FieldProtector

log = logging.getLogger(__name__)
CHUNK = 2000

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


def phase(clock: list[float], name: str) -> None:
    """Debug timing of the import's phases (logger infra.members.import_writes)."""
    now = time.perf_counter()
    log.debug("import phase before %r: %.2f s", name, now - clock[0])
    clock[0] = now


@dataclass(slots=True)
class Planned:
    row: int
    draft: MemberDraft
    org: OrgRef
    bidx: bytes = b""


@functools.lru_cache(maxsize=65536)
def search_keys_of(name: str) -> NameSearchKeys:
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
        **member_values(
            draft, org.tenant_id, org.id, protector, now=now, search_keys=search_keys_of
        )
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


# Columns of a new member's COPY line, in the order `creation_payload` writes them.
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
_NEW_HISTORY_SELECT = """
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
_NEW_HISTORY_SQL = insert_rows("member_history", HISTORY_COLUMNS, _NEW_HISTORY_SELECT)
_NULL = "\\N"
_encode_json = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def _text_field(value: str | None) -> str:
    return _NULL if value is None else _escape(value)


def creation_payload(chunk: Sequence[Planned], protector: FieldProtector, now: datetime) -> str:
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
            raise ValueError("creation_payload needs drafts normalised by validate_member")
        org_text = org_texts.get(p.org.id)
        if org_text is None:
            org_text = org_texts[p.org.id] = (str(p.org.tenant_id), str(p.org.id))
        tenant_id, organization_id = org_text
        member_id = str(new_id())
        id_number = protector.id_number(draft.id_number)
        phone = protector.phone(draft.phone) if draft.phone else None
        keys = search_keys_of(draft.name)
        gender = draft.gender.value
        birth_date = draft.birth_date.isoformat()
        education = draft.education.value if draft.education else None
        status = draft.status.value
        admitted_on = draft.admitted_on.isoformat()
        full_member_on = draft.full_member_on.isoformat() if draft.full_member_on else None
        member_class = draft.member_class.value
        mobile = draft.mobile.as_document() if draft.mobile else None
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


async def built_chunks(
    creates: Sequence[Planned], protector: FieldProtector, now: datetime
) -> AsyncGenerator[tuple[int, str]]:
    """(rows, COPY text) per chunk of new members; the next chunk is built in a worker
    thread while the caller writes the current one."""
    chunks = [creates[start : start + CHUNK] for start in range(0, len(creates), CHUNK)]
    if not chunks:
        return
    building = asyncio.ensure_future(asyncio.to_thread(creation_payload, chunks[0], protector, now))
    try:
        for index, chunk in enumerate(chunks):
            members = await building
            if index + 1 < len(chunks):
                building = asyncio.ensure_future(
                    asyncio.to_thread(creation_payload, chunks[index + 1], protector, now)
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
    insert_rows(
        "member",
        MEMBER_COLUMNS,
        f"SELECT {_MEMBER_COLUMN_LIST} FROM zhibu_import_member",  # noqa: S608
    )
    + insert_rows(
        "member_identity",
        ("id_number_bidx", "tenant_id", "member_id"),
        "SELECT id_number_bidx, tenant_id, id FROM zhibu_import_member",
    )
    # The event a member created one by one emits (`emit_member_event`), per imported member.
    + emit_each(
        "SELECT tenant_id, 'member.created' AS topic, 'member' AS aggregate_type,"
        " id::text AS aggregate_id,"
        " jsonb_build_object('member_id', id, 'organization_id', organization_id,"
        "   'version', version, 'fields', '[]'::jsonb) AS payload, organization_id"
        " FROM zhibu_import_member"
    )
)


async def write_created(uow: UnitOfWork, members: str, actor: ImportActor) -> None:
    """Write one chunk of new members (COPY text from `creation_payload`) with their
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
            phase(clock, "c:stage")
            history = psycopg.sql.SQL(_NEW_HISTORY_SQL).format(
                changed_by=psycopg.sql.Literal(actor.user_id),
                changed_by_name=psycopg.sql.Literal(actor.name),
            )
            await cursor.execute(psycopg.sql.Composed([psycopg.sql.SQL(_MOVE_CREATED), history]))
            phase(clock, "c:move")
    except psycopg.errors.IntegrityError as exc:
        raise import_conflict() from exc


async def write_members(
    uow: UnitOfWork,
    created: AsyncGenerator[tuple[int, str]],
    changed: list[tuple[Member, Member, dict[str, Any]]],
    actor: ImportActor,
    now: datetime,
    written: Callable[[int], Awaitable[None]] | None = None,
) -> None:
    """Batch-write new members (chunks of COPY text from `creation_payload`) and changed
    members, with their directory entries and history."""
    clock = [time.perf_counter()]
    try:
        done = 0
        async with contextlib.aclosing(created) as chunks:
            async for rows, members in chunks:
                phase(clock, "build (waited for)")
                await write_created(uow, members, actor)
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
            named, params = tenant_filter(uow.session, "m.tenant_id")  # Citus: the scope's shards
            await uow.session.execute(
                text(
                    f"UPDATE member AS m SET {assignments} FROM zhibu_import_member_update AS u"  # noqa: S608
                    f" WHERE m.tenant_id = u.tenant_id AND m.id = u.id AND {named}"
                ),
                params,
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
                    insert_rows(
                        "member_history",
                        HISTORY_COLUMNS,
                        f"SELECT {_HISTORY_COLUMN_LIST} FROM zhibu_import_history",  # noqa: S608
                    )
                )
            )
            for _old, new, diff in changed:
                emit_member_event(uow, new, "member.updated", sorted(diff))
        phase(clock, "updates")
    except IntegrityError as exc:
        raise import_conflict() from exc


def import_conflict() -> DomainError:
    return DomainError(
        "import_conflict",
        MESSAGES.message("members.import_conflict"),
        kind=ErrorKind.CONFLICT,
    )
