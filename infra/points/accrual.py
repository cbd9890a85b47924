"""Accrual from records: the relay hands this context the check-ins' and evidence's
outbox events.

`checkin.recorded` books each item the check-in earns under the version in force on its
day; `checkin.withdrawn` reverses those entries and re-applies the caps. Likewise
`evidence.attached` books the `evidence_upload` items for the member whose account
uploaded the file (an uploader with no member record earns nothing), and
`evidence.deleted` reverses them. Nothing is written on the records' own paths; the relay
applies each event once, and settling a cap group is idempotent besides, so a replayed
event, sync batch or period adds nothing.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from domain.points import MemberFacts, Source, items_earned, period_of
from domain.shared.times import DISPLAY_ZONE
from infra.activities import activity_kind
from infra.db.session import UnitOfWork
from infra.members import member_birth_date, member_of_user, member_place
from infra.platform.relay import RelayedEvent
from infra.points.ledger import Group, groups_of_cause, settle_group
from infra.points.profiles import profile_of
from infra.points.rule_sets import version_on_day, versions_in_force


async def member_facts(
    uow: UnitOfWork, tenant_id: uuid.UUID, member_id: uuid.UUID
) -> MemberFacts | None:
    """What the rules ask of the member; None when the check-in's tenant does not hold
    them (a guest at a joint activity earns nothing there, rather than stall the relay)."""
    if await member_place(uow, tenant_id, member_id) is None:
        return None
    profile = await profile_of(uow, tenant_id, member_id)
    return MemberFacts(
        member_class=profile.member_class if profile else None,
        conditions=frozenset(profile.conditions) if profile else frozenset(),
        birth_date=await member_birth_date(uow, tenant_id, member_id),
    )


async def checkin_recorded(uow: UnitOfWork, event: RelayedEvent) -> None:
    tenant_id = event.tenant_id
    payload = event.payload
    checkin_id = uuid.UUID(payload["checkin_id"])
    member_id = uuid.UUID(payload["member_id"])
    day = datetime.fromisoformat(payload["occurred_at"]).astimezone(DISPLAY_ZONE).date()
    version = version_on_day(await versions_in_force(uow, tenant_id), day)
    if version is None:
        return
    kind = await activity_kind(uow, tenant_id, uuid.UUID(payload["activity_id"]))
    if kind is None:
        return
    facts = await member_facts(uow, tenant_id, member_id)
    if facts is None:
        return
    rules = version.rules
    period = period_of(rules.period, day)
    for item in items_earned(rules, facts, day, Source.ATTENDANCE, activity_kind=kind):
        group = Group.of(tenant_id, member_id, period, version.id, rules.version, item)
        await settle_group(uow, group, cause_type="checkin", add=checkin_id, event_id=event.id)


async def checkin_withdrawn(uow: UnitOfWork, event: RelayedEvent) -> None:
    checkin_id = uuid.UUID(event.payload["checkin_id"])
    for group in await groups_of_cause(uow, event.tenant_id, "checkin", checkin_id):
        await settle_group(uow, group, cause_type="checkin", withdraw=checkin_id, event_id=event.id)


async def evidence_attached(uow: UnitOfWork, event: RelayedEvent) -> None:
    tenant_id = event.tenant_id
    uploader = event.payload.get("uploaded_by")
    mine = await member_of_user(uow, tenant_id, uuid.UUID(uploader)) if uploader else None
    if mine is None:
        return
    day = event.created_at.astimezone(DISPLAY_ZONE).date()
    version = version_on_day(await versions_in_force(uow, tenant_id), day)
    facts = await member_facts(uow, tenant_id, mine.id)
    if version is None or facts is None:
        return
    rules = version.rules
    period = period_of(rules.period, day)
    evidence_id = uuid.UUID(event.payload["evidence_id"])
    for item in items_earned(rules, facts, day, Source.EVIDENCE_UPLOAD):
        group = Group.of(tenant_id, mine.id, period, version.id, rules.version, item)
        await settle_group(uow, group, cause_type="evidence", add=evidence_id, event_id=event.id)


async def evidence_deleted(uow: UnitOfWork, event: RelayedEvent) -> None:
    evidence_id = uuid.UUID(event.payload["evidence_id"])
    for group in await groups_of_cause(uow, event.tenant_id, "evidence", evidence_id):
        await settle_group(
            uow, group, cause_type="evidence", withdraw=evidence_id, event_id=event.id
        )
