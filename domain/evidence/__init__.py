"""Evidence (佐证材料) of activities: what may be uploaded, whether it arrived intact, who
may see and remove it. Pure rules, no I/O; activity facts come in as plain values."""

from domain.evidence.uploads import (
    DEFAULT_ALLOWED_TYPES,
    EvidenceKind,
    EvidencePolicy,
    EvidenceUpload,
    EvidenceUsage,
    StoredObject,
    normalize_content_type,
    validate_confirmation,
    validate_upload,
)

__all__ = [
    "DEFAULT_ALLOWED_TYPES",
    "EvidenceKind",
    "EvidencePolicy",
    "EvidenceUpload",
    "EvidenceUsage",
    "StoredObject",
    "normalize_content_type",
    "validate_confirmation",
    "validate_upload",
]
