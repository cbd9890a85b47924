"""SQLModel mappings of the dues tables (the schema comes from migrations 0033, 0036–0038
and 0053)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Column
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.types import DateTime
from sqlmodel import Field, SQLModel


def _tz() -> Any:
    return Field(default=None, sa_type=DateTime(timezone=True))


def _now() -> Any:
    return Field(default_factory=lambda: datetime.now(UTC), sa_type=DateTime(timezone=True))


class DuesStandardRow(SQLModel, table=True):
    """One version of a tenant's dues standard (交纳标准); never changed once published."""

    __tablename__ = "dues_standard"
    tenant_id: uuid.UUID = Field(primary_key=True)
    id: uuid.UUID = Field(primary_key=True)
    name: str
    effective_from: date
    rules: dict[str, Any] = Field(sa_column=Column(JSONB, nullable=False))
    created_by: uuid.UUID
    created_at: datetime = _now()


class DuesBaseRow(SQLModel, table=True):
    """A member's declared dues base (党费基数) and its approval."""

    __tablename__ = "dues_base"
    tenant_id: uuid.UUID = Field(primary_key=True)
    id: uuid.UUID = Field(primary_key=True)
    member_id: uuid.UUID
    organization_id: uuid.UUID
    category: str
    income_kind: str | None = None
    monthly_income_fen: int | None = None
    effective_from: date
    status: str
    note: str | None = None
    declared_by: uuid.UUID
    declared_at: datetime = _now()
    decided_by: uuid.UUID | None = None
    decided_at: datetime | None = _tz()


class DuesReliefRow(SQLModel, table=True):
    """A hardship reduction or exemption (减免) proposed by the branch."""

    __tablename__ = "dues_relief"
    tenant_id: uuid.UUID = Field(primary_key=True)
    id: uuid.UUID = Field(primary_key=True)
    member_id: uuid.UUID
    organization_id: uuid.UUID
    kind: str
    monthly_amount_fen: int | None = None
    from_month: date
    to_month: date
    reason: str
    status: str
    proposed_by: uuid.UUID
    proposed_at: datetime = _now()
    decided_by: uuid.UUID | None = None
    decided_at: datetime | None = _tz()
    decision_note: str | None = None


class BackPaymentExceptionRow(SQLModel, table=True):
    """An administrator's exception to the six-month limit on back payment (补交)."""

    __tablename__ = "dues_back_payment_exception"
    tenant_id: uuid.UUID = Field(primary_key=True)
    id: uuid.UUID = Field(primary_key=True)
    member_id: uuid.UUID
    from_month: date
    reason: str
    recorded_by: uuid.UUID
    recorded_at: datetime = _now()


class DuesBillRow(SQLModel, table=True):
    """One member's dues for one month (缴费单)."""

    __tablename__ = "dues_bill"
    tenant_id: uuid.UUID = Field(primary_key=True)
    id: uuid.UUID = Field(primary_key=True)
    member_id: uuid.UUID
    organization_id: uuid.UUID
    month: date
    standard_fen: int
    amount_fen: int
    status: str
    back_payment: bool
    rule: dict[str, Any] = Field(sa_column=Column(JSONB, nullable=False))
    created_at: datetime = _now()


class DuesLedgerEntryRow(SQLModel, table=True):
    """One movement of the append-only dues ledger (党费台账), in fen."""

    __tablename__ = "dues_ledger_entry"
    tenant_id: uuid.UUID = Field(primary_key=True)
    id: uuid.UUID = Field(primary_key=True)
    member_id: uuid.UUID
    organization_id: uuid.UUID
    bill_id: uuid.UUID | None = None
    month: date
    kind: str
    amount_fen: int
    recorded_by: uuid.UUID | None = None
    recorded_at: datetime = _now()


