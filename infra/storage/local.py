"""Local filesystem adapter: the zero-setup default, with URLs the API itself serves.

Upload and download URLs carry an HMAC-SHA256 signature over everything the holder may
not change (method, key, expiry and, for uploads, declared size and content type), so the
API route can accept bytes without a session, exactly like a presigned S3 URL.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import os
import re
import shutil
import tempfile
from collections.abc import AsyncIterable, AsyncIterator, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import BinaryIO
from urllib.parse import urlencode

from domain.shared import DomainError, ErrorKind
from infra.messages import MESSAGES
from infra.offload import offload
from infra.storage.port import (
    HEAD_BYTES,
    ObjectInfo,
    PresignedRequest,
    StorageUnavailableError,
    check_expiry,
    object_not_found,
    validate_key,
)
from infra.storage.sniff import detect_content_type

_CHUNK = 256 * 1024
_TMP_DIR = ".tmp"  # keys cannot start with a dot, so no key can reach it
_SEALED_DIR = ".sealed"  # one empty marker per upload key closed by `seal`
_DIGITS = re.compile(r"[0-9]{1,19}")


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class SignedGrant:
    """What a verified URL allows: the route uploads at most `size` bytes or serves the file."""

    method: str
    key: str
    expires_at: datetime
    size: int | None = None
    content_type: str | None = None
    download_name: str | None = None


@dataclass(frozen=True, slots=True)
class LocalDownload:
    """A stored file ready to stream; `content_type` is sniffed, never taken from a name."""

    path: Path
    size: int
    content_type: str

    async def chunks(self, chunk_size: int = _CHUNK) -> AsyncIterator[bytes]:
        handle = await asyncio.to_thread(self.path.open, "rb")
        try:
            while chunk := await asyncio.to_thread(handle.read, chunk_size):
                yield chunk
        finally:
            await asyncio.to_thread(handle.close)


def _signature_invalid() -> DomainError:
    return MESSAGES.error("storage_signature_invalid", ErrorKind.FORBIDDEN)


def _url_expired() -> DomainError:
    return MESSAGES.error("storage_url_expired", ErrorKind.FORBIDDEN)


def _too_large(max_size: int) -> DomainError:
    return MESSAGES.error("storage_upload_too_large", ErrorKind.TOO_LARGE, max_size=max_size)


def _content_type_mismatch(signed: str, sent: str) -> DomainError:
    return MESSAGES.error(
        "storage_content_type_mismatch", ErrorKind.INVALID, signed=signed, sent=sent
    )


def _upload_closed() -> DomainError:
    return MESSAGES.error("storage_upload_closed", ErrorKind.CONFLICT)


def _media_type(value: str) -> str:
    return value.split(";", 1)[0].strip().lower()


class LocalStorage:
    """Objects as files under `root` (e.g. ./var/objects); URLs point at `base_url/{key}`.

    `base_url` is the API route that serves the objects, for example
    `http://127.0.0.1:8000/api/v1/storage/objects`. `clock` is injectable so expiry can be
    tested without sleeping.
    """

    def __init__(
        self,
        root: Path | str,
        *,
        base_url: str,
        secret: bytes,
        clock: Callable[[], datetime] = _utcnow,
    ) -> None:
        if len(secret) < 32:
            raise ValueError("the URL signing secret must be at least 32 bytes")
        self.root = Path(root).resolve()
        self._base_url = base_url.rstrip("/")
        self._secret = secret
        self._clock = clock

    # URLs

    async def presign_put(
        self, key: str, *, content_type: str, size: int, expires: timedelta
    ) -> PresignedRequest:
        validate_key(key)
        check_expiry(expires)
        if size < 0:
            raise ValueError("declared size must not be negative")
        expires_at = self._clock() + expires
        query = self._signed_query(
            "PUT", key, int(expires_at.timestamp()), size=size, content_type=content_type
        )
        return PresignedRequest(
            url=f"{self._base_url}/{key}?{urlencode(query)}",
            method="PUT",
            headers={"Content-Type": content_type},
            expires_at=expires_at,
        )

    async def presign_get(
        self, key: str, *, expires: timedelta, download_name: str | None = None
    ) -> str:
        validate_key(key)
        check_expiry(expires)
        expires_at = int((self._clock() + expires).timestamp())
        query = self._signed_query("GET", key, expires_at, download_name=download_name)
        return f"{self._base_url}/{key}?{urlencode(query)}"

    def verify_signature(
        self,
        method: str,
        key: str,
        query: Mapping[str, str],
        *,
        content_type: str | None = None,
    ) -> SignedGrant:
        """Check a URL the API received; raise DomainError, or return what it grants.

        `content_type` is the request's Content-Type header for uploads; when given it must
        match the declared one. Codes: `storage_signature_invalid` (altered, wrong method,
        other secret), `storage_url_expired`, `storage_content_type_mismatch`.
        """
        validate_key(key)
        method = method.upper()
        if method not in ("PUT", "GET") or query.get("method") != method:
            raise _signature_invalid()
        expires_text = query.get("expires", "")
        size_text = query.get("size")
        if not _DIGITS.fullmatch(expires_text) or (
            method == "PUT" and (size_text is None or not _DIGITS.fullmatch(size_text))
        ):
            raise _signature_invalid()
        expires = int(expires_text)
        size = int(size_text) if method == "PUT" and size_text is not None else None
        signed_type = query.get("content_type") if method == "PUT" else None
        download_name = query.get("name") if method == "GET" else None
        expected = self._sign(
            method, key, expires, size=size, content_type=signed_type, download_name=download_name
        )
        # Bytes: a signature with non-ASCII characters is just wrong, not a TypeError.
        if not hmac.compare_digest(expected.encode(), query.get("sig", "").encode()):
            raise _signature_invalid()
        if self._clock().timestamp() > expires:
            raise _url_expired()
        if (
            content_type is not None
            and signed_type is not None
            and _media_type(content_type) != _media_type(signed_type)
        ):
            raise _content_type_mismatch(signed_type, content_type)
        return SignedGrant(
            method=method,
            key=key,
            expires_at=datetime.fromtimestamp(expires, UTC),
            size=size,
            content_type=signed_type,
            download_name=download_name,
        )

    def _signed_query(
        self,
        method: str,
        key: str,
        expires: int,
        *,
        size: int | None = None,
        content_type: str | None = None,
        download_name: str | None = None,
    ) -> dict[str, str]:
        query = {"method": method, "expires": str(expires)}
        if size is not None:
            query["size"] = str(size)
        if content_type is not None:
            query["content_type"] = content_type
        if download_name is not None:
            query["name"] = download_name
        query["sig"] = self._sign(
            method, key, expires, size=size, content_type=content_type, download_name=download_name
        )
        return query

    def _sign(
        self,
        method: str,
        key: str,
        expires: int,
        *,
        size: int | None,
        content_type: str | None,
        download_name: str | None,
    ) -> str:
        # JSON keeps field boundaries unambiguous whatever characters the values hold.
        payload = json.dumps(
            [method, key, expires, size, content_type, download_name],
            ensure_ascii=False,
            separators=(",", ":"),
        ).encode()
        return hmac.new(self._secret, payload, hashlib.sha256).hexdigest()

    # Bytes

    def _path(self, key: str) -> Path:
        return self.root / validate_key(key)

    async def write_upload(
        self, key: str, chunks: AsyncIterable[bytes], *, max_size: int
    ) -> ObjectInfo:
        """Stream an upload to a temp file and rename it into place.

        Readers never see a partial object: if the body is larger than `max_size`
        (`storage_upload_too_large`), the client disconnects or anything else fails, the
        temp file is removed and any earlier object under `key` is left untouched.
        """
        target = self._path(key)
        marker = self._marker(key)
        if await asyncio.to_thread(marker.exists):
            raise _upload_closed()
        tmp_dir = self.root / _TMP_DIR
        handle, tmp_path = await asyncio.to_thread(self._open_temp, tmp_dir)
        written = 0
        try:
            async for chunk in chunks:
                written += len(chunk)
                if written > max_size:
                    raise _too_large(max_size)
                await asyncio.to_thread(handle.write, chunk)
            await asyncio.to_thread(self._commit, handle, tmp_path, target, marker)
        except BaseException:
            await asyncio.to_thread(self._discard, handle, tmp_path)
            raise
        return ObjectInfo(key=key, size=written)

    @staticmethod
    def _open_temp(tmp_dir: Path) -> tuple[BinaryIO, Path]:
        tmp_dir.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=tmp_dir, suffix=".part")
        return os.fdopen(fd, "wb"), Path(name)

    @staticmethod
    def _commit(handle: BinaryIO, tmp_path: Path, target: Path, marker: Path) -> None:
        handle.flush()
        os.fsync(handle.fileno())
        handle.close()
        if marker.exists():  # sealed while the body was streaming
            raise _upload_closed()
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp_path.replace(target)

    @staticmethod
    def _discard(handle: BinaryIO, tmp_path: Path) -> None:
        handle.close()
        tmp_path.unlink(missing_ok=True)

    async def open_download(self, key: str) -> LocalDownload:
        path = self._path(key)
        info = await self.stat(key)
        if info is None:
            raise object_not_found(key)
        head = await self.read_head(key, HEAD_BYTES)
        sniffed = await offload(detect_content_type, head)
        return LocalDownload(
            path=path, size=info.size, content_type=sniffed or "application/octet-stream"
        )

    async def stat(self, key: str) -> ObjectInfo | None:
        path = self._path(key)
        try:
            st = await asyncio.to_thread(path.stat)
        except (FileNotFoundError, NotADirectoryError):
            return None
        return ObjectInfo(
            key=key,
            size=st.st_size,
            etag=f'"{st.st_mtime_ns:x}-{st.st_size:x}"',
            last_modified=datetime.fromtimestamp(st.st_mtime, UTC),
        )

    async def read_head(self, key: str, n: int) -> bytes:
        return await asyncio.to_thread(self._read_head, key, n)

    def _read_head(self, key: str, n: int) -> bytes:
        try:
            with self._path(key).open("rb") as handle:
                return handle.read(n)
        except (FileNotFoundError, NotADirectoryError) as exc:
            raise object_not_found(key) from exc

    async def sha256(self, key: str) -> str:
        return await asyncio.to_thread(self._sha256, key)

    def _sha256(self, key: str) -> str:
        try:
            with self._path(key).open("rb") as handle:
                return hashlib.file_digest(handle, "sha256").hexdigest()
        except (FileNotFoundError, NotADirectoryError) as exc:
            raise object_not_found(key) from exc

    def _marker(self, key: str) -> Path:
        return self.root / _SEALED_DIR / validate_key(key)

    async def seal(self, upload_key: str, final_key: str, *, etag: str | None) -> ObjectInfo | None:
        """Close `upload_key` to uploads (its URL now answers 409), then move the object,
        if it is still the one with `etag`, to `final_key`; None (and reopened) if not."""
        marker = self._marker(upload_key)
        await asyncio.to_thread(self._touch, marker)
        source, target = self._path(upload_key), self._path(final_key)
        found = await self.stat(upload_key)
        if found is not None and found.etag == etag:
            await asyncio.to_thread(self._move, source, target)
            moved = await self.stat(final_key)
            if moved is not None and moved.etag == etag:
                return moved
            await self.delete(final_key)
        await asyncio.to_thread(marker.unlink, missing_ok=True)
        return None

    @staticmethod
    def _touch(path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch()

    @staticmethod
    def _move(source: Path, target: Path) -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        source.replace(target)  # keeps the mtime, hence the ETag

    async def download_to(self, key: str, target: Path) -> None:
        await asyncio.to_thread(self._copy_out, key, target)

    def _copy_out(self, key: str, target: Path) -> None:
        try:
            shutil.copyfile(self._path(key), target)
        except (FileNotFoundError, NotADirectoryError) as exc:
            raise object_not_found(key) from exc

    async def upload_from(self, source: Path, key: str, *, content_type: str) -> ObjectInfo:
        target = self._path(key)
        await asyncio.to_thread(self._copy_in, source, self.root / _TMP_DIR, target)
        info = await self.stat(key)
        if info is None:
            raise object_not_found(key)
        return info

    @staticmethod
    def _copy_in(source: Path, tmp_dir: Path, target: Path) -> None:
        """Through a temp file and a rename, so no reader sees half a file."""
        tmp_dir.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=tmp_dir, suffix=".part")
        os.close(fd)
        try:
            shutil.copyfile(source, name)
            target.parent.mkdir(parents=True, exist_ok=True)
            Path(name).replace(target)
        finally:
            Path(name).unlink(missing_ok=True)

    async def delete(self, key: str) -> None:
        """Remove the object (and a sealed upload key's marker: its URL has expired)."""
        await asyncio.to_thread(self._path(key).unlink, missing_ok=True)
        await asyncio.to_thread(self._marker(key).unlink, missing_ok=True)

    async def ensure_ready(self) -> None:
        await asyncio.to_thread(self._ensure_root)

    def _ensure_root(self) -> None:
        try:
            (self.root / _TMP_DIR).mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageUnavailableError(f"cannot create {self.root}: {exc}") from exc
        if not os.access(self.root, os.W_OK | os.X_OK):
            raise StorageUnavailableError(f"{self.root} is not writable")
