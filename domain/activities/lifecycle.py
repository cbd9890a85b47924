"""Activity status (活动状态) and the only moves allowed between statuses."""

from __future__ import annotations

from enum import StrEnum

from domain.activities.messages import MESSAGES
from domain.shared.errors import ErrorKind


class ActivityStatus(StrEnum):
    """planned → ongoing → finished → archived; planned or ongoing → cancelled (with a reason).

    Archived freezes the record (attendance, evidence) for reports; cancelled never counts
    towards the compliance calendar.
    """

    PLANNED = "planned"
    ONGOING = "ongoing"
    FINISHED = "finished"
    ARCHIVED = "archived"
    CANCELLED = "cancelled"

    @property
    def label_zh(self) -> str:
        return _LABELS_ZH[self]

    @property
    def counts_as_held(self) -> bool:
        """Only an activity that actually took place counts as held."""
        return self in (ActivityStatus.FINISHED, ActivityStatus.ARCHIVED)


_LABELS_ZH: dict[ActivityStatus, str] = {
    ActivityStatus.PLANNED: "计划中",
    ActivityStatus.ONGOING: "进行中",
    ActivityStatus.FINISHED: "已结束",
    ActivityStatus.ARCHIVED: "已归档",
    ActivityStatus.CANCELLED: "已取消",
}

_TRANSITIONS: dict[ActivityStatus, frozenset[ActivityStatus]] = {
    ActivityStatus.PLANNED: frozenset({ActivityStatus.ONGOING, ActivityStatus.CANCELLED}),
    ActivityStatus.ONGOING: frozenset({ActivityStatus.FINISHED, ActivityStatus.CANCELLED}),
    ActivityStatus.FINISHED: frozenset({ActivityStatus.ARCHIVED}),
    ActivityStatus.ARCHIVED: frozenset(),
    ActivityStatus.CANCELLED: frozenset(),
}


def allowed_transitions(current: ActivityStatus) -> frozenset[ActivityStatus]:
    return _TRANSITIONS[current]


def change_status(
    current: ActivityStatus, target: ActivityStatus, *, reason: str | None = None
) -> ActivityStatus:
    """Return `target` if the move is allowed; a cancellation must say why (kept for audit)."""
    if target not in _TRANSITIONS[current]:
        raise MESSAGES.error(
            "activity_invalid_transition",
            ErrorKind.CONFLICT,
            code="invalid_transition",
            current=current.label_zh,
            target=target.label_zh,
            current_code=current.value,
            target_code=target.value,
        )
    if target is ActivityStatus.CANCELLED and not (reason and reason.strip()):
        raise MESSAGES.error(
            "cancel_reason_required",
            ErrorKind.INVALID,
            errors=[MESSAGES.field("reason", "cancel_reason_required", code="required")],
        )
    return target
