"""Confirmed evidence is immutable (佐证材料一经确认不可更改).

A slot's upload URL names its upload key (with a random per-slot tail). Confirmation moves
the verified object to a final key that no upload URL names (`ObjectStorage.seal`), so a
PUT retried after confirmation can neither replace nor destroy the confirmed file. The
local store refuses such a PUT (409 `storage_upload_closed`); S3 cannot revoke a presigned
URL, so a late PUT there lands on the upload key, which nothing reads and which
`sweep_late_uploads` removes once the URL has expired.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select
from sqlmodel import col

from domain.tenancy import PLATFORM_PATH
from infra.db.session import Actor, Database, Scope
from infra.evidence.tables import Evidence
from infra.storage import ObjectInfo, ObjectStorage

log = logging.getLogger(__name__)

FINAL_SUFFIX = ".final"
_SWEEPER = Actor(user_id=None, name="system", tenant_id=None, client_addr=None, request_id=None)


def final_key(upload_key: str) -> str:
    """Where a confirmed object lives; upload URLs are only ever made for slot keys."""
    return upload_key + FINAL_SUFFIX


async def stored(storage: ObjectStorage, row: Evidence) -> ObjectInfo | None:
    """A pending slot's object: at its upload key or, when a confirmation sealed it and
    then failed to commit, already at its final key."""
    found = await storage.stat(row.object_key)
    return found if found is not None else await storage.stat(final_key(row.object_key))


async def seal(storage: ObjectStorage, row: Evidence, verified: ObjectInfo) -> ObjectInfo | None:
    """Move the verified object of a pending `row` to its final key; point the row at it.

    None when the object changed since it was verified (the row is left as it was).
    """
    upload_key = row.object_key
    if verified.key == upload_key:
        sealed = await storage.seal(upload_key, final_key(upload_key), etag=verified.etag)
    else:
        sealed = await storage.stat(verified.key)
    if sealed is None or sealed.etag != verified.etag or sealed.size != verified.size:
        return None
    row.upload_key = upload_key
    row.object_key = sealed.key
    return sealed


async def sweep_late_uploads(
    db: Database, storage: ObjectStorage, *, now: datetime, limit: int = 500
) -> int:
    """Remove what may have been PUT to confirmed slots' upload keys, once their URLs expired.

    Rows are claimed with SKIP LOCKED, so workers sweeping together share the work.
    """
    async with db.unit_of_work(Scope(PLATFORM_PATH), _SWEEPER) as uow:
        rows = (
            (
                await uow.session.execute(
                    select(Evidence)
                    .where(
                        col(Evidence.upload_key).is_not(None),
                        col(Evidence.upload_expires_at) < now,
                    )
                    .limit(limit)
                    .with_for_update(skip_locked=True)
                )
            )
            .scalars()
            .all()
        )
        keys = [row.upload_key for row in rows if row.upload_key is not None]
        for row in rows:
            row.upload_key = None
            uow.session.add(row)
    for key in keys:
        try:
            await storage.delete(key)
        except Exception:
            log.exception("could not delete late upload %s", key)
    return len(keys)
