"""Object storage port (对象存储) for evidence (佐证材料) uploads and downloads.

Clients never send file bytes through the API when storage is S3/MinIO: the API hands out a
presigned PUT, the client uploads, then the API checks the object (size, sha256, sniffed
type) before accepting it. The local adapter mimics the same flow with URLs the API serves.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Protocol
from urllib.parse import quote

from domain.shared import DomainError, ErrorKind
from infra.messages import MESSAGES

HEAD_BYTES = 64 * 1024
"""How many leading bytes to read for content sniffing and EXIF: covers a full APP1 segment."""

MAX_PRESIGN_EXPIRY = timedelta(days=7)
"""S3 (SigV4) refuses longer presigned URLs; the local adapter keeps the same limit."""

_SEGMENT = r"[A-Za-z0-9_-][A-Za-z0-9._-]*"
_KEY = re.compile(rf"{_SEGMENT}(?:/{_SEGMENT})*")
_MAX_KEY_LENGTH = 1024


@dataclass(frozen=True, slots=True)
class PresignedRequest:
    """What a client needs to upload directly: send `method` to `url` with `headers`."""

    url: str
    method: str
    headers: dict[str, str] = field(default_factory=dict)
    expires_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class ObjectInfo:
    """What storage says about a stored object; `size` is what confirmation checks."""

    key: str
    size: int
    etag: str | None = None
    last_modified: datetime | None = None


class StorageUnavailableError(Exception):
    """Storage cannot be reached or used (readiness fails); not the caller's fault."""


class ObjectStorage(Protocol):
    """Where evidence bytes live. Keys are server-made (see `validate_key`)."""

    async def presign_put(
        self, key: str, *, content_type: str, size: int, expires: timedelta
    ) -> PresignedRequest: ...

    async def presign_get(
        self, key: str, *, expires: timedelta, download_name: str | None = None
    ) -> str: ...

    async def stat(self, key: str) -> ObjectInfo | None:
        """None when the object does not exist (yet): the client has not uploaded."""
        ...

    async def read_head(self, key: str, n: int) -> bytes:
        """The first `n` bytes (fewer if the object is shorter), for sniffing and EXIF."""
        ...

    async def sha256(self, key: str) -> str:
        """Lower-case hex digest of the stored bytes, streamed, never held in memory."""
        ...

    async def seal(self, upload_key: str, final_key: str, *, etag: str | None) -> ObjectInfo | None:
        """Make a verified upload immutable: move it, if it is still the object with
        `etag`, to `final_key`, which no upload URL targets, and refuse later uploads to
        `upload_key` where the backend can. The final object's info, or None when the
        upload changed meanwhile (then nothing moved).
        """
        ...

    async def download_to(self, key: str, target: Path) -> None:
        """Copy the stored object into the local file `target`, streamed."""
        ...

    async def upload_from(self, source: Path, key: str, *, content_type: str) -> ObjectInfo:
        """Store a file the server made (an archive) under `key`, replacing any there."""
        ...

    async def delete(self, key: str) -> None:
        """Remove the object; deleting a missing object is not an error."""
        ...

    async def ensure_ready(self) -> None:
        """Create the bucket or directory if missing; StorageUnavailableError if unusable."""
        ...


def validate_key(key: str) -> str:
    """Refuse keys that could escape the bucket or root directory.

    Keys are made by the server (e.g. `<tenant_id>/evidence/<id>.jpg`), so a strict
    whitelist costs nothing: ASCII letters, digits, `._-` in `/`-separated segments that do
    not start with a dot. That rules out `..`, absolute paths, backslashes, NUL and hidden
    names; human file names travel separately as `download_name`.
    """
    if len(key) > _MAX_KEY_LENGTH or not _KEY.fullmatch(key):
        raise MESSAGES.error(
            "storage_key_invalid",
            errors=[MESSAGES.field("key", "storage_key_malformed", code="invalid")],
        )
    return key


def check_expiry(expires: timedelta) -> None:
    if not timedelta(0) < expires <= MAX_PRESIGN_EXPIRY:
        raise ValueError(f"presigned URL expiry must be in (0, 7 days], got {expires}")


def content_disposition(download_name: str) -> str:
    """`attachment` header value that keeps a Chinese file name (RFC 6266 / RFC 5987).

    The quoted ASCII fallback replaces everything a header could be abused with.
    """
    fallback = "".join(
        ch if 0x20 <= ord(ch) < 0x7F and ch not in '"\\;' else "_" for ch in download_name
    )
    encoded = quote(download_name, safe="")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}"


def object_not_found(key: str) -> DomainError:
    return MESSAGES.error("storage_object_not_found", ErrorKind.NOT_FOUND, key=key)
