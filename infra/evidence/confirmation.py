"""Confirmation: the server reads what was stored and only then attaches it to the activity."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from domain.evidence import (
    EvidenceKind,
    EvidenceStatus,
    EvidenceUpload,
    StoredObject,
    validate_confirmation,
    validate_upload,
)
from domain.evidence.messages import MESSAGES
from domain.shared import DomainError, ErrorKind, Guard
from infra.activities import Caller, SeenActivity
from infra.db.session import UnitOfWork
from infra.evidence.access import readable, refuse
from infra.evidence.quotas import lock_activity_evidence, tenant_policy, usage
from infra.evidence.sealing import seal, stored
from infra.evidence.tables import Evidence
from infra.offload import offload
from infra.platform.outbox import emit
from infra.storage import HEAD_BYTES, ObjectStorage, detect_content_type, read_photo_metadata

_IMAGE_PREFIX = "image/"


def _declared(row: Evidence) -> EvidenceUpload:
    return EvidenceUpload(
        kind=EvidenceKind(row.kind),
        content_type=row.content_type,
        size_bytes=row.size_bytes,
        sha256=row.sha256,
    )


async def confirm(
    uow: UnitOfWork,
    guard: Guard,
    storage: ObjectStorage,
    evidence_id: uuid.UUID,
    *,
    caller: Caller,
) -> tuple[Evidence, SeenActivity]:
    """Verify the stored object and attach it; attaching twice returns the first result.

    A failed check keeps the slot pending with `last_error_code` (so the client can upload
    again to the same URL while it works, or ask for a new slot) and answers 422; the
    refusal and its reason are committed to the audit trail.
    """
    row, access = await readable(uow, guard, evidence_id, caller=caller, lock=True)
    if not access.rights.may_confirm(mine=row.uploaded_by == caller.user_id):
        raise refuse(guard, "upload", access)
    if row.status == EvidenceStatus.ATTACHED.value:
        return row, access.activity
    before = await stored(storage, row)
    if before is None:
        raise MESSAGES.error("evidence_not_uploaded", ErrorKind.CONFLICT)
    await lock_activity_evidence(uow, access.activity)
    policy = await tenant_policy(uow, row.tenant_id)
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
            policy, declared, usage=await usage(uow, access.activity, with_live_slots=False)
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
        return row, access.activity
    # Moved only if still the bytes just verified; from here on no upload URL reaches it.
    sealed = await seal(storage, row, before)
    if sealed is None:
        raise MESSAGES.error("evidence_changed_during_check", ErrorKind.CONFLICT)
    if sniffed and sniffed.startswith(_IMAGE_PREFIX):
        exif = await offload(read_photo_metadata, head)
        if exif is not None:
            row.exif_taken_at = exif.taken_at
            row.exif_latitude = exif.latitude
            row.exif_longitude = exif.longitude
    row.status = EvidenceStatus.ATTACHED.value
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
        organization_id=access.activity.organizer_id,
    )
    return row, access.activity
