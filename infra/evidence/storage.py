"""Which object storage the app uses: S3/MinIO when `S3_ENDPOINT` is set, else local files."""

from __future__ import annotations

import logging

from infra.settings import Settings
from infra.storage import LocalStorage, ObjectStorage, S3Storage, StorageUnavailableError

log = logging.getLogger(__name__)

LOCAL_OBJECTS_PATH = "/api/v1/storage/objects"
"""Where the API serves the local adapter's signed upload and download URLs."""


def storage_from_settings(settings: Settings) -> ObjectStorage:
    """The configured adapter.

    Local URLs are absolute when `ZHIBU_PUBLIC_URL` is set; otherwise they are
    root-relative and the API completes them with the address the caller used, which is
    right for a single server on any port (the signature does not cover the host).
    """
    if settings.s3_endpoint:
        if not settings.s3_access_key or settings.s3_secret_key is None:
            raise RuntimeError("S3_ENDPOINT is set but S3_ACCESS_KEY or S3_SECRET_KEY is missing")
        return S3Storage(
            endpoint=settings.s3_endpoint,
            access_key=settings.s3_access_key,
            secret_key=settings.s3_secret_key.get_secret_value(),
            bucket=settings.s3_bucket,
            region=settings.s3_region,
            secure=settings.s3_secure,
            public_endpoint=settings.s3_public_endpoint,
        )
    base = settings.public_base_url.rstrip("/") if settings.public_base_url else ""
    return LocalStorage(
        settings.data_dir / "objects",
        base_url=base + LOCAL_OBJECTS_PATH,
        secret=settings.secret_bytes("storage_secret"),
    )


async def open_storage(settings: Settings) -> ObjectStorage:
    """The adapter, with its bucket or directory created when storage is reachable.

    Unreachable storage does not stop the API from starting: `/ready` reports it, and
    evidence requests fail until it is back.
    """
    storage = storage_from_settings(settings)
    try:
        await storage.ensure_ready()
    except StorageUnavailableError as exc:
        log.warning("object storage is not ready: %s", exc)
    return storage
