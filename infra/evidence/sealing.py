"""Confirmed evidence is immutable (佐证材料一经确认不可更改).

A slot's upload URL names its upload key (with a random per-slot tail). Confirmation moves
the verified object to a final key that no upload URL names (`ObjectStorage.seal`), so a
PUT retried after confirmation can neither replace nor destroy the confirmed file. The
local store refuses such a PUT (409 `storage_upload_closed`); S3 cannot revoke a presigned
URL, so a late PUT there lands on the upload key, which nothing reads and which
`sweeps.sweep_late_uploads` removes once the URL has expired.
"""

from __future__ import annotations

from infra.evidence.tables import Evidence
from infra.storage import ObjectInfo, ObjectStorage

FINAL_SUFFIX = ".final"


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
