"""S3/MinIO adapter: mobile clients upload straight to the bucket with presigned URLs."""

from __future__ import annotations

import asyncio
import hashlib
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import urllib3
from minio import Minio
from minio.commonconfig import CopySource
from minio.error import MinioException, S3Error

from infra.storage.port import (
    ObjectInfo,
    PresignedRequest,
    StorageUnavailableError,
    check_expiry,
    content_disposition,
    object_not_found,
    validate_key,
)

_MISSING_CODES = frozenset({"NoSuchKey", "NoSuchObject", "NotFound", "ResourceNotFound"})
_CHUNK = 256 * 1024


def _client(endpoint: str, *, access_key: str, secret_key: str, region: str, secure: bool) -> Minio:
    """Accept `host:port` or a URL; a URL's scheme decides TLS.

    The short timeout and few retries keep `/ready` from hanging for minutes when the
    storage is down (the SDK default retries five times with back-off).
    """
    if "://" in endpoint:
        parts = urlsplit(endpoint)
        endpoint, secure = parts.netloc, parts.scheme == "https"
    http = urllib3.PoolManager(
        timeout=urllib3.Timeout(connect=5, read=60),
        retries=urllib3.Retry(total=2, backoff_factor=0.2, status_forcelist=[502, 503, 504]),
    )
    return Minio(
        endpoint,
        access_key=access_key,
        secret_key=secret_key,
        region=region,
        secure=secure,
        http_client=http,
    )


def _bare(etag: str | None) -> str:
    return (etag or "").strip('"')


