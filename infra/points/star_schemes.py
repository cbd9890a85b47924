"""Star schemes (星级评定方案) stored per tenant and subject, versioned.

A tenant writes the next version of its member or branch scheme (audited); a star run
queued without a scheme takes the latest version, or its nearest ancestor's when the tenant
has none (a city's scheme holds for its counties until one writes its own), or the
built-in default, and keeps a copy on the run, so a later change never moves a published
rating.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from domain.points import (
    BRANCH_DEFAULT,
    MEMBER_DEFAULT,
    MESSAGES,
    StarScheme,
    Subject,
    scheme_of_json,
    scheme_to_json,
    validate_scheme,
)
from domain.shared import ErrorKind, Guard, new_id, not_found
from domain.tenancy import tenant_domain
from infra.db.session import UnitOfWork
from infra.points.indicators import measurable
from infra.points.tables import StarSchemeVersion
from infra.tenancy import TenantRef, tenant_ref


@dataclass(frozen=True, slots=True)
class StoredScheme:
    """A tenant's scheme in force; version 0 is the built-in default (never stored)."""

    tenant_id: uuid.UUID
    subject: Subject
    version: int
    scheme: StarScheme
    created_by: uuid.UUID | None = None
    created_at: datetime | None = None


async def scheme_in_force(uow: UnitOfWork, tenant_id: uuid.UUID, subject: Subject) -> StoredScheme:
    """The tenant's latest version, or else its nearest ancestor's (`tenant_id` names the
    holder), or else the built-in default."""
    row = (
        await uow.session.execute(
            text("SELECT * FROM zhibu_star_scheme_in_force(:t, :s)"),
            {"t": tenant_id, "s": subject.value},
        )
    ).first()
    if row is None:
        default = MEMBER_DEFAULT if subject is Subject.MEMBER else BRANCH_DEFAULT
        return StoredScheme(tenant_id, subject, 0, default)
    return StoredScheme(
        row.tenant_id,
        subject,
        row.version,
        scheme_of_json(row.scheme),
        row.created_by,
        row.created_at,
    )


async def _own_latest(uow: UnitOfWork, tenant_id: uuid.UUID, subject: Subject) -> int:
    """The tenant's own latest version number (0: none), which the next one follows."""
    found = await uow.session.execute(
        select(func.max(StarSchemeVersion.version)).where(
            StarSchemeVersion.tenant_id == tenant_id,  # type: ignore[arg-type]
            StarSchemeVersion.subject == subject.value,  # type: ignore[arg-type]
        )
    )
    return int(found.scalar_one() or 0)


async def _tenant(uow: UnitOfWork, tenant_id: uuid.UUID) -> TenantRef:
    tenant = await tenant_ref(uow, tenant_id)
    if tenant is None:
        raise not_found("tenant")
    return tenant


async def read_scheme(
    uow: UnitOfWork, guard: Guard, tenant_id: uuid.UUID, subject: Subject
) -> StoredScheme:
    tenant = await _tenant(uow, tenant_id)
    guard.require("star_rating", "read", tenant_domain(tenant.path))
    return await scheme_in_force(uow, tenant.id, subject)


async def set_scheme(
    uow: UnitOfWork,
    guard: Guard,
    tenant_id: uuid.UUID,
    subject: Subject,
    scheme: StarScheme,
    *,
    by: uuid.UUID,
) -> StoredScheme:
    """Write the next version; two writers at once: the second is told to read again."""
    tenant = await _tenant(uow, tenant_id)
    guard.require("star_rating", "run", tenant_domain(tenant.path))
    validate_scheme(scheme, subject, measurable=measurable())
    row = StarSchemeVersion(
        tenant_id=tenant.id,
        id=new_id(),
        subject=subject.value,
        version=await _own_latest(uow, tenant.id, subject) + 1,
        scheme=scheme_to_json(scheme),
        created_by=by,
    )
    try:
        async with uow.session.begin_nested():
            uow.session.add(row)
            await uow.session.flush()
    except IntegrityError as exc:
        raise MESSAGES.error("star_scheme_changed", ErrorKind.CONFLICT) from exc
    uow.audit(
        "star_scheme.set",
        "star_scheme",
        row.id,
        tenant_id=tenant.id,
        detail={"subject": subject.value, "version": row.version, "scheme": row.scheme},
    )
    return StoredScheme(tenant.id, subject, row.version, scheme, row.created_by, row.created_at)
