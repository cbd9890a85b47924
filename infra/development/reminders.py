"""Deadline reminders (期限提醒) as a schedule: every file whose next step is due within a
week gets `applicant.step_due`, and one whose deadline has passed `applicant.step_overdue`,
each once per step and deadline however often the schedule runs.

The key of `applicant_reminder` (applicant, step, deadline, kind) is claimed in the same
transaction as the outbox event, so a rerun, a second worker or a crash between the two
sends nothing twice and loses nothing. A file whose deadline moves (a new half-yearly
review, a step recorded) starts a new episode with a new deadline.
"""

from __future__ import annotations

import logging
import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.dialects.postgresql import insert

from domain.development import REMINDER_LEAD, ApplicantStatus, Reminder, reminder_of
from domain.shared.times import DISPLAY_ZONE
from domain.tenancy import PLATFORM_PATH
from infra.db.session import Actor, Database, Scope, UnitOfWork
from infra.development.applicants import emit_applicant_event
from infra.development.tables import Applicant, ApplicantReminder
from infra.tenancy import visible_tenants

log = logging.getLogger(__name__)

_BATCH = 1000
"""Reminders claimed per statement (five parameters each, under PostgreSQL's 65,535)."""
SYSTEM = Actor(user_id=None, name="system", tenant_id=None, client_addr=None, request_id=None)
_OPEN = (ApplicantStatus.IN_PROGRESS.value, ApplicantStatus.PROBATIONARY.value)

# Files already told they are overdue for this deadline are left out before anything is read.
_NOT_YET_OVERDUE = text(
    "NOT EXISTS (SELECT 1 FROM applicant_reminder r WHERE r.tenant_id = applicant.tenant_id"
    " AND r.applicant_id = applicant.id AND r.step = applicant.current_step"
    " AND r.due_by = applicant.due_by AND r.kind = 'step_overdue')"
)


async def _claim(
    uow: UnitOfWork, tenant_id: uuid.UUID, batch: list[tuple[Applicant, Reminder]]
) -> set[tuple[uuid.UUID, str]]:
    """The (applicant, kind) keys this run is the first to claim. Multi-row VALUES: on
    Citus an INSERT … SELECT would run as a COPY, which Citus refuses under row-level
    security."""
    rows = [
        {
            "tenant_id": tenant_id,
            "applicant_id": a.id,
            "step": a.current_step,
            "due_by": a.due_by,
            "kind": k.value,
        }
        for a, k in batch
    ]
    claim = (
        insert(ApplicantReminder)
        .values(rows)
        .on_conflict_do_nothing()
        .returning(ApplicantReminder.applicant_id, ApplicantReminder.kind)  # type: ignore[arg-type]
    )
    return {(r[0], r[1]) for r in await uow.session.execute(claim)}


async def remind_tenant(db: Database, tenant_id: uuid.UUID, *, today: date) -> dict[str, int]:
    """Send the reminders one tenant owes today; counts by kind."""
    horizon = today + REMINDER_LEAD
    async with db.unit_of_work(Scope(PLATFORM_PATH), SYSTEM) as uow:
        rows = (
            await uow.session.execute(
                select(Applicant).where(
                    Applicant.tenant_id == tenant_id,  # type: ignore[arg-type]
                    Applicant.status.in_(_OPEN),  # type: ignore[attr-defined]
                    Applicant.due_by <= horizon,  # type: ignore[operator]
                    _NOT_YET_OVERDUE,
                )
            )
        ).scalars()
        owed = [(a, kind) for a in rows if (kind := reminder_of(a.due_by, today)) is not None]
        if not owed:
            return {}
        counts: dict[str, int] = {}
        for first in range(0, len(owed), _BATCH):
            batch = owed[first : first + _BATCH]
            won = await _claim(uow, tenant_id, batch)
            for applicant, kind in batch:
                if (applicant.id, kind.value) not in won:
                    continue
                emit_applicant_event(
                    uow,
                    applicant,
                    kind.topic,
                    {"due_by": applicant.due_by.isoformat() if applicant.due_by else None},
                )
                counts[kind.value] = counts.get(kind.value, 0) + 1
        return counts


async def remind_every_tenant(db: Database, *, now: datetime) -> list[dict[str, Any]]:
    """Today's reminders (Beijing's day) for every tenant, one after another; a tenant's
    failure is logged and the next run sends what is still owed."""
    async with db.unit_of_work(Scope(PLATFORM_PATH), SYSTEM) as uow:
        tenants = await visible_tenants(uow)
    today = now.astimezone(DISPLAY_ZONE).date()
    reports = []
    for tenant in tenants:
        try:
            counts = await remind_tenant(db, tenant.id, today=today)
        except Exception:
            log.exception("development reminders failed for tenant %s", tenant.code)
            continue
        reports.append({"tenant_id": str(tenant.id), **counts})
    return reports
