"""The host side of a 流动党员活动证: the organization a mobile member stays at records their
arrival (报到), the organizational life they attend, the dues they pay there and its
opinion when they leave, in its own tenant; the issuing branch reads those records. A
host acts with `transfer:receive` on its organization, as it would receive a transfer."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import col

from domain.shared import ErrorKind, Guard, new_id, not_found
from domain.transfers import MESSAGES, HostEntryKind, check_host_entry
from infra.db.routing import OTHER_SIDE
from infra.db.session import UnitOfWork
from infra.tenancy import organization_ref
from infra.transfers.common import Who, emit_transfer_event
from infra.transfers.mobile import side_of, visible_certificate
from infra.transfers.tables import MobileCertificateRow, MobileHostEntryRow


@dataclass(frozen=True, slots=True)
class HostEntry:
    kind: HostEntryKind
    on: date
    month: date | None
    amount_fen: int | None
    note: str | None


async def _arrived(uow: UnitOfWork, row: MobileCertificateRow) -> bool:
    e = MobileHostEntryRow
    return bool(
        await uow.session.scalar(
            select(
                exists().where(
                    col(e.tenant_id) == row.host_tenant_id,
                    col(e.certificate_id) == row.id,
                    col(e.kind) == HostEntryKind.ARRIVAL.value,
                )
            )
        )
    )


async def record_host_entry(
    uow: UnitOfWork,
    guard: Guard,
    who: Who,
    certificate_id: uuid.UUID,
    entry: HostEntry,
    *,
    today: date,
) -> MobileHostEntryRow:
    row = await visible_certificate(uow, certificate_id)
    host = (
        await organization_ref(uow, row.host_organization_id, tenant_id=row.host_tenant_id)
        if row.host_tenant_id is not None and row.host_organization_id is not None
        else None
    )
    if host is None:
        raise not_found("mobile_certificate")
    if not guard.can("transfer", "receive", host.domain):
        guard.require("transfer", "read", host.domain)
        guard.require("transfer", "receive", host.domain)
    check_host_entry(
        entry.kind,
        entry.on,
        state=row.state,
        valid_from=row.valid_from,
        valid_until=row.valid_until,
        arrived=await _arrived(uow, row),
        month_given=entry.month is not None,
        amount_given=entry.amount_fen is not None,
        today=today,
    )
    added = MobileHostEntryRow(
        tenant_id=host.tenant_id,
        id=new_id(),
        certificate_id=row.id,
        from_tenant_id=row.tenant_id,
        kind=entry.kind.value,
        on_date=entry.on,
        month=entry.month.replace(day=1) if entry.month else None,
        amount_fen=entry.amount_fen,
        note=entry.note,
        recorded_by=who.user_id,
        recorded_by_name=who.name,
    )
    try:
        async with uow.session.begin_nested():
            uow.session.add(added)
            await uow.session.flush()
    except IntegrityError:
        raise MESSAGES.error("mobile_host_entry_once", ErrorKind.CONFLICT) from None
    uow.audit(
        "mobile_certificate.host_entry",
        "mobile_certificate",
        row.id,
        tenant_id=host.tenant_id,
        detail={"kind": added.kind, "on": added.on_date.isoformat()},
    )
    emit_transfer_event(
        uow,
        host.tenant_id,
        row.id,
        host.id,
        "transfer.mobile_host_entry_recorded",
        kind=added.kind,
    )
    return added


async def host_entries(
    uow: UnitOfWork, guard: Guard, certificate_id: uuid.UUID
) -> list[MobileHostEntryRow]:
    """The host's records of a certificate, for either side, in date order."""
    row = await visible_certificate(uow, certificate_id)
    if await side_of(uow, guard, row) is None:
        raise not_found("mobile_certificate")
    if row.host_tenant_id is None:
        return []  # a host off the platform records nothing here
    e = MobileHostEntryRow
    found = await uow.session.execute(
        select(e)
        .where(col(e.tenant_id) == row.host_tenant_id, col(e.certificate_id) == row.id)
        .order_by(col(e.on_date), col(e.id))
        .execution_options(**{OTHER_SIDE: True})
    )
    return list(found.scalars())
