"""Member rows → response bodies: masked by default, in full only when revealed."""

from __future__ import annotations

from datetime import date

from api.members import schemas as s
from domain.members import party_seniority
from infra.members.loading import MemberRecord
from infra.members.queries import MemberCounts
from infra.members.reveal import Revealed
from infra.members.tables import Member, MemberHistory
from infra.transfers import TransferMark


def member_out(
    m: Member,
    *,
    today: date,
    organization_name: str | None = None,
    revealed: Revealed | None = None,
    transfer: TransferMark | None = None,
) -> s.MemberOut:
    mobile = m.mobile or None
    return s.MemberOut(
        id=m.id,
        tenant_id=m.tenant_id,
        organization_id=m.organization_id,
        organization_name=organization_name,
        user_id=m.user_id,
        name=m.name,
        name_pinyin=m.name_pinyin,
        gender=m.gender,
        ethnicity=m.ethnicity,
        birth_date=m.birth_date,
        id_number=revealed.id_number if revealed else m.id_number_masked,
        phone=revealed.phone if revealed else m.phone_masked,
        sensitive_revealed=revealed is not None,
        education=m.education,
        work_unit=m.work_unit,
        post=m.post,
        status=m.status,
        status_reason=m.status_reason,
        admitted_on=m.admitted_on,
        full_member_on=m.full_member_on,
        party_seniority=(
            party_seniority(m.full_member_on, today=today)
            if m.full_member_on and m.status in ("full", "suspended")
            else None
        ),
        member_class=m.member_class,
        mobile=(
            s.MobileOut(
                host_organization_name=mobile["host_organization_name"],
                activity_card_number=mobile["activity_card_number"],
                period_start=date.fromisoformat(mobile["period_start"]),
                period_end=date.fromisoformat(mobile["period_end"])
                if mobile.get("period_end")
                else None,
            )
            if mobile
            else None
        ),
        tags=list(m.tags),
        created_at=m.created_at,
        updated_at=m.updated_at,
        version=m.version,
        in_transfer=(
            s.MemberTransferOut(transfer_id=transfer.transfer_id, state=transfer.state)
            if transfer
            else None
        ),
    )


def record_out(
    record: MemberRecord,
    *,
    today: date,
    revealed: Revealed | None = None,
    transfer: TransferMark | None = None,
) -> s.MemberOut:
    return member_out(
        record.member,
        today=today,
        organization_name=record.organization_name,
        revealed=revealed,
        transfer=transfer,
    )


def history_out(h: MemberHistory) -> s.HistoryOut:
    return s.HistoryOut(
        version=h.version,
        action=h.action,
        changed_at=h.changed_at,
        changed_by=h.changed_by,
        changed_by_name=h.changed_by_name,
        changes={k: s.ChangeOut(old=v.get("old"), new=v.get("new")) for k, v in h.changes.items()},
    )


def counts_out(c: MemberCounts) -> s.CountsOut:
    return s.CountsOut(
        total=c.total,
        by_status=dict(sorted(c.by_status.items())),
        by_class=dict(sorted(c.by_class.items())),
        by_gender=dict(sorted(c.by_gender.items())),
        by_ethnicity=dict(sorted(c.by_ethnicity.items())),
        by_age_band=dict(sorted(c.by_age_band.items())),
        by_education=dict(sorted(c.by_education.items())),
    )
