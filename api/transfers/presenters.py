"""Turning the transfers context's views into response bodies."""

from __future__ import annotations

from typing import Any

from api.context import Ctx
from api.transfers import schemas as s
from domain.transfers import letter_number
from infra.transfers import Letter, TransferStepRow, TransferView, Who


def who_of(ctx: Ctx) -> Who:
    p = ctx.principal
    return Who(user_id=p.user_id, tenant_id=p.tenant_id, name=p.username)


def contact_in(contact: s.TransferSenderContact | None) -> dict[str, str] | None:
    """The sending committee's contact lines as stored: only those given."""
    if contact is None:
        return None
    lines = {
        "address": contact.address,
        "phone": contact.phone,
        "fax": contact.fax,
        "postcode": contact.postcode,
    }
    return {k: v for k, v in lines.items() if v is not None}


def _hold(hold: dict[str, Any] | None) -> s.TransferHoldOut | None:
    if hold is None:
        return None
    return s.TransferHoldOut(
        code=str(hold["code"]),
        open_months=[str(m) for m in hold["open_months"]],
        shortfall_fen=int(hold["shortfall_fen"]),
    )


def transfer_out(v: TransferView) -> s.TransferOut:
    return s.TransferOut(
        id=v.id,
        side=v.side,  # type: ignore[arg-type]
        kind=v.kind,  # type: ignore[arg-type]
        reason=v.reason,  # type: ignore[arg-type]
        reason_note=v.reason_note,
        state=v.state,  # type: ignore[arg-type]
        member_id=v.member_id,
        from_tenant_id=v.from_tenant_id,
        from_tenant_name=v.from_tenant_name,
        from_organization_id=v.from_organization_id,
        from_organization_name=v.from_organization_name,
        to_tenant_id=v.to_tenant_id,
        to_tenant_name=v.to_tenant_name,
        to_organization_id=v.to_organization_id,
        to_organization_name=v.to_organization_name,
        approvals_required=v.approvals_required,
        approvals_done=v.approvals_done,
        hold=_hold(v.hold),
        letter_number=(
            letter_number(v.letter_number, v.letter_issued_on)
            if v.letter_number is not None and v.letter_issued_on is not None
            else None
        ),
        validity_days=v.validity_days,
        expires_at=v.expires_at,
        member_name=v.member_name,
        member_gender=v.member_gender,
        member_birth_date=v.member_birth_date,
        member_ethnicity=v.member_ethnicity,
        member_status=v.member_status,
        member_id_number=v.member_id_number_masked,
        member_phone=v.member_phone_masked,
        dues_paid_to=v.dues_paid_to.strftime("%Y-%m") if v.dues_paid_to else None,
        points_carried=v.points_carried,
        sent_at=v.sent_at,
        updated_at=v.updated_at,
    )


def step_out(row: TransferStepRow) -> s.TransferStepOut:
    return s.TransferStepOut(
        action=row.action,
        from_state=row.from_state,  # type: ignore[arg-type]
        to_state=row.to_state,  # type: ignore[arg-type]
        level=row.level,
        actor_name=row.actor_name,
        reason=row.reason,
        at=row.at,
    )


def letter_out(letter: Letter) -> s.TransferLetterOut:
    v = letter.transfer
    contact = letter.sender_contact
    return s.TransferLetterOut(
        transfer_id=v.id,
        side=letter.side,  # type: ignore[arg-type]
        state=v.state,  # type: ignore[arg-type]
        number=letter.number,
        verification_code=letter.code,
        issued_on=letter.issued_on,
        valid_until=letter.valid_until,
        validity_days=v.validity_days,
        member=s.TransferLetterMember(
            name=v.member_name,
            gender=v.member_gender,
            age=letter.age,
            ethnicity=v.member_ethnicity,
            status=v.member_status,
            id_number=letter.id_number,
            phone=letter.phone,
        ),
        from_tenant_name=v.from_tenant_name,
        from_organization_name=v.from_organization_name,
        to_tenant_name=v.to_tenant_name,
        to_organization_name=v.to_organization_name,
        paid_to=letter.paid_to,
        paid_to_month=v.dues_paid_to.strftime("%Y-%m") if v.dues_paid_to else None,
        sender_contact=s.TransferSenderContactOut(
            address=contact.get("address"),
            phone=contact.get("phone"),
            fax=contact.get("fax"),
            postcode=contact.get("postcode"),
        ),
    )
