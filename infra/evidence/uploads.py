"""Upload slots: the client declares a file and gets a presigned PUT to upload it with."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from domain.evidence import (
    UPLOAD_URL_TTL,
    EvidenceKind,
    EvidenceUpload,
    clean_filename,
    ensure_open_for_evidence,
    validate_upload,
)
from domain.shared import Guard, new_id
from infra.activities import Caller, SeenActivity
from infra.db.session import UnitOfWork
from infra.evidence.access import activity_access, refuse
from infra.evidence.quotas import lock_activity_evidence, tenant_policy, usage
from infra.evidence.tables import Evidence
from infra.storage import ObjectStorage, PresignedRequest


@dataclass(frozen=True, slots=True)
class Slot:
    evidence: Evidence
    upload: PresignedRequest
    activity: SeenActivity


def _object_key(tenant_id: uuid.UUID, activity_id: uuid.UUID, evidence_id: uuid.UUID) -> str:
    # The random tail makes keys unguessable even though UUIDv7 ids are time-ordered.
    return f"{tenant_id}/evidence/{activity_id}/{evidence_id}-{secrets.token_urlsafe(16)}"


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
    if not access.rights.can_upload:
        raise refuse(guard, "upload", access)
    activity = access.activity
    ensure_open_for_evidence(activity.status)
    name = clean_filename(filename)
    await lock_activity_evidence(uow, activity)
    policy = await tenant_policy(uow, activity.tenant_id)
    upload = validate_upload(
        policy,
        EvidenceUpload(
            kind=EvidenceKind(kind),
            content_type=content_type,
            size_bytes=size_bytes,
            sha256=sha256,
        ),
        usage=await usage(uow, activity, with_live_slots=True),
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
    return Slot(row, presigned, activity)
