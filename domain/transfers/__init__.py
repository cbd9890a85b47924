"""Transfers (组织关系转接): the workflow's states, who may move them, what holds a transfer,
the letter's rules, the queues' deadlines and the 流动党员活动证. Pure rules, no I/O."""

from domain.transfers.eligibility import (
    DuesHold,
    check_member,
    dues_hold,
    probation_end,
    require_no_hold,
)
from domain.transfers.letter import (
    LetterFace,
    code_matches,
    formal_year_month,
    letter_number,
    verification_code,
)
from domain.transfers.messages import MESSAGES
from domain.transfers.mobile import (
    HostEntryKind,
    check_host_entry,
    check_open,
    check_period,
    six_months_after,
)
from domain.transfers.queues import Deadlines, deadlines
from domain.transfers.workflow import (
    OPEN_STATES,
    Action,
    Move,
    TransferKind,
    TransferReason,
    TransferState,
    move,
    state_refused,
)

__all__ = [
    "MESSAGES",
    "OPEN_STATES",
    "Action",
    "Deadlines",
    "DuesHold",
    "HostEntryKind",
    "LetterFace",
    "Move",
    "TransferKind",
    "TransferReason",
    "TransferState",
    "check_host_entry",
    "check_member",
    "check_open",
    "check_period",
    "code_matches",
    "deadlines",
    "dues_hold",
    "formal_year_month",
    "letter_number",
    "move",
    "probation_end",
    "require_no_hold",
    "six_months_after",
    "state_refused",
    "verification_code",
]
