"""Evidence use cases (佐证材料): upload slots, confirmation, listing, download links, deletion.

The client declares a file and gets a presigned PUT; it uploads straight to storage (MinIO,
or the API's own signed route in the embedded default); it confirms; the server reads what
was stored (size, sha256 streamed, type sniffed from the bytes) and only then attaches it.
Permissions are `evidence:*` in the organizer organization's domain; members who may see
the activity (expected attendees and members of the organizations it counts for) may read
its evidence, and its attendees may upload.
"""

from __future__ import annotations

import logging
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, text
from sqlmodel import col

from domain.activities import (
    EvidenceKind,
    EvidencePolicy,
    EvidenceUpload,
    EvidenceUsage,
    GeoPoint,
    StoredObject,
    distance_m,
    validate_confirmation,
    validate_upload,
)
from domain.shared import DomainError, FieldError, Message, new_id
from domain.tenancy import effective_settings
from infra.activities import Caller, load_access
from infra.activities.tables import Activity
from infra.db.session import Actor, Database, Scope, UnitOfWork
from infra.evidence.sealing import final_key, seal, stored
from infra.evidence.tables import Evidence
from infra.offload import offload
from infra.platform.outbox import emit
from infra.storage import (
    HEAD_BYTES,
    ObjectStorage,
    PresignedRequest,
    detect_content_type,
    read_photo_metadata,
)
from infra.tenancy.service import PLATFORM_PATH, Guard, not_found

log = logging.getLogger(__name__)

UPLOAD_URL_TTL = timedelta(minutes=30)
"""How long an upload slot's URL works: enough for 20 MB over a slow mobile link."""
DOWNLOAD_URL_TTL = timedelta(minutes=10)
CLOSED_STATUSES = frozenset({"cancelled", "archived"})
_IMAGE_PREFIX = "image/"


@dataclass(frozen=True, slots=True)
class ActivityAccess:
    """An activity as the caller may see it, and what they may do with its evidence."""

    activity: Activity
    domain: str
    can_read: bool
    can_upload: bool
    can_delete: bool
    staff: bool
    """Holds `evidence:upload` as staff: sees and confirms others' pending uploads."""


@dataclass(frozen=True, slots=True)
class Slot:
    evidence: Evidence
    upload: PresignedRequest


@dataclass(frozen=True, slots=True)
class PhotoHint:
    """EXIF time and place beside the activity's own: a hint for the reader, never a gate."""

    taken_at: datetime | None
    latitude: float | None
    longitude: float | None
    taken_during_activity: bool | None
    distance_m: float | None


@dataclass(frozen=True, slots=True)
class Download:
    url: str
    expires_at: datetime


# ---------------------------------------------------------------- access


async def activity_access(
    uow: UnitOfWork, guard: Guard, activity_id: uuid.UUID, *, caller: Caller
) -> ActivityAccess:
    """The activity if the caller may see it (`activity_not_found`, 404, if not), with
    what they may do with its evidence.

    Staff act through `evidence:*` in the domain of an organization the activity counts
    for (deleting: the organizer's); members who see the activity (activities' own rule:
    their organization or an ancestor takes part, or they are expected) may read and add.
    """
    access = await load_access(uow, guard, caller, activity_id)
    orgs = access.view.organizations
    organizer = access.view.organizer.domain

    def anywhere(act: str) -> bool:
        return any(guard.can("evidence", act, o.domain) for o in orgs)

    member = access.member_visible
    staff = anywhere("upload")
    return ActivityAccess(
        activity=access.activity,
        domain=organizer,
        can_read=member or anywhere("read"),
        can_upload=member or staff,
        can_delete=guard.can("evidence", "delete", organizer),
        staff=staff,
    )


def _refuse(guard: Guard, act: str, access: ActivityAccess) -> DomainError:
    """403 through the guard (so the refusal is audited); the error is a fallback only."""
    guard.require("evidence", act, access.domain)
    return DomainError(
        "forbidden",
        Message("您没有执行此操作的权限。", "You are not allowed to do this."),
        status=403,
    )


# ---------------------------------------------------------------- policy


