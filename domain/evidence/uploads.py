"""Evidence rules (佐证材料): what may be uploaded to an activity, and whether it arrived intact.

Upload is two steps: the client declares the file (kind, type, size, sha256) and gets a
signed URL; after the upload the server reads what was stored and confirms it. Both steps
are checked here; reading the object and sniffing its type is the storage adapter's job.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from types import MappingProxyType

from domain.evidence.messages import MESSAGES
from domain.shared.errors import DomainError, ErrorKind, FieldError

MIB = 1024 * 1024

JPEG = "image/jpeg"
PNG = "image/png"
WEBP = "image/webp"
HEIC = "image/heic"
HEIF = "image/heif"
PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
DOC = "application/msword"
XLS = "application/vnd.ms-excel"
PPT = "application/vnd.ms-powerpoint"
ZIP = "application/zip"
OLE = "application/x-ole-storage"
TEXT = "text/plain"


class EvidenceKind(StrEnum):
    """会议记录 / 照片 / 签到表 / 其他文件."""

    MINUTES = "minutes"
    PHOTO = "photo"
    SIGNIN_SHEET = "signin_sheet"
    FILE = "file"

    @property
    def label_zh(self) -> str:
        return _KIND_LABELS[self]


_KIND_LABELS = {
    EvidenceKind.MINUTES: "会议记录",
    EvidenceKind.PHOTO: "照片",
    EvidenceKind.SIGNIN_SHEET: "签到表",
    EvidenceKind.FILE: "文件",
}

_IMAGES = frozenset({JPEG, PNG, WEBP, HEIC, HEIF})

DEFAULT_ALLOWED_TYPES: Mapping[EvidenceKind, frozenset[str]] = MappingProxyType(
    {
        EvidenceKind.PHOTO: _IMAGES,
        # Handwritten minutes and paper sign-in sheets are usually photographed.
        EvidenceKind.MINUTES: _IMAGES | {PDF, DOCX, DOC, TEXT},
        EvidenceKind.SIGNIN_SHEET: _IMAGES | {PDF, DOCX, DOC, XLSX, XLS},
        EvidenceKind.FILE: _IMAGES | {PDF, DOCX, DOC, XLSX, XLS, PPTX, PPT, TEXT},
    }
)

_ALIASES = {"image/jpg": JPEG, "image/pjpeg": JPEG, "image/x-png": PNG}

# What a sniffer may answer when it cannot see inside a container: a ZIP that is not
# recognisably Office Open XML, an OLE file whose Office kind is beyond the bytes read.
# Such an answer is consistent with any declared format of that container.
_CONTAINERS = {ZIP: frozenset({DOCX, XLSX, PPTX}), OLE: frozenset({DOC, XLS, PPT})}

# HEIC is a brand of HEIF; phones label the same photo either way.
_SAME = {HEIF: HEIC}

_SHA256 = re.compile(r"[0-9a-fA-F]{64}")


def normalize_content_type(content_type: str) -> str:
    """Lower-case, without parameters (`; charset=…`), with common aliases resolved."""
    bare = content_type.split(";", 1)[0].strip().lower()
    return _ALIASES.get(bare, bare)


@dataclass(frozen=True, slots=True)
class EvidencePolicy:
    """Limits from the tenant settings; the defaults suit phone photos and scanned PDFs."""

    max_file_bytes: int = 20 * MIB
    max_files_per_activity: int = 50
    max_total_bytes_per_activity: int = 500 * MIB
    allowed_types: Mapping[EvidenceKind, frozenset[str]] = field(
        default_factory=lambda: DEFAULT_ALLOWED_TYPES
    )


@dataclass(frozen=True, slots=True)
class EvidenceUpload:
    """What the client declares before uploading one file."""

    kind: EvidenceKind
    content_type: str
    size_bytes: int
    sha256: str


@dataclass(frozen=True, slots=True)
class EvidenceUsage:
    """What the activity already holds (confirmed and pending files)."""

    file_count: int = 0
    total_bytes: int = 0


@dataclass(frozen=True, slots=True)
class StoredObject:
    """What storage reports after the upload; `sniffed_content_type` None = not recognised."""

    size_bytes: int
    sha256: str
    sniffed_content_type: str | None


def validate_upload(
    policy: EvidencePolicy, upload: EvidenceUpload, *, usage: EvidenceUsage
) -> EvidenceUpload:
    """Refuse a declaration that cannot be accepted; return it normalized.

    Problems with the file itself are reported together (422); a full activity is a
    conflict with what is already there (409).
    """
    content_type = normalize_content_type(upload.content_type)
    errors: list[FieldError] = []
    if not _SHA256.fullmatch(upload.sha256):
        errors.append(
            MESSAGES.field("sha256", "evidence_checksum_invalid", code="invalid_checksum")
        )
    if upload.size_bytes <= 0:
        errors.append(MESSAGES.field("size_bytes", "evidence_size_invalid", code="invalid_size"))
    elif upload.size_bytes > policy.max_file_bytes:
        errors.append(
            MESSAGES.field(
                "size_bytes",
                "evidence_file_too_large",
                code="too_large",
                limit=_mib(policy.max_file_bytes),
            )
        )
    if content_type not in policy.allowed_types.get(upload.kind, frozenset()):
        errors.append(
            MESSAGES.field(
                "content_type",
                "evidence_type_not_allowed",
                code="content_type_not_allowed",
                label=upload.kind.label_zh,
                kind=upload.kind.value,
            )
        )
    if errors:
        raise DomainError(code=errors[0].code, message=errors[0].message, errors=errors)
    if usage.file_count + 1 > policy.max_files_per_activity:
        raise MESSAGES.error(
            "evidence_too_many_files",
            ErrorKind.CONFLICT,
            code="too_many_files",
            limit=policy.max_files_per_activity,
        )
    if usage.total_bytes + upload.size_bytes > policy.max_total_bytes_per_activity:
        raise MESSAGES.error(
            "evidence_total_too_large",
            ErrorKind.CONFLICT,
            code="too_large",
            limit=_mib(policy.max_total_bytes_per_activity),
        )
    return replace(upload, content_type=content_type, sha256=upload.sha256.lower())


def validate_confirmation(
    policy: EvidencePolicy, declared: EvidenceUpload, stored: StoredObject
) -> None:
    """Refuse a stored object that is not the file declared, or not a type we accept.

    The sniffed type decides. Where the sniffer could only name the container (a ZIP or
    OLE file) the declared Office format inside it is taken; an unrecognised object
    (sniffed None) is refused as not matching, since it is not what was declared.
    """
    if stored.size_bytes != declared.size_bytes:
        raise MESSAGES.error("evidence_size_mismatch", code="size_mismatch")
    if stored.sha256.lower() != declared.sha256.lower():
        raise MESSAGES.error("evidence_checksum_mismatch", code="checksum_mismatch")
    declared_type = normalize_content_type(declared.content_type)
    effective = _effective_type(declared_type, stored.sniffed_content_type)
    if effective is not None and effective not in policy.allowed_types.get(
        declared.kind, frozenset()
    ):
        raise MESSAGES.error(
            "evidence_type_not_allowed",
            code="content_type_not_allowed",
            label=declared.kind.label_zh,
            kind=declared.kind.value,
        )
    if effective != declared_type:
        raise MESSAGES.error("evidence_type_mismatch", code="content_type_mismatch")


def clean_filename(name: str) -> str:
    """The last path segment, without control characters; a download name, never a key."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(ch for ch in base if ch.isprintable()).strip()
    if not cleaned or cleaned in {".", ".."}:
        raise MESSAGES.error(
            "evidence_filename_invalid",
            code="validation_failed",
            errors=[MESSAGES.field("filename", "evidence_filename_invalid", code="invalid")],
        )
    return cleaned[:255]


def _effective_type(declared: str, sniffed: str | None) -> str | None:
    """The type the content really has, as far as sniffing can tell; None if unknown."""
    if sniffed is None:
        return None
    actual = normalize_content_type(sniffed)
    if declared in _CONTAINERS.get(actual, frozenset()):
        return declared
    if _SAME.get(actual, actual) == _SAME.get(declared, declared):
        return declared
    return actual


def _mib(size: int) -> str:
    return f"{size / MIB:g} MB"
