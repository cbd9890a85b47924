"""Dues adapters (党费). This package is the context's public module: other modules import
from here, never from its modules.

Use cases, one module each: `standards` (versions in force, publishing, the calculator),
`bases` (dues bases, maker–checker), `reliefs` (reductions and exemptions approved by the
next level), `bill_runs` (the monthly bills and their charges, idempotent) and `bill_job`
(as a job and a schedule), `bills` (bills and a member's account), `carried` (党费交至
brought by a transfer from another tenant), `exceptions` (back payment beyond six
months); `seats` says where a member sits, `visibility` what a caller's lists show;
`providers` holds the payment providers behind the payment port (the `sandbox`, shaped
like WeChat Pay API v3).

Payments: `payments` (start one, bills held), `prepay` (bills of months paid ahead),
`callbacks` (a provider's notification: verified, stored, applied), `settlement` (the one
transaction that settles), `payment_query` (the order-query fallback job), `refunds` (a
double payment's credit, booked by `entry_month`), `receipts` and
`receipt_render` (HTML and PDF), `reconciliations` (a day's statement beside the ledger);
`payment_services` builds the providers.

Reporting: `arrears` (members in arrears and the daily scan raising warnings once per
episode), `voluntary` (voluntary payments), `close` (the monthly close; `entry_month` is
the month any writer of the ledger books an entry in), `summary` and `summary_export`
(figures per month and organization, and the xlsx).
"""

from infra.dues.arrears import (
    ArrearsFilter,
    MemberArrears,
    list_arrears,
    register_arrears_scan,
    scan_every_tenant,
    scan_tenant,
)
from infra.dues.bases import Declaration, decide_base, declare_base, list_bases
from infra.dues.bill_job import JOB_KIND, bill_every_tenant, queue_bill_run, register_jobs
from infra.dues.bill_runs import generate_bills
from infra.dues.bills import BillFilter, DuesAccount, list_bills, member_account
from infra.dues.callbacks import receive_notification
from infra.dues.clock import today
from infra.dues.close import (
    close_month,
    defer_bill,
    entry_month,
    get_month,
    list_months,
    list_reports,
    month_status,
    open_month,
    report_month,
    require_not_closed,
)
from infra.dues.exceptions import record_exception
from infra.dues.payment_query import register_queries
from infra.dues.payment_services import PaymentServices, open_payments
from infra.dues.payments import StartedPayment, payable_bill, read_payment, start_payment
from infra.dues.providers.sandbox import SandboxPlatform, SandboxProvider
from infra.dues.providers.sandbox_callbacks import SandboxCallbacks
from infra.dues.receipt_render import receipt_html, receipt_pdf
from infra.dues.receipts import receipt_of_bill
from infra.dues.reconciliations import (
    Reconciliation,
    get_reconciliation,
    import_statement,
    list_reconciliations,
    resolve_difference,
)
from infra.dues.refunds import refund_credit, refundable
from infra.dues.reliefs import Proposal, decide_relief, list_reliefs, propose_relief
from infra.dues.standards import (
    Calculation,
    PublishedStandard,
    calculate,
    list_standards,
    publish_standard,
    standards_chain,
)
from infra.dues.summary import OrganizationFigures, Summary, organization_figures, summarize
from infra.dues.summary_export import render_xlsx, summary_book
from infra.dues.tables import (
    BackPaymentExceptionRow,
    DuesBaseRow,
    DuesBillRow,
    DuesBranchReportRow,
    DuesDeferralRow,
    DuesMonthRow,
    DuesReceiptRow,
    DuesReconciliationRow,
    DuesReliefRow,
    DuesVoluntaryPaymentRow,
)
from infra.dues.voluntary import VoluntaryFilter, list_voluntary, record_voluntary

__all__ = [
    "JOB_KIND",
    "ArrearsFilter",
    "BackPaymentExceptionRow",
    "BillFilter",
    "Calculation",
    "Declaration",
    "DuesAccount",
    "DuesBaseRow",
    "DuesBillRow",
    "DuesBranchReportRow",
    "DuesDeferralRow",
    "DuesMonthRow",
    "DuesReceiptRow",
    "DuesReconciliationRow",
    "DuesReliefRow",
    "DuesVoluntaryPaymentRow",
    "MemberArrears",
    "OrganizationFigures",
    "PaymentServices",
    "Proposal",
    "PublishedStandard",
    "Reconciliation",
    "SandboxCallbacks",
    "SandboxPlatform",
    "SandboxProvider",
    "StartedPayment",
    "Summary",
    "VoluntaryFilter",
    "bill_every_tenant",
    "calculate",
    "close_month",
    "decide_base",
    "decide_relief",
    "declare_base",
    "defer_bill",
    "entry_month",
    "generate_bills",
    "get_month",
    "get_reconciliation",
    "import_statement",
    "list_arrears",
    "list_bases",
    "list_bills",
    "list_months",
    "list_reconciliations",
    "list_reliefs",
    "list_reports",
    "list_standards",
    "list_voluntary",
    "member_account",
    "month_status",
    "open_month",
    "open_payments",
    "organization_figures",
    "payable_bill",
    "propose_relief",
    "publish_standard",
    "queue_bill_run",
    "read_payment",
    "receipt_html",
    "receipt_of_bill",
    "receipt_pdf",
    "receive_notification",
    "record_exception",
    "record_voluntary",
    "refund_credit",
    "refundable",
    "register_arrears_scan",
    "register_jobs",
    "register_queries",
    "render_xlsx",
    "report_month",
    "require_not_closed",
    "resolve_difference",
    "scan_every_tenant",
    "scan_tenant",
    "standards_chain",
    "start_payment",
    "summarize",
    "summary_book",
    "today",
]