async def _policy(uow: UnitOfWork, tenant_id: uuid.UUID) -> EvidencePolicy:
    chain = (
        await uow.session.execute(text("SELECT zhibu_settings_chain(:t)"), {"t": tenant_id})
    ).scalars()
    settings = effective_settings(list(chain))
    return EvidencePolicy(
        max_file_bytes=settings.evidence_max_file_bytes,
        max_files_per_activity=settings.evidence_max_files_per_activity,
    )


async def _usage(uow: UnitOfWork, activity: Activity, *, with_live_slots: bool) -> EvidenceUsage:
    """Attached files, plus pending slots whose upload URL still works when asked."""
    counted = col(Evidence.status) == "attached"
    if with_live_slots:
        counted = counted | (
            (col(Evidence.status) == "pending") & (col(Evidence.upload_expires_at) > func.now())
        )
    stmt = select(func.count(), func.coalesce(func.sum(Evidence.size_bytes), 0)).where(
        col(Evidence.tenant_id) == activity.tenant_id,
        col(Evidence.activity_id) == activity.id,
        counted,
    )
    count, total = (await uow.session.execute(stmt)).one()
    return EvidenceUsage(file_count=int(count), total_bytes=int(total))


async def _lock_activity_evidence(uow: UnitOfWork, activity: Activity) -> None:
    """Serialize slot requests and confirmations per activity, so limits hold under races."""
    await uow.session.execute(
        text("SELECT pg_advisory_xact_lock(hashtextextended(:k, 0))"),
        {"k": f"evidence:{activity.tenant_id}:{activity.id}"},
    )


def _declared(row: Evidence) -> EvidenceUpload:
    return EvidenceUpload(
        kind=EvidenceKind(row.kind),
        content_type=row.content_type,
        size_bytes=row.size_bytes,
        sha256=row.sha256,
    )


