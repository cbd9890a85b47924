"""Evidence (佐证材料): upload slots, verification of stored objects, downloads.

What the rest of the app may use is re-exported here: the storage it opens at start and
the housekeeping it schedules and the outbox handlers it registers.
"""

from infra.evidence.attached import attached_evidence, documented_activities
from infra.evidence.files import EvidenceFile, copy_evidence, evidence_files
from infra.evidence.schedules import register_schedules
from infra.evidence.storage import open_storage
from infra.evidence.subscriptions import register_relay_handlers

__all__ = [
    "EvidenceFile",
    "attached_evidence",
    "copy_evidence",
    "documented_activities",
    "evidence_files",
    "open_storage",
    "register_relay_handlers",
    "register_schedules",
]
