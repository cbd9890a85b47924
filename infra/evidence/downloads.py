"""One file's metadata and, once attached, a download link that expires."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from domain.evidence import DOWNLOAD_URL_TTL, EvidenceStatus
from domain.evidence.messages import MESSAGES
from domain.shared import ErrorKind, Guard
from infra.activities import Caller, SeenActivity
from infra.db.session import UnitOfWork
from infra.evidence.access import readable
from infra.evidence.tables import Evidence
from infra.storage import ObjectStorage

log = logging.getLogger(__name__)


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
) -> tuple[Evidence, SeenActivity, Download | None]:
    """Metadata, and for an attached file a download link that expires.

    The object is checked against what was verified (size and ETag): confirmation moved it
    where no upload URL reaches, so a mismatch means storage was changed behind our back.
    """
    row, access = await readable(uow, guard, evidence_id, caller=caller)
    if row.status != EvidenceStatus.ATTACHED.value:
        return row, access.activity, None
    info = await storage.stat(row.object_key)
    if info is None or info.size != row.size_bytes or info.etag != row.object_etag:
        log.warning("evidence %s: stored object differs from the verified one", row.id)
        raise MESSAGES.error("evidence_object_changed", ErrorKind.CONFLICT)
    expires_at = datetime.now(UTC) + DOWNLOAD_URL_TTL
    url = await storage.presign_get(
        row.object_key, expires=DOWNLOAD_URL_TTL, download_name=row.filename
    )
    return row, access.activity, Download(url=url, expires_at=expires_at)