class DuesPaymentRow(SQLModel, table=True):
    """One order with a payment provider (网上缴费订单); schema from migration 0036."""

    __tablename__ = "dues_payment"
    tenant_id: uuid.UUID = Field(primary_key=True)
    id: uuid.UUID = Field(primary_key=True)
    member_id: uuid.UUID
    organization_id: uuid.UUID
    provider: str
    out_trade_no: str
    amount_fen: int
    currency: str
    status: str
    transaction_id: str | None = None
    credit_fen: int = 0
    refunded_fen: int = 0
    prepay: dict[str, Any] = Field(sa_column=Column(JSONB, nullable=False))
    created_by: uuid.UUID
    created_at: datetime = _now()
    expires_at: datetime = Field(sa_type=DateTime(timezone=True))
    settled_at: datetime | None = _tz()
    closed_at: datetime | None = _tz()


class DuesPaymentBillRow(SQLModel, table=True):
    """A bill a payment pays; `settled` False when it was paid already (a credit)."""

    __tablename__ = "dues_payment_bill"
    tenant_id: uuid.UUID = Field(primary_key=True)
    payment_id: uuid.UUID = Field(primary_key=True)
    bill_id: uuid.UUID = Field(primary_key=True)
    month: date
    amount_fen: int
    settled: bool | None = None


class DuesBillHoldRow(SQLModel, table=True):
    """A bill frozen while a payment of it is in flight."""

    __tablename__ = "dues_bill_hold"
    tenant_id: uuid.UUID = Field(primary_key=True)
    bill_id: uuid.UUID = Field(primary_key=True)
    payment_id: uuid.UUID


class DuesPaymentNotificationRow(SQLModel, table=True):
    """A verified provider notification as it came, and what applying it did."""

    __tablename__ = "dues_payment_notification"
    tenant_id: uuid.UUID = Field(primary_key=True)
    id: uuid.UUID = Field(primary_key=True)
    provider: str
    notification_id: str
    out_trade_no: str
    transaction_id: str | None = None
    trade_state: str
    amount_fen: int
    currency: str
    headers: dict[str, Any] = Field(sa_column=Column(JSONB, nullable=False))
    body: str
    received_at: datetime = _now()
    outcome: str | None = None
    applied_at: datetime | None = _tz()


class DuesReceiptRow(SQLModel, table=True):
    """The receipt (党费收据) of one paid bill, numbered from `dues_receipt_number`."""

    __tablename__ = "dues_receipt"
    tenant_id: uuid.UUID = Field(primary_key=True)
    id: uuid.UUID = Field(primary_key=True)
    number: str
    bill_id: uuid.UUID
    payment_id: uuid.UUID
    member_id: uuid.UUID
    organization_id: uuid.UUID
    month: date
    amount_fen: int
    issued_at: datetime = _now()


class DuesReconciliationRow(SQLModel, table=True):
    """A provider's statement of a day, imported and matched with the ledger (对账)."""

    __tablename__ = "dues_reconciliation"
    tenant_id: uuid.UUID = Field(primary_key=True)
    id: uuid.UUID = Field(primary_key=True)
    provider: str
    day: date
    statement: str
    statement_rows: int
    matched: int
    differences: int
    imported_by: uuid.UUID
    imported_at: datetime = _now()


class DuesReconciliationItemRow(SQLModel, table=True):
    """One difference a reconciliation found, open until resolved with a note."""

    __tablename__ = "dues_reconciliation_item"
    tenant_id: uuid.UUID = Field(primary_key=True)
    id: uuid.UUID = Field(primary_key=True)
    reconciliation_id: uuid.UUID
    kind: str
    out_trade_no: str
    transaction_id: str | None = None
    statement_fen: int | None = None
    ledger_fen: int | None = None
    payment_id: uuid.UUID | None = None
    resolution: str | None = None
    resolved_by: uuid.UUID | None = None
    resolved_at: datetime | None = _tz()


class DuesMonthFigureRow(SQLModel, table=True):
    """What the ledger says of one organization's month, kept by a trigger on the ledger
    (migration 0038): the application only reads it."""

    __tablename__ = "dues_month_figure"
    tenant_id: uuid.UUID = Field(primary_key=True)
    organization_id: uuid.UUID = Field(primary_key=True)
    month: date = Field(primary_key=True)
    bills: int
    charged_fen: int
    relieved_fen: int
    collected_fen: int
    refunded_fen: int
    open_bills: int


