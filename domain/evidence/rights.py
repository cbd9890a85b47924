"""Who may do what with an activity's evidence.

Staff act through `evidence:*` in the domain of an organization the activity counts for
(deleting: the organizer's); members who see the activity (the activities context decides
that: their organization or an ancestor takes part, or they are expected) may read and add.
The caller's grants and visibility come in as plain answers; no I/O here.
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.evidence.lifecycle import EvidenceStatus


@dataclass(frozen=True, slots=True)
class EvidenceRights:
    """What one caller may do with one activity's evidence."""

    can_read: bool
    can_upload: bool
    can_delete: bool
    staff: bool
    """Holds `evidence:upload` as staff: sees and confirms others' pending uploads."""

    def sees(self, status: str, *, mine: bool) -> bool:
        """Pending slots are the uploader's business (and staff's), not every reader's."""
        if mine:
            return True
        return self.staff if status == EvidenceStatus.PENDING else self.can_read

    def may_confirm(self, *, mine: bool) -> bool:
        return mine or self.staff

    def may_delete(self, status: str, *, mine: bool) -> bool:
        """Deleting needs `evidence:delete`; an uploader may withdraw their own pending slot."""
        return self.can_delete or (status == EvidenceStatus.PENDING and mine)


def evidence_rights(
    *,
    member_visible: bool,
    read_anywhere: bool,
    upload_anywhere: bool,
    delete_at_organizer: bool,
) -> EvidenceRights:
    """Combine the caller's member visibility with their staff grants.

    `read_anywhere`/`upload_anywhere`: `evidence:read`/`evidence:upload` in the domain of
    any organization the activity counts for; `delete_at_organizer`: `evidence:delete` in
    the organizer's.
    """
    return EvidenceRights(
        can_read=member_visible or read_anywhere,
        can_upload=member_visible or upload_anywhere,
        can_delete=delete_at_organizer,
        staff=upload_anywhere,
    )
