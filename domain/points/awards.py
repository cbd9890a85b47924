"""Manual awards and deductions (人工奖扣): proposed by the branch, decided one level up.

Maker–checker: nobody proposes points for themselves, and nobody decides their own
proposal or one for themselves.
"""

from __future__ import annotations

import uuid
from enum import StrEnum

from domain.points.messages import MESSAGES
from domain.shared.errors import ErrorKind, FieldError


class AwardStatus(StrEnum):
    PROPOSED = "proposed"
    APPROVED = "approved"
    REFUSED = "refused"


def check_proposal(
    *, points: int, reason: str, proposer_member_id: uuid.UUID | None, member_id: uuid.UUID
) -> None:
    errors: list[FieldError] = []
    if points == 0:
        errors.append(MESSAGES.field("points", "point_award_points_zero"))
    if not reason.strip():
        errors.append(MESSAGES.field("reason", "point_award_reason_missing"))
    if errors:
        raise MESSAGES.error("point_award_invalid", errors=errors)
    if proposer_member_id == member_id:
        raise MESSAGES.error("point_award_for_self", ErrorKind.FORBIDDEN, code="point_award_own")


def check_decider(
    *,
    status: AwardStatus,
    decider_user_id: uuid.UUID,
    proposed_by: uuid.UUID,
    decider_member_id: uuid.UUID | None,
    member_id: uuid.UUID,
) -> None:
    """Refuses a decided award, one's own proposal and an award for oneself."""
    if status is not AwardStatus.PROPOSED:
        raise MESSAGES.error(
            "point_award_decided", ErrorKind.CONFLICT, code="point_award_decided", status=status
        )
    if decider_user_id == proposed_by or decider_member_id == member_id:
        raise MESSAGES.error("point_award_own", ErrorKind.FORBIDDEN)
