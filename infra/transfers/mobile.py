"""流动党员活动证: issued by the member's branch for a stay of at most six months at a host
organization (one on the platform from the directory, or one named), and closed when the
member is back. The membership stays where it is; no transfer is opened. The card's
fields are copied onto the certificate at issue, since a host on the platform reads it
(its records: `hosting`)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import col

from domain.shared import ErrorKind, Guard, new_id, not_found
from domain.transfers import MESSAGES, check_member, check_open, check_period
from infra.db.routing import OTHER_SIDE, locked
from infra.db.session import UnitOfWork
from infra.members import letter_facts
from infra.tenancy import branch_directory, organization_ref, tenant_ref
from infra.transfers.common import Who, emit_transfer_event
from infra.transfers.reading import readable
from infra.transfers.tables import MobileCertificateRow

_NEXT_NUMBER = text("SELECT nextval('mobile_certificate_number')")
HOST_ACTIONS = ("read", "receive")


@dataclass(frozen=True, slots=True)
class CertificateRequest:
    member_id: uuid.UUID
    host_tenant_code: str | None
    host_organization_id: uuid.UUID | None
    host_organization_name: str | None
    valid_from: date
    valid_until: date
    reason: str | None


async def _host(
    uow: UnitOfWork, req: CertificateRequest
) -> tuple[uuid.UUID | None, uuid.UUID | None, str]:
    if req.host_organization_id is None:
        if not (req.host_organization_name and req.host_organization_name.strip()):
            raise MESSAGES.error("transfer_target_outside_needed")
        return None, None, req.host_organization_name.strip()
    found = await branch_directory(
        uow, tenant_code=req.host_tenant_code, organization_id=req.host_organization_id
    )
    if not found:
        raise not_found("organization")
    return found[0].tenant_id, found[0].organization_id, found[0].organization_name


async def issue_certificate(
    uow: UnitOfWork, guard: Guard, who: Who, req: CertificateRequest, *, today: date
) -> MobileCertificateRow:
    facts = await letter_facts(uow, req.member_id)
    if facts is None:
        raise not_found("member")
    org = await organization_ref(uow, facts.organization_id, tenant_id=facts.tenant_id)
    tenant = await tenant_ref(uow, facts.tenant_id)
    if org is None or tenant is None:
        raise not_found("member")
    guard.require("transfer", "write", org.domain)
    check_member(facts.status, facts.admitted_on, today=today)
    check_period(req.valid_from, req.valid_until)
    host_tenant, host_org, host_name = await _host(uow, req)
    row = MobileCertificateRow(
        tenant_id=facts.tenant_id,
        id=new_id(),
        member_id=facts.id,
        organization_id=facts.organization_id,
        number=int((await uow.session.execute(_NEXT_NUMBER)).scalar_one()),
        host_tenant_id=host_tenant,
        host_organization_id=host_org,
        host_organization_name=host_name,
        valid_from=req.valid_from,
        valid_until=req.valid_until,
        reason=req.reason,
        state="issued",
        issued_by=who.user_id or uuid.UUID(int=0),
        issued_by_name=who.name,
        member_name=facts.name,
        member_gender=facts.gender,
        member_status=facts.status,
        member_phone_masked=facts.phone_masked,
        from_tenant_name=tenant.name,
        from_organization_name=org.name,
    )
    try:
        async with uow.session.begin_nested():
            uow.session.add(row)
            await uow.session.flush()
    except IntegrityError:
        raise MESSAGES.error("mobile_certificate_open", ErrorKind.CONFLICT) from None
    uow.audit(
        "mobile_certificate.issue",
        "mobile_certificate",
        row.id,
        tenant_id=row.tenant_id,
        detail={"member_id": str(row.member_id), "host": host_name},
    )
    emit_transfer_event(
        uow, row.tenant_id, row.id, row.organization_id, "transfer.mobile_certificate_issued"
    )
    return row


async def visible_certificate(uow: UnitOfWork, certificate_id: uuid.UUID) -> MobileCertificateRow:
    """The certificate, if the caller's scope holds its issuing side or else its host."""
    by_id = select(MobileCertificateRow).where(col(MobileCertificateRow.id) == certificate_id)
    found = (await uow.session.execute(by_id)).scalar_one_or_none()
    if found is None:
        hosted = by_id.execution_options(**{OTHER_SIDE: True})
        found = (await uow.session.execute(hosted)).scalar_one_or_none()
    if found is None:
        raise not_found("mobile_certificate")
    return found