class DuesTenantMonthFigureRow(SQLModel, table=True):
    """The same figures per tenant and month, in sixteen stripes by organization, kept by
    the same trigger (migration 0063): a tenant subtree's summary reads these."""

    __tablename__ = "dues_tenant_month_figure"
    tenant_id: uuid.UUID = Field(primary_key=True)
    month: date = Field(primary_key=True)
    stripe: int = Field(primary_key=True)
    bills: int
    charged_fen: int
    relieved_fen: int
    collected_fen: int
    refunded_fen: int
    open_bills: int


class DuesOpenBillRow(SQLModel, table=True):
    """A bill that still owes (kept by the ledger's trigger with the figures)."""

    __tablename__ = "dues_open_bill"
    tenant_id: uuid.UUID = Field(primary_key=True)
    bill_id: uuid.UUID = Field(primary_key=True)
    member_id: uuid.UUID
    organization_id: uuid.UUID
    month: date


class DuesArrearsNoticeRow(SQLModel, table=True):
    """An arrears level raised for a member (欠交提醒 at 3 months, flagged at 6), open
    until the member falls below it."""

    __tablename__ = "dues_arrears_notice"
    tenant_id: uuid.UUID = Field(primary_key=True)
    id: uuid.UUID = Field(primary_key=True)
    member_id: uuid.UUID
    organization_id: uuid.UUID
    level: str
    overdue_months: int
    consecutive_months: int
    first_overdue: date
    raised_at: datetime = _now()
    ended_at: datetime | None = _tz()


class DuesVoluntaryPaymentRow(SQLModel, table=True):
    """A voluntary extra payment (自愿多交党费); append-only."""

    __tablename__ = "dues_voluntary_payment"
    tenant_id: uuid.UUID = Field(primary_key=True)
    id: uuid.UUID = Field(primary_key=True)
    member_id: uuid.UUID
    organization_id: uuid.UUID
    month: date
    amount_fen: int
    to_centre: bool
    note: str | None = None
    recorded_by: uuid.UUID
    recorded_at: datetime = _now()


class DuesMonthRow(SQLModel, table=True):
    """A tenant's dues month (月度结算): opened with its bills snapshotted, closed with its
    figures final."""

    __tablename__ = "dues_month"
    tenant_id: uuid.UUID = Field(primary_key=True)
    id: uuid.UUID = Field(primary_key=True)
    month: date
    status: str
    opened_bills: int
    opened_due_fen: int
    opened_by: uuid.UUID
    opened_at: datetime = _now()
    closed_bills: int | None = None
    closed_due_fen: int | None = None
    closed_collected_fen: int | None = None
    closed_open_bills: int | None = None
    closed_by: uuid.UUID | None = None
    closed_at: datetime | None = _tz()


class DuesBranchReportRow(SQLModel, table=True):
    """An organization's report of a month (支部上报), with its figures then."""

    __tablename__ = "dues_branch_report"
    tenant_id: uuid.UUID = Field(primary_key=True)
    id: uuid.UUID = Field(primary_key=True)
    month_id: uuid.UUID
    organization_id: uuid.UUID
    bills: int
    due_fen: int
    collected_fen: int
    deferred_bills: int
    reported_by: uuid.UUID
    reported_at: datetime = _now()


class DuesDeferralRow(SQLModel, table=True):
    """A bill deferred with a reason (缓交), so its branch may report the month."""

    __tablename__ = "dues_deferral"
    tenant_id: uuid.UUID = Field(primary_key=True)
    id: uuid.UUID = Field(primary_key=True)
    bill_id: uuid.UUID
    reason: str
    recorded_by: uuid.UUID
    recorded_at: datetime = _now()


class DuesCarriedInRow(SQLModel, table=True):
    """党费交至 a member brought from another tenant with their transfer: the months to it
    were paid (and stay booked) there, so this tenant bills from the month after."""

    __tablename__ = "dues_carried_in"
    tenant_id: uuid.UUID = Field(primary_key=True)
    member_id: uuid.UUID = Field(primary_key=True)
    paid_to: date
    transfer_id: uuid.UUID
    from_tenant_id: uuid.UUID
    recorded_at: datetime = _now()
