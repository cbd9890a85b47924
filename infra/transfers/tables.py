"""SQLModel mappings of the transfers context (组织关系转接, schema from migrations 0046
and 0052).

`transfer` is the sending tenant's record, `transfer_arrival` the receiving tenant's
envelope (the letter's member fields only), `transfer_step` each side's append-only
history; README "Transfers" says who sees which and how a row crosses tenants.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Column, LargeBinary
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.types import DateTime
from sqlmodel import Field, SQLModel


def _now() -> Any:
    return Field(default_factory=lambda: datetime.now(UTC), sa_type=DateTime(timezone=True))


def _tz() -> Any:
    return Field(default=None, sa_type=DateTime(timezone=True))


class TransferRow(SQLModel, table=True):
    """组织关系转接: the whole case, kept by the sending tenant."""

    __tablename__ = "transfer"
    tenant_id: uuid.UUID = Field(primary_key=True)
    id: uuid.UUID = Field(primary_key=True)
    member_id: uuid.UUID
    kind: str
    reason: str
    reason_note: str | None = None
    state: str
    from_organization_id: uuid.UUID
    from_tenant_name: str
    from_organization_name: str
    to_tenant_id: uuid.UUID | None = None
    to_organization_id: uuid.UUID | None = None
    to_tenant_name: str | None = None
    to_organization_name: str
    approvals_required: int
    approvals_done: int = 0
    started_by: uuid.UUID
    started_by_name: str
    started_at: datetime = _now()
    updated_at: datetime = _now()
    sent_at: datetime | None = _tz()
    closed_at: datetime | None = _tz()
    hold: dict[str, Any] | None = Field(default=None, sa_column=Column(JSONB))
    letter_number: int | None = None
    letter_issued_on: date | None = None
    validity_days: int
    expires_at: datetime | None = _tz()
    member_name: str
    member_gender: str
    member_birth_date: date
    member_ethnicity: str | None = None
    member_status: str
    member_id_number_enc: bytes = Field(sa_type=LargeBinary)
    member_id_number_masked: str
    member_phone_enc: bytes | None = Field(default=None, sa_type=LargeBinary)
    member_phone_masked: str | None = None
    dues_paid_to: date | None = None
    points_carried: int | None = None
    sender_contact: dict[str, Any] | None = Field(default=None, sa_column=Column(JSONB))
    receipt_note: str | None = None
    new_member_id: uuid.UUID | None = None
    version: int = 1


class TransferArrivalRow(SQLModel, table=True):
    """The receiving tenant's envelope of a transfer: what the letter says, nothing more.

    Written only by `zhibu_transfer_deliver` and the other doors, never by the app role
    except its own state change on acceptance or return."""

    __tablename__ = "transfer_arrival"
    tenant_id: uuid.UUID = Field(primary_key=True)
    id: uuid.UUID = Field(primary_key=True)
    from_tenant_id: uuid.UUID
    from_tenant_name: str
    from_organization_name: str
    to_organization_id: uuid.UUID
    to_organization_name: str
    kind: str
    reason: str
    state: str
    letter_number: int
    letter_issued_on: date
    validity_days: int
    expires_at: datetime = Field(sa_type=DateTime(timezone=True))
    member_name: str
    member_gender: str
    member_birth_date: date
    member_ethnicity: str | None = None
    member_status: str
    member_id_number_masked: str
    member_phone_masked: str | None = None
    dues_paid_to: date | None = None
    points_carried: int | None = None
    new_member_id: uuid.UUID | None = None
    sent_at: datetime = Field(sa_type=DateTime(timezone=True))
    updated_at: datetime = _now()


class TransferStepRow(SQLModel, table=True):
    """One step of a transfer's history on one side (append-only: who, when, why)."""

    __tablename__ = "transfer_step"
    tenant_id: uuid.UUID = Field(primary_key=True)
    id: uuid.UUID = Field(primary_key=True)
    transfer_id: uuid.UUID
    side: str
    action: str
    from_state: str | None = None
    to_state: str
    level: int | None = None
    actor_id: uuid.UUID | None = None
    actor_name: str | None = None
    reason: str | None = None
    at: datetime = _now()


class MobileCertificateRow(SQLModel, table=True):
    """流动党员活动证: a member away at most six months, attending at a host organization.

    The host's tenant reads the row too (a read-only policy of migration 0052), so it holds
    of the member only what the card shows, snapshotted at issue."""

    __tablename__ = "mobile_certificate"
    tenant_id: uuid.UUID = Field(primary_key=True)
    id: uuid.UUID = Field(primary_key=True)
    member_id: uuid.UUID
    organization_id: uuid.UUID
    number: int
    host_tenant_id: uuid.UUID | None = None
    host_organization_id: uuid.UUID | None = None
    host_organization_name: str
    valid_from: date
    valid_until: date
    reason: str | None = None
    state: str
    issued_by: uuid.UUID
    issued_by_name: str
    issued_at: datetime = _now()
    closed_by_name: str | None = None
    closed_at: datetime | None = _tz()
    close_note: str | None = None
    member_name: str
    member_gender: str
    member_status: str
    member_phone_masked: str | None = None
    from_tenant_name: str
    from_organization_name: str


class MobileHostEntryRow(SQLModel, table=True):
    """What the host organization records of a mobile member (报到, organizational life,
    dues paid there, its opinion), in the host's tenant; the issuing side reads it through a
    read-only policy on `from_tenant_id`. Append-only."""

    __tablename__ = "mobile_host_entry"
    tenant_id: uuid.UUID = Field(primary_key=True)
    id: uuid.UUID = Field(primary_key=True)
    certificate_id: uuid.UUID
    from_tenant_id: uuid.UUID
    kind: str
    on_date: date
    month: date | None = None
    amount_fen: int | None = None
    note: str | None = None
    recorded_by: uuid.UUID | None = None
    recorded_by_name: str
    recorded_at: datetime = _now()