async def _domain(uow: UnitOfWork, row: MobileCertificateRow) -> str:
    org = await organization_ref(uow, row.organization_id, tenant_id=row.tenant_id)
    if org is None:
        raise not_found("mobile_certificate")
    return org.domain


async def side_of(uow: UnitOfWork, guard: Guard, row: MobileCertificateRow) -> str | None:
    """`issuing` when the caller reads transfers at the member's branch, `host` when they
    read or receive them at the host organization, else None."""
    org = await organization_ref(uow, row.organization_id, tenant_id=row.tenant_id)
    if org is not None and guard.can("transfer", "read", org.domain):
        return "issuing"
    if row.host_tenant_id is None or row.host_organization_id is None:
        return None
    host = await organization_ref(uow, row.host_organization_id, tenant_id=row.host_tenant_id)
    if host is not None and any(guard.can("transfer", a, host.domain) for a in HOST_ACTIONS):
        return "host"
    return None


async def read_certificate(
    uow: UnitOfWork, guard: Guard, certificate_id: uuid.UUID
) -> tuple[MobileCertificateRow, str]:
    row = await visible_certificate(uow, certificate_id)
    side = await side_of(uow, guard, row)
    if side is None:
        raise not_found("mobile_certificate")
    return row, side


async def close_certificate(
    uow: UnitOfWork,
    guard: Guard,
    who: Who,
    certificate_id: uuid.UUID,
    *,
    note: str | None,
    now: datetime,
) -> MobileCertificateRow:
    row = await visible_certificate(uow, certificate_id)
    domain = await _domain(uow, row)  # not the host's: it only reads the certificate
    if not guard.can("transfer", "write", domain):
        guard.require("transfer", "read", domain)
        guard.require("transfer", "write", domain)
    row = await locked(uow.session, row)
    check_open(row.state)
    row.state = "closed"
    row.closed_by_name = who.name
    row.closed_at = now
    row.close_note = note
    uow.session.add(row)
    uow.audit("mobile_certificate.close", "mobile_certificate", row.id, tenant_id=row.tenant_id)
    emit_transfer_event(
        uow, row.tenant_id, row.id, row.organization_id, "transfer.mobile_certificate_closed"
    )
    return row


async def list_certificates(
    uow: UnitOfWork,
    guard: Guard,
    *,
    side: str,
    member_id: uuid.UUID | None,
    limit: int,
    after: uuid.UUID | None,
) -> list[MobileCertificateRow]:
    """Those the caller's branches issued, or (`host`) those their organizations host."""
    c = MobileCertificateRow
    if side == "issuing":
        stmt = select(c).where(
            readable(guard, col(c.tenant_id), col(c.organization_id), scopes_of=("read",))
        )
    else:
        stmt = (
            select(c)
            .where(
                readable(
                    guard,
                    col(c.host_tenant_id),
                    col(c.host_organization_id),
                    scopes_of=HOST_ACTIONS,
                )
            )
            .execution_options(**{OTHER_SIDE: True})
        )
    if member_id is not None:
        stmt = stmt.where(col(c.member_id) == member_id)
    if after is not None:
        stmt = stmt.where(col(c.id) < after)
    return list(
        (await uow.session.execute(stmt.order_by(col(c.id).desc()).limit(limit + 1))).scalars()
    )
