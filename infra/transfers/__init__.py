"""Transfers adapters (组织关系转接). This package is the context's public module.

Use cases, one module each: `sending` (start, submit, approve or reject, cancel, expire,
the paper receipt), `receiving` (accept or return, through the answer door), `reading`
(either side's view, steps, lists), `marks` (转接中 on the member record), `queues` (to
do, in progress, overdue per tenant), `letters` (the letter and its online check),
`letter_pdf` (the letter printed), `expiry` (the schedule), `mobile` (流动党员活动证),
`hosting` (its host's records), `subscriptions` (党费交至 to the receiving tenant's dues
on acceptance); `common` holds what they share. README "Transfers" says who sees what.
"""

from infra.transfers.common import Who
from infra.transfers.expiry import expire_due, register_schedules
from infra.transfers.hosting import HostEntry, host_entries, record_host_entry
from infra.transfers.letter_pdf import letter_pdf
from infra.transfers.letters import Letter, Verdict, letter_key, letter_of, verify_letter
from infra.transfers.marks import TransferMark, members_in_transfer, transfer_marks
from infra.transfers.mobile import (
    CertificateRequest,
    close_certificate,
    issue_certificate,
    list_certificates,
    read_certificate,
)
from infra.transfers.queues import QueueCounts, queue_counts
from infra.transfers.reading import TransferView, list_transfers, read_transfer, transfer_steps
from infra.transfers.receiving import answer_transfer
from infra.transfers.sending import (
    StartRequest,
    cancel_transfer,
    decide_transfer,
    start_transfer,
    submit_transfer,
)
from infra.transfers.tables import (
    MobileCertificateRow,
    MobileHostEntryRow,
    TransferArrivalRow,
    TransferRow,
    TransferStepRow,
)

__all__ = [
    "CertificateRequest",
    "HostEntry",
    "Letter",
    "MobileCertificateRow",
    "MobileHostEntryRow",
    "QueueCounts",
    "StartRequest",
    "TransferArrivalRow",
    "TransferMark",
    "TransferRow",
    "TransferStepRow",
    "TransferView",
    "Verdict",
    "Who",
    "answer_transfer",
    "cancel_transfer",
    "close_certificate",
    "decide_transfer",
    "expire_due",
    "host_entries",
    "issue_certificate",
    "letter_key",
    "letter_of",
    "letter_pdf",
    "list_certificates",
    "list_transfers",
    "members_in_transfer",
    "queue_counts",
    "read_certificate",
    "read_transfer",
    "record_host_entry",
    "register_schedules",
    "start_transfer",
    "submit_transfer",
    "transfer_marks",
    "transfer_steps",
    "verify_letter",
]
