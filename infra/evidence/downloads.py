"""One file's metadata and a download link that expires; the photo hint beside it."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from domain.activities import GeoPoint, distance_m
from domain.shared import DomainError, Message
from infra.activities.service import Caller
from infra.activities.tables import Activity
from infra.db.session import UnitOfWork
from infra.evidence.access import readable
from infra.evidence.tables import Evidence
from infra.storage import ObjectStorage
from infra.tenancy.service import Guard

log = logging.getLogger(__name__)

DOWNLOAD_URL_TTL = timedelta(minutes=10)


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
    row, access = await readable(uow, guard, evidence_id, caller=caller)
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
