"""How evidence is presented, and what every evidence endpoint takes from the request."""

from __future__ import annotations

from api.context import Ctx, absolute
from api.evidence import schemas as s
from domain.evidence import photo_hint
from infra.activities import Caller, SeenActivity
from infra.evidence.tables import Evidence
from infra.storage import PresignedRequest

EVIDENCE = ["Evidence"]


def caller_of(ctx: Ctx) -> Caller:
    return Caller(user_id=ctx.principal.user_id, tenant_id=ctx.principal.tenant_id)


def upload_out(ctx: Ctx, presigned: PresignedRequest) -> s.UploadOut:
    return s.UploadOut(
        url=absolute(ctx, presigned.url),
        method=presigned.method,
        headers=dict(presigned.headers),
        expires_at=presigned.expires_at,
    )


def evidence_out(
    row: Evidence, activity: SeenActivity, download: s.DownloadOut | None = None
) -> s.EvidenceOut:
    hint = photo_hint(
        taken_at=row.exif_taken_at,
        latitude=row.exif_latitude,
        longitude=row.exif_longitude,
        starts_at=activity.starts_at,
        ends_at=activity.ends_at,
        distance_m=activity.distance_m(row.exif_latitude, row.exif_longitude),
    )
    return s.EvidenceOut(
        id=row.id,
        tenant_id=row.tenant_id,
        activity_id=row.activity_id,
        kind=row.kind,
        filename=row.filename,
        content_type=row.content_type,
        size_bytes=row.size_bytes,
        sha256=row.sha256,
        status=row.status,
        uploaded_by=row.uploaded_by,
        created_at=row.created_at,
        confirmed_at=row.confirmed_at,
        last_error_code=row.last_error_code,
        photo=None
        if hint is None
        else s.PhotoHintOut(
            taken_at=hint.taken_at,
            latitude=hint.latitude,
            longitude=hint.longitude,
            taken_during_activity=hint.taken_during_activity,
            distance_m=hint.distance_m,
            activity_starts_at=activity.starts_at,
            activity_ends_at=activity.ends_at,
            activity_place=activity.place,
        ),
        download=download,
    )
