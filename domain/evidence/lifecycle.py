"""How one file of evidence lives: a pending upload slot, attached once verified, deleted.

The times here are the rules' own: how long an upload or a download link works, and when
a slot nobody confirmed counts as abandoned.
"""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum

from domain.evidence.messages import MESSAGES
from domain.shared.errors import ErrorKind

UPLOAD_URL_TTL = timedelta(minutes=30)
"""How long an upload slot's URL works: enough for 20 MB over a slow mobile link."""
DOWNLOAD_URL_TTL = timedelta(minutes=10)
ABANDONED_AFTER = timedelta(days=7)
"""Slots confirm in the minutes after their URL was used; a week after the URL expired,
nobody is coming back for one."""
ABANDONED_CODE = "upload_abandoned"

CLOSED_ACTIVITY_STATUSES = frozenset({"cancelled", "archived"})
"""Activity statuses (the activities context's) after which nothing more is attached."""


class EvidenceStatus(StrEnum):
    PENDING = "pending"
    ATTACHED = "attached"
    DELETED = "deleted"


def ensure_open_for_evidence(activity_status: str) -> None:
    """A cancelled or archived activity's record is frozen: no new evidence."""
    if activity_status in CLOSED_ACTIVITY_STATUSES:
        raise MESSAGES.error("activity_closed_for_evidence", ErrorKind.CONFLICT)
