"""The letter (组织关系介绍信) of a sent transfer, for either side, and its online check.

党费交至 is what the dues ledger said when the transfer was submitted, in formal numerals;
the number comes from a database sequence; the validity is the tenant's setting, enforced
by the expiry schedule. The sending side's copy shows 身份证号 and phone in full to
whoever may read them in the registry (`member:read_sensitive`; each such read audited),
masked to others; the receiving side's shows them masked, as its envelope holds them.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlmodel import col

from domain.shared import DISPLAY_ZONE, Guard, not_found
from domain.transfers import (
    MESSAGES,
    LetterFace,
    code_matches,
    formal_year_month,
    letter_number,
    verification_code,
)
from infra.db.session import UnitOfWork
from infra.protection import FieldProtector
from infra.transfers.common import Who, sender_of
from infra.transfers.reading import (
    TransferView,
    arrival_for,
    receiving_view,
    sending_row_for,
    sending_view,
)
from infra.transfers.tables import TransferArrivalRow, TransferRow

_KEY_LABEL = b"zhibu transfer letter v1"


def letter_key(secret: bytes) -> bytes:
    """The letters' HMAC key, derived from a deployment secret so it needs no setting."""
    return hmac.new(secret, _KEY_LABEL, hashlib.sha256).digest()


@dataclass(frozen=True, slots=True)
class Letter:
    side: str
    transfer: TransferView
    number: str
    issued_on: date
    valid_until: date
    age: int
    id_number: str
    phone: str | None
    paid_to: str
    sender_contact: dict[str, Any]
    code: str


def _age(birth: date, on: date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def face_of(view: TransferView, number: int, issued_on: date, expires_at: datetime) -> LetterFace:
    return LetterFace(
        number=letter_number(number, issued_on),
        name=view.member_name,
        id_number_masked=view.member_id_number_masked,
        from_organization=view.from_organization_name,
        to_organization=view.to_organization_name,
        paid_to=formal_year_month(view.dues_paid_to),
        valid_until=expires_at.astimezone(DISPLAY_ZONE).date().isoformat(),
    )


async def letter_of(
    uow: UnitOfWork,
    guard: Guard,
    who: Who,
    protector: FieldProtector,
    key: bytes,
    transfer_id: uuid.UUID,
) -> Letter:
    row = await sending_row_for(uow, guard, who, transfer_id)
    id_number: str
    phone: str | None
    contact: dict[str, Any] = {}
    full = False
    if row is not None:
        view = sending_view(row)
        # In full only for whoever may read the registry's sensitive fields there.
        full = guard.can("member", "read_sensitive", (await sender_of(uow, row)).domain)
        id_number, phone = row.member_id_number_masked, row.member_phone_masked
        if full:
            id_number = protector.reveal_id_number(row.member_id_number_enc)
            if row.member_phone_enc:
                phone = protector.reveal_phone(row.member_phone_enc)
        contact = row.sender_contact or {}
        tenant_id = row.tenant_id
    else:
        arrival = await arrival_for(uow, guard, transfer_id)
        if arrival is None:
            raise not_found("transfer")
        view = receiving_view(arrival)
        id_number, phone = arrival.member_id_number_masked, arrival.member_phone_masked
        tenant_id = arrival.tenant_id
    number, issued_on, expires_at = view.letter_number, view.letter_issued_on, view.expires_at
    if number is None or issued_on is None or expires_at is None:
        raise MESSAGES.error("transfer_letter_none", code="transfer_letter_not_issued")
    face = face_of(view, number, issued_on, expires_at)
    uow.audit(
        "transfer.letter_read",
        "transfer",
        transfer_id,
        tenant_id=tenant_id,
        detail={"side": view.side, "full_identity": full},
    )
    return Letter(
        side=view.side,
        transfer=view,
        number=face.number,
        issued_on=issued_on,
        valid_until=date.fromisoformat(face.valid_until),
        age=_age(view.member_birth_date, issued_on),
        id_number=id_number,
        phone=phone,
        paid_to=face.paid_to,
        sender_contact=contact,
        code=verification_code(key, face),
    )


@dataclass(frozen=True, slots=True)
class Verdict:
    valid: bool
    state: str | None
    """The transfer's state, when the code matches and the caller's side holds it."""


def _sequence_of(number: str) -> int | None:
    head, _, tail = number.partition("-")
    return int(tail) if head.isdigit() and tail.isdigit() else None


async def verify_letter(uow: UnitOfWork, key: bytes, face: LetterFace, code: str) -> Verdict:
    """Whether the printed fields and code belong together; a changed field fails."""
    if not code_matches(key, face, code):
        return Verdict(False, None)
    sequence = _sequence_of(face.number)
    state = None
    if sequence is not None:
        arrival = (
            await uow.session.execute(
                select(TransferArrivalRow.state).where(
                    col(TransferArrivalRow.letter_number) == sequence
                )
            )
        ).scalar_one_or_none()
        sent = (
            await uow.session.execute(
                select(TransferRow.state).where(col(TransferRow.letter_number) == sequence)
            )
        ).scalar_one_or_none()
        state = arrival or sent
    return Verdict(True, state)
