"""Object storage (对象存储) for evidence files: one port, S3/MinIO and local adapters."""

from infra.storage.exif import PhotoMetadata, read_photo_metadata
from infra.storage.local import LocalDownload, LocalStorage, SignedGrant
from infra.storage.port import (
    HEAD_BYTES,
    ObjectInfo,
    ObjectStorage,
    PresignedRequest,
    StorageUnavailableError,
    content_disposition,
    validate_key,
)
from infra.storage.s3 import S3Storage
from infra.storage.sniff import EXECUTABLE_TYPES, detect_content_type

__all__ = [
    "EXECUTABLE_TYPES",
    "HEAD_BYTES",
    "LocalDownload",
    "LocalStorage",
    "ObjectInfo",
    "ObjectStorage",
    "PhotoMetadata",
    "PresignedRequest",
    "S3Storage",
    "SignedGrant",
    "StorageUnavailableError",
    "content_disposition",
    "detect_content_type",
    "read_photo_metadata",
    "validate_key",
]