class S3Storage:
    """Objects in one S3 bucket (MinIO in deployments).

    `public_endpoint` is the address clients reach when it differs from the one the API
    uses (e.g. `minio:9000` inside compose vs. `https://files.example.gov.cn`): the host is
    part of the signature, so presigned URLs must be made for the public one. Presigning
    is local computation (the region is given, so the SDK does not look it up), hence not
    sent to a thread.

    S3 presigned PUTs cannot bind the body size or content type; the confirmation step
    enforces both from the stored object.
    """

    def __init__(
        self,
        *,
        endpoint: str,
        access_key: str,
        secret_key: str,
        bucket: str,
        region: str = "us-east-1",
        secure: bool = True,
        public_endpoint: str | None = None,
    ) -> None:
        self.bucket = bucket
        self._region = region
        self._client = _client(
            endpoint, access_key=access_key, secret_key=secret_key, region=region, secure=secure
        )
        self._signer = (
            _client(
                public_endpoint,
                access_key=access_key,
                secret_key=secret_key,
                region=region,
                secure=secure,
            )
            if public_endpoint
            else self._client
        )

    async def presign_put(
        self, key: str, *, content_type: str, size: int, expires: timedelta
    ) -> PresignedRequest:
        validate_key(key)
        check_expiry(expires)
        url = self._signer.presigned_put_object(self.bucket, key, expires=expires)
        return PresignedRequest(
            url=url,
            method="PUT",
            headers={"Content-Type": content_type},
            expires_at=datetime.now(UTC) + expires,
        )

    async def presign_get(
        self, key: str, *, expires: timedelta, download_name: str | None = None
    ) -> str:
        validate_key(key)
        check_expiry(expires)
        response_headers: dict[str, str | list[str] | tuple[str]] | None = (
            {"response-content-disposition": content_disposition(download_name)}
            if download_name
            else None
        )
        return self._signer.presigned_get_object(
            self.bucket, key, expires=expires, response_headers=response_headers
        )

    async def stat(self, key: str) -> ObjectInfo | None:
        validate_key(key)
        return await asyncio.to_thread(self._stat, key)

    def _stat(self, key: str) -> ObjectInfo | None:
        try:
            obj = self._client.stat_object(self.bucket, key)
        except S3Error as exc:
            if exc.code in _MISSING_CODES:
                return None
            raise
        return ObjectInfo(
            key=key,
            size=obj.size or 0,
            etag=obj.etag,
            last_modified=obj.last_modified,
        )

    async def read_head(self, key: str, n: int) -> bytes:
        validate_key(key)
        return await asyncio.to_thread(self._read_head, key, n)

    def _read_head(self, key: str, n: int) -> bytes:
        try:
            response = self._client.get_object(self.bucket, key, offset=0, length=n)
        except S3Error as exc:
            if exc.code in _MISSING_CODES:
                raise object_not_found(key) from exc
            if exc.code == "InvalidRange":
                return b""  # an empty object has no byte 0 to range over
            raise
        try:
            return response.read()
        finally:
            response.close()
            response.release_conn()

    async def sha256(self, key: str) -> str:
        validate_key(key)
        return await asyncio.to_thread(self._sha256, key)

    def _sha256(self, key: str) -> str:
        try:
            response = self._client.get_object(self.bucket, key)
        except S3Error as exc:
            if exc.code in _MISSING_CODES:
                raise object_not_found(key) from exc
            raise
        digest = hashlib.sha256()
        try:
            for chunk in response.stream(_CHUNK):
                digest.update(chunk)
        finally:
            response.close()
            response.release_conn()
        return digest.hexdigest()

    async def seal(self, upload_key: str, final_key: str, *, etag: str | None) -> ObjectInfo | None:
        """Server-side copy, only if the source still has `etag`, then remove the source.

        A presigned PUT cannot be revoked: one sent after this recreates `upload_key`, an
        object nothing reads, removed once its URL has expired (`sweep_late_uploads`).
        """
        validate_key(upload_key)
        validate_key(final_key)
        return await asyncio.to_thread(self._seal, upload_key, final_key, etag)

    def _seal(self, upload_key: str, final_key: str, etag: str | None) -> ObjectInfo | None:
        try:
            self._client.copy_object(
                self.bucket, final_key, CopySource(self.bucket, upload_key, match_etag=etag)
            )
        except S3Error as exc:
            if exc.code in _MISSING_CODES or exc.code == "PreconditionFailed":
                return None
            raise
        sealed = self._stat(final_key)
        # Some S3 servers ignore the copy condition; a single-part copy keeps the ETag.
        if sealed is None or _bare(sealed.etag) != _bare(etag):
            self._client.remove_object(self.bucket, final_key)
            return None
        self._client.remove_object(self.bucket, upload_key)
        return sealed

    async def download_to(self, key: str, target: Path) -> None:
        validate_key(key)
        await asyncio.to_thread(self._download_to, key, target)

    def _download_to(self, key: str, target: Path) -> None:
        try:
            self._client.fget_object(self.bucket, key, str(target))
        except S3Error as exc:
            if exc.code in _MISSING_CODES:
                raise object_not_found(key) from exc
            raise

    async def upload_from(self, source: Path, key: str, *, content_type: str) -> ObjectInfo:
        validate_key(key)
        await asyncio.to_thread(
            self._client.fput_object, self.bucket, key, str(source), content_type=content_type
        )
        info = await self.stat(key)
        if info is None:
            raise object_not_found(key)
        return info

    async def delete(self, key: str) -> None:
        validate_key(key)
        await asyncio.to_thread(self._client.remove_object, self.bucket, key)

    async def ensure_ready(self) -> None:
        await asyncio.to_thread(self._ensure_bucket)

    def _ensure_bucket(self) -> None:
        try:
            if not self._client.bucket_exists(self.bucket):
                self._client.make_bucket(self.bucket, location=self._region)
        except S3Error as exc:
            if exc.code == "BucketAlreadyOwnedByYou":
                return  # another worker created it between our check and our create
            raise StorageUnavailableError(
                f"object storage bucket {self.bucket!r} is not usable: {exc}"
            ) from exc
        except (MinioException, urllib3.exceptions.HTTPError) as exc:
            raise StorageUnavailableError(
                f"object storage bucket {self.bucket!r} is not usable: {exc}"
            ) from exc