def clean_filename(name: str) -> str:
    """The last path segment, without control characters; a download name, never a key."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(ch for ch in base if ch.isprintable()).strip()
    if not cleaned or cleaned in {".", ".."}:
        raise DomainError(
            "validation_failed",
            Message("文件名无效。", "The file name is invalid."),
            status=422,
            errors=[FieldError("filename", "invalid", Message("文件名无效", "invalid name"))],
        )
    return cleaned[:255]


def _object_key(tenant_id: uuid.UUID, activity_id: uuid.UUID, evidence_id: uuid.UUID) -> str:
    # The random tail makes keys unguessable even though UUIDv7 ids are time-ordered.
    return f"{tenant_id}/evidence/{activity_id}/{evidence_id}-{secrets.token_urlsafe(16)}"


# ---------------------------------------------------------------- use cases


async def request_slot(
    uow: UnitOfWork,
    guard: Guard,
    storage: ObjectStorage,
    activity_id: uuid.UUID,
    *,
    caller: Caller,
    kind: str,
    filename: str,
    content_type: str,
    size_bytes: int,
    sha256: str,
) -> Slot:
    access = await activity_access(uow, guard, activity_id, caller=caller)
    if not access.can_upload:
        raise _refuse(guard, "upload", access)
    activity = access.activity
    if activity.status in CLOSED_STATUSES:
        raise DomainError(
            "activity_closed_for_evidence",
            Message(
                "活动已取消或已归档，不能再上传佐证材料。",
                "The activity is cancelled or archived; evidence can no longer be added.",
            ),
            status=409,
        )
    name = clean_filename(filename)
    await _lock_activity_evidence(uow, activity)
    policy = await _policy(uow, activity.tenant_id)
    upload = validate_upload(
        policy,
        EvidenceUpload(
            kind=EvidenceKind(kind),
            content_type=content_type,
            size_bytes=size_bytes,
            sha256=sha256,
        ),
        usage=await _usage(uow, activity, with_live_slots=True),
    )
    evidence_id = new_id()
    key = _object_key(activity.tenant_id, activity.id, evidence_id)
    presigned = await storage.presign_put(
        key, content_type=upload.content_type, size=upload.size_bytes, expires=UPLOAD_URL_TTL
    )
    row = Evidence(
        tenant_id=activity.tenant_id,
        id=evidence_id,
        activity_id=activity.id,
        kind=upload.kind.value,
        filename=name,
        content_type=upload.content_type,
        size_bytes=upload.size_bytes,
        sha256=upload.sha256,
        object_key=key,
        uploaded_by=caller.user_id,
        upload_expires_at=presigned.expires_at or datetime.now(UTC) + UPLOAD_URL_TTL,
    )
    uow.session.add(row)
    await uow.session.flush()
    uow.audit(
        "evidence.request_upload",
        "evidence",
        row.id,
        tenant_id=row.tenant_id,
        detail={
            "activity_id": str(activity.id),
            "kind": row.kind,
            "filename": name,
            "content_type": row.content_type,
            "size_bytes": row.size_bytes,
            "sha256": row.sha256,
        },
    )
    return Slot(row, presigned)


async def _load(uow: UnitOfWork, evidence_id: uuid.UUID, *, lock: bool = False) -> Evidence:
    stmt = select(Evidence).where(
        col(Evidence.id) == evidence_id,
        col(Evidence.status) != "deleted",
    )
    if lock:
        stmt = stmt.with_for_update()
    row = (await uow.session.execute(stmt)).scalar_one_or_none()
    if row is None:
        raise not_found("evidence")
    return row


async def _readable(
    uow: UnitOfWork, guard: Guard, evidence_id: uuid.UUID, *, caller: Caller, lock: bool = False
) -> tuple[Evidence, ActivityAccess]:
    row = await _load(uow, evidence_id, lock=lock)
    try:
        access = await activity_access(uow, guard, row.activity_id, caller=caller)
    except DomainError as exc:
        raise not_found("evidence") from exc
    mine = row.uploaded_by == caller.user_id
    # Pending slots are the uploader's business (and their organizers'), not every reader's.
    visible = mine or (access.staff if row.status == "pending" else access.can_read)
    if not visible:
        raise not_found("evidence")
    return row, access


async def confirm(
    uow: UnitOfWork,
    guard: Guard,
    storage: ObjectStorage,
    evidence_id: uuid.UUID,
    *,
    caller: Caller,
) -> Evidence:
    """Verify the stored object and attach it; attaching twice returns the first result.

    A failed check keeps the slot pending with `last_error_code` (so the client can upload
    again to the same URL while it works, or ask for a new slot) and answers 422; the
    refusal and its reason are committed to the audit trail.
    """
    row, access = await _readable(uow, guard, evidence_id, caller=caller, lock=True)
    if not (row.uploaded_by == caller.user_id or access.staff):
        raise _refuse(guard, "upload", access)
    if row.status == "attached":
        return row
    before = await stored(storage, row)
    if before is None:
        raise DomainError(
            "evidence_not_uploaded",
            Message(
                "还没有收到文件，请先用上传链接上传，再确认。",
                "The file has not been uploaded yet; upload it with the slot's URL, then confirm.",
            ),
            status=409,
        )
    await _lock_activity_evidence(uow, access.activity)
    policy = await _policy(uow, row.tenant_id)
    declared = _declared(row)
    head = await storage.read_head(before.key, HEAD_BYTES)
    sniffed = await offload(detect_content_type, head)
    digest = await storage.sha256(before.key) if before.size == row.size_bytes else ""
    try:
        validate_confirmation(
            policy,
            declared,
            StoredObject(size_bytes=before.size, sha256=digest, sniffed_content_type=sniffed),
        )
        validate_upload(
            policy, declared, usage=await _usage(uow, access.activity, with_live_slots=False)
        )
    except DomainError as exc:
        row.last_error_code = exc.code
        row.sniffed_content_type = sniffed
        uow.session.add(row)
        uow.audit(
            "evidence.confirm",
            "evidence",
            row.id,
            tenant_id=row.tenant_id,
            outcome="failure",
            detail={"code": exc.code, "stored_size": before.size, "sniffed": sniffed},
        )
        uow.fail_after_commit(exc)
        return row
    # Moved only if still the bytes just verified; from here on no upload URL reaches it.
    sealed = await seal(storage, row, before)
    if sealed is None:
        raise DomainError(
            "evidence_changed_during_check",
            Message(
                "核验期间文件被重新上传，请再次确认。",
                "The file was uploaded again while it was being checked; confirm again.",
            ),
            status=409,
        )
    if sniffed and sniffed.startswith(_IMAGE_PREFIX):
        exif = await offload(read_photo_metadata, head)
        if exif is not None:
            row.exif_taken_at = exif.taken_at
            row.exif_latitude = exif.latitude
            row.exif_longitude = exif.longitude
    row.status = "attached"
    row.sniffed_content_type = sniffed
    row.object_etag = sealed.etag
    row.last_error_code = None
    row.confirmed_at = datetime.now(UTC)
    uow.session.add(row)
    uow.audit(
        "evidence.attach",
        "evidence",
        row.id,
        tenant_id=row.tenant_id,
        detail={"activity_id": str(row.activity_id), "sha256": row.sha256, "sniffed": sniffed},
    )
    emit(
        uow,
        tenant_id=row.tenant_id,
        topic="evidence.attached",
        aggregate_type="activity",
        aggregate_id=row.activity_id,
        payload={
            "evidence_id": str(row.id),
            "activity_id": str(row.activity_id),
            "kind": row.kind,
            "content_type": row.content_type,
            "size_bytes": row.size_bytes,
            "sha256": row.sha256,
            "uploaded_by": str(row.uploaded_by),
        },
    )
    return row


async def list_evidence(
    uow: UnitOfWork,
    guard: Guard,
    activity_id: uuid.UUID,
    *,
    caller: Caller,
    limit: int,
    cursor: uuid.UUID | None,
    kind: str | None,
    include_pending: bool,
) -> tuple[Activity, list[Evidence]]:
    access = await activity_access(uow, guard, activity_id, caller=caller)
    if not access.can_read:
        raise _refuse(guard, "read", access)
    stmt = select(Evidence).where(
        col(Evidence.tenant_id) == access.activity.tenant_id,
        col(Evidence.activity_id) == activity_id,
    )
    if include_pending:
        pending = col(Evidence.status) == "pending"
        if not access.staff:
            pending = pending & (col(Evidence.uploaded_by) == caller.user_id)
        stmt = stmt.where((col(Evidence.status) == "attached") | pending)
    else:
        stmt = stmt.where(col(Evidence.status) == "attached")
    if kind:
        stmt = stmt.where(col(Evidence.kind) == kind)
    if cursor:
        stmt = stmt.where(col(Evidence.id) > cursor)
    stmt = stmt.order_by(col(Evidence.id)).limit(limit + 1)
    return access.activity, list((await uow.session.execute(stmt)).scalars())


async def read(
    uow: UnitOfWork,
    guard: Guard,
    storage: ObjectStorage,
    evidence_id: uuid.UUID,
    *,
    caller: Caller,
) -> tuple[Evidence, Activity, Download | None]:
    """Metadata, and for an attached file a download link that expires.

    The object is checked against what was verified (size and ETag): confirmation moved it
    where no upload URL reaches, so a mismatch means storage was changed behind our back.
    """
    row, access = await _readable(uow, guard, evidence_id, caller=caller)
    if row.status != "attached":
        return row, access.activity, None
    info = await storage.stat(row.object_key)
    if info is None or info.size != row.size_bytes or info.etag != row.object_etag:
        log.warning("evidence %s: stored object differs from the verified one", row.id)
        raise DomainError(
            "evidence_object_changed",
            Message(
                "存储中的文件与核验时不一致，已停止提供下载，请联系管理员。",
                "The stored file differs from the verified one; downloads are stopped.",
            ),
            status=409,
        )
    expires_at = datetime.now(UTC) + DOWNLOAD_URL_TTL
    url = await storage.presign_get(
        row.object_key, expires=DOWNLOAD_URL_TTL, download_name=row.filename
    )
    return row, access.activity, Download(url=url, expires_at=expires_at)


async def delete(
    uow: UnitOfWork,
    guard: Guard,
    evidence_id: uuid.UUID,
    *,
    caller: Caller,
) -> Evidence:
    """Mark the row deleted (kept for the record: who removed what, when).

    The caller removes the bytes from storage after the commit (`remove_object`).
    """
    row, access = await _readable(uow, guard, evidence_id, caller=caller, lock=True)
    pending_own = row.status == "pending" and row.uploaded_by == caller.user_id
    if not (access.can_delete or pending_own):
        raise _refuse(guard, "delete", access)
    previous = row.status
    row.status = "deleted"
    row.deleted_at = datetime.now(UTC)
    row.deleted_by = caller.user_id
    uow.session.add(row)
    uow.audit(
        "evidence.delete",
        "evidence",
        row.id,
        tenant_id=row.tenant_id,
        detail={
            "activity_id": str(row.activity_id),
            "filename": row.filename,
            "sha256": row.sha256,
            "previous_status": previous,
        },
    )
    if previous == "attached":
        emit(
            uow,
            tenant_id=row.tenant_id,
            topic="evidence.deleted",
            aggregate_type="activity",
            aggregate_id=row.activity_id,
            payload={"evidence_id": str(row.id), "activity_id": str(row.activity_id)},
        )
    return row


async def remove_object(storage: ObjectStorage, key: str) -> None:
    """Best effort after the row is committed as deleted; a failure leaves an orphan only."""
    try:
        await storage.delete(key)
    except Exception:
        log.exception("could not delete object %s of deleted evidence", key)


def photo_hint(row: Evidence, activity: Activity) -> PhotoHint | None:
    if row.exif_taken_at is None and row.exif_latitude is None:
        return None
    during: bool | None = None
    if row.exif_taken_at is not None:
        during = activity.starts_at <= row.exif_taken_at <= activity.ends_at
    distance: float | None = None
    if (
        row.exif_latitude is not None
        and row.exif_longitude is not None
        and activity.latitude is not None
        and activity.longitude is not None
    ):
        distance = round(
            distance_m(
                GeoPoint(row.exif_latitude, row.exif_longitude),
                GeoPoint(activity.latitude, activity.longitude),
            ),
            1,
        )
    return PhotoHint(
        taken_at=row.exif_taken_at,
        latitude=row.exif_latitude,
        longitude=row.exif_longitude,
        taken_during_activity=during,
        distance_m=distance,
    )


# Upload slots confirm in the minutes after their URL was used; a week after the URL
# expired, nobody is coming back for one.
ABANDONED_AFTER = timedelta(days=7)
SYSTEM_ACTOR = Actor(user_id=None, name="system", tenant_id=None, client_addr=None, request_id=None)


async def sweep_abandoned(
    db: Database, storage: ObjectStorage, *, now: datetime, limit: int = 500
) -> int:
    """Clear upload slots nobody confirmed: the row kept as deleted, any bytes removed.

    Runs in the platform's scope, so it sees every tenant. Rows are claimed with SKIP
    LOCKED: API workers sweeping at the same time share the work instead of repeating it.
    Returns how many slots were cleared (at most `limit`; the next sweep takes the rest).
    """
    async with db.unit_of_work(Scope(PLATFORM_PATH), SYSTEM_ACTOR) as uow:
        rows = (
            (
                await uow.session.execute(
                    select(Evidence)
                    .where(
                        col(Evidence.status) == "pending",
                        col(Evidence.upload_expires_at) < now - ABANDONED_AFTER,
                    )
                    .order_by(col(Evidence.upload_expires_at))
                    .limit(limit)
                    .with_for_update(skip_locked=True)
                )
            )
            .scalars()
            .all()
        )
        for row in rows:
            row.status = "deleted"
            row.deleted_at = now
            row.last_error_code = "upload_abandoned"
            uow.session.add(row)
            uow.audit(
                "evidence.expire",
                "evidence",
                row.id,
                tenant_id=row.tenant_id,
                detail={"activity_id": str(row.activity_id), "filename": row.filename},
            )
        keys = [key for row in rows for key in (row.object_key, final_key(row.object_key))]
    for key in keys:
        await remove_object(storage, key)
    return len(rows)
