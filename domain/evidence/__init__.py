"""Evidence (佐证材料) of activities: what may be uploaded, whether it arrived intact, who
may see and remove it, how a slot lives. Pure rules, no I/O; facts about the activity
(its status, its time and place, whether the caller sees it) come in as plain values."""

from domain.evidence.lifecycle import (
    ABANDONED_AFTER,
    ABANDONED_CODE,
    DOWNLOAD_URL_TTL,
    UPLOAD_URL_TTL,
    EvidenceStatus,
    ensure_open_for_evidence,
)
from domain.evidence.photos import PhotoHint, photo_hint
from domain.evidence.rights import EvidenceRights, evidence_rights
from domain.evidence.uploads import (
    DEFAULT_ALLOWED_TYPES,
    EvidenceKind,
    EvidencePolicy,
    EvidenceUpload,
    EvidenceUsage,
    StoredObject,
    clean_filename,
    normalize_content_type,
    validate_confirmation,
    validate_upload,
)

__all__ = [
    "ABANDONED_AFTER",
    "ABANDONED_CODE",
    "DEFAULT_ALLOWED_TYPES",
    "DOWNLOAD_URL_TTL",
    "UPLOAD_URL_TTL",
    "EvidenceKind",
    "EvidencePolicy",
    "EvidenceRights",
    "EvidenceStatus",
    "EvidenceUpload",
    "EvidenceUsage",
    "PhotoHint",
    "StoredObject",
    "clean_filename",
    "ensure_open_for_evidence",
    "evidence_rights",
    "normalize_content_type",
    "photo_hint",
    "validate_confirmation",
    "validate_upload",
]
