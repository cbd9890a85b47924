"""Accrual from records: the relay hands this context the check-ins' and evidence's
outbox events.

`checkin.recorded` books each item the check-in earns under the version in force on its
day; `checkin.withdrawn` reverses those entries and re-applies the caps. Likewise
`evidence.attached` books the `evidence_upload` items for the member whose account
uploaded the file (an uploader with no member record earns nothing), and
`evidence.deleted` reverses them. When an archived activity's attendance list closes, an
approved leave of a member who did not come after all (`attendance.leave_recorded`) earns
the `excused_leave` items, an absence (`attendance.absence_recorded`: no check-in, no mark
by the secretary, no approved leave) the `unexcused_absence` items, and a volunteer activity's hours
(`attendance.volunteer_hours_recorded`) the `volunteer_hours` items, points per hour; each
under the version in force on the activity's day, an item naming a kind only for that kind.
Nothing is written on the records' own paths; the relay
applies each event once, and settling a cap group is idempotent besides, so a replayed
event, sync batch or period adds nothing. The relay hands over a tenant's check-in events
in batches, which share their lookups (`Lookups`): a tenant with no rule set costs one
read per batch, not one per check-in.
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
from infra.points.rule_sets import StoredRuleSet, version_on_day, versions_in_force


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


class Lookups:
    """What the events of one tenant's batch share, each read at most once: the rule
    versions in force, activities' kinds and members' facts (none of which the batch's
    own writes change)."""

    def __init__(self, uow: UnitOfWork, tenant_id: uuid.UUID) -> None:
        self._uow = uow
        self._tenant_id = tenant_id
        self._versions: list[StoredRuleSet] | None = None
        self._kinds: dict[uuid.UUID, str | None] = {}
        self._facts: dict[uuid.UUID, MemberFacts | None] = {}

    async def versions(self) -> list[StoredRuleSet]:
        if self._versions is None:
            self._versions = await versions_in_force(self._uow, self._tenant_id)
        return self._versions

    async def kind(self, activity_id: uuid.UUID) -> str | None:
        if activity_id not in self._kinds:
            self._kinds[activity_id] = await activity_kind(self._uow, self._tenant_id, activity_id)
        return self._kinds[activity_id]

    async def facts(self, member_id: uuid.UUID) -> MemberFacts | None:
        if member_id not in self._facts:
            self._facts[member_id] = await member_facts(self._uow, self._tenant_id, member_id)
        return self._facts[member_id]


async def checkin_recorded(uow: UnitOfWork, event: RelayedEvent, lookups: Lookups) -> None:
    tenant_id = event.tenant_id
    payload = event.payload
    checkin_id = uuid.UUID(payload["checkin_id"])
    member_id = uuid.UUID(payload["member_id"])
    day = datetime.fromisoformat(payload["occurred_at"]).astimezone(DISPLAY_ZONE).date()
    version = version_on_day(await lookups.versions(), day)
    if version is None:
        return
    kind = await lookups.kind(uuid.UUID(payload["activity_id"]))
    if kind is None:
        return
    facts = await lookups.facts(member_id)
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


async def _book_activity_record(
    uow: UnitOfWork,
    event: RelayedEvent,
    lookups: Lookups,
    source: Source,
    cause_type: str,
    cause_id: uuid.UUID,
    units: int = 1,
) -> None:
    """Book what a member's record of an activity earns under the items of `source`."""
    payload = event.payload
    member_id = uuid.UUID(payload["member_id"])
    day = datetime.fromisoformat(payload["starts_at"]).astimezone(DISPLAY_ZONE).date()
    version = version_on_day(await lookups.versions(), day)
    facts = await lookups.facts(member_id)
    if version is None or facts is None:
        return
    rules = version.rules
    period = period_of(rules.period, day)
    kind = payload["activity_kind"]
    for item in items_earned(rules, facts, day, source, activity_kind=kind):
        group = Group.of(event.tenant_id, member_id, period, version.id, rules.version, item, units)
        await settle_group(uow, group, cause_type=cause_type, add=cause_id, event_id=event.id)


async def leave_recorded(uow: UnitOfWork, event: RelayedEvent, lookups: Lookups) -> None:
    """Leave earns only once the attendance list closes: a member who came after all is
    present there and earns the attendance items alone."""
    leave_id = uuid.UUID(event.payload["leave_id"])
    await _book_activity_record(uow, event, lookups, Source.EXCUSED_LEAVE, "leave", leave_id)


async def absence_recorded(uow: UnitOfWork, event: RelayedEvent, lookups: Lookups) -> None:
    """The activity is the cause: a member is absent from it at most once."""
    activity_id = uuid.UUID(event.payload["activity_id"])
    await _book_activity_record(
        uow, event, lookups, Source.UNEXCUSED_ABSENCE, "absence", activity_id
    )


async def volunteer_hours_recorded(uow: UnitOfWork, event: RelayedEvent, lookups: Lookups) -> None:
    activity_id = uuid.UUID(event.payload["activity_id"])
    hours = int(event.payload["hours"])
    await _book_activity_record(
        uow, event, lookups, Source.VOLUNTEER_HOURS, "volunteer", activity_id, hours
    )
