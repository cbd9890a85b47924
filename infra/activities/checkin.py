"""Check-in through the unit of work: a secretary marking others (代签), a member naming
themselves, and offline check-ins uploaded from a phone.

Each accepted check-in is written with its audit event and its `checkin.recorded` outbox
event. A member's own check-in without `member_id` takes `fast_checkin.CheckinDesk`.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlmodel import col

from domain.activities import (
    MESSAGES,
    ActivityStatus,
    CheckinAttempt,
    CheckinDecision,
    CheckinMethod,
    CheckinOutcome,
    CheckinRules,
    CheckinSettings,
    Geofence,
    GeoPoint,
    evaluate_checkin,
)
from domain.shared import DomainError, ErrorKind, Message, new_id
from domain.tenancy import TenantSettings, effective_settings, org_ids_on_path
from infra.activities import checkin_records
from infra.activities.tables import Activity, Checkin
from infra.activities.visibility import (
    Caller,
    Guard,
    caller_member,
    invalid_field,
    load_access,
    not_found,
    require_marking,
)
from infra.db.session import UnitOfWork
from infra.members import member_place

SYNC_BATCH_LIMIT = 500


@dataclass(frozen=True, slots=True)
class CheckinView:
    id: uuid.UUID
    activity_id: uuid.UUID
    member_id: uuid.UUID
    source: str
    occurred_at: datetime
    recorded_at: datetime
    recorded_by: uuid.UUID
    client_id: str | None
    distance_m: float | None


@dataclass(frozen=True, slots=True)
class CheckinInput:
    member_id: uuid.UUID | None = None
    token: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    accuracy_m: float | None = None


# What the check-in rules need about one member and each of some activities.
# Every table is keyed by the caller's tenant, so that on Citus the statement runs on that
# tenant's shard; the settings chain is read apart (`_SETTINGS_CHAIN`): a function reading
# the tenant directory cannot run inside a statement sent to a shard.
_CHECKIN_CONTEXT = text(
    "SELECT "
    "a.tenant_id, a.id, a.kind, a.status, a.starts_at, a.ends_at, a.latitude,"
    "  a.longitude, a.radius_m, a.qr_required, a.geofence_enabled, a.window_minutes,"
    "  EXISTS (SELECT 1 FROM activity_attendee x WHERE x.tenant_id = :t"
    "    AND x.activity_id = a.id AND x.member_id = :m) AS expected,"
    "  (SELECT c.id FROM checkin c WHERE c.tenant_id = :t AND c.activity_id = a.id"
    "    AND c.member_id = :m) AS checkin_id,"
    "  (SELECT c.client_id FROM checkin c WHERE c.tenant_id = :t"
    "    AND c.activity_id = a.id AND c.member_id = :m) AS checkin_client_id,"
    "  EXISTS (SELECT 1 FROM activity_organization ao"
    "    WHERE ao.tenant_id = :t AND ao.activity_id = a.id"
    "    AND ao.organization_id = ANY(:member_orgs)) AS in_org"
    " FROM activity a WHERE a.tenant_id = :t AND a.id = ANY(:ids)"
)
_SETTINGS_CHAIN = text("SELECT jsonb_agg(x)::text FROM zhibu_settings_chain(:t) AS x")


@lru_cache(maxsize=256)
def _settings_from_json(chain: str) -> TenantSettings:
    """The settings chain as PostgreSQL prints it (stable for the same rows) keys the cache."""
    return effective_settings(json.loads(chain))


@dataclass(frozen=True, slots=True)
class _Ctx:
    """Everything one check-in decision needs about one (activity, member) pair."""

    tenant_id: uuid.UUID
    activity_id: uuid.UUID
    rules: CheckinRules
    visible: bool
    checkin_id: uuid.UUID | None = None
    checkin_client_id: str | None = None


def _rules(row: Any, member_id: uuid.UUID, secret: bytes, chain: str | None) -> _Ctx:
    """The rules for one pair; `chain` is the tenant's settings chain as JSON text."""
    settings = _settings_from_json(chain or "[]")
    grace = timedelta(
        minutes=row.window_minutes
        if row.window_minutes is not None
        else settings.checkin_grace_minutes
    )
    geofence = None
    if row.geofence_enabled and row.latitude is not None and row.radius_m:
        geofence = Geofence(GeoPoint(row.latitude, row.longitude), float(row.radius_m))
    rules = CheckinRules(
        activity_id=row.id,
        status=ActivityStatus(row.status),
        starts_at=row.starts_at,
        ends_at=row.ends_at + grace,
        expected_member_ids=frozenset({member_id}) if row.expected else frozenset(),
        checked_in_member_ids=frozenset({member_id}) if row.checkin_id else frozenset(),
        qr_secret=secret if row.qr_required else None,
        geofence=geofence,
        settings=CheckinSettings(
            opens_before=grace,
            sync_grace=timedelta(hours=settings.sync_grace_hours),
            self_checkin_required=settings.self_checkin_required,
        ),
    )
    return _Ctx(
        row.tenant_id,
        row.id,
        rules,
        bool(row.in_org or row.expected),
        row.checkin_id,
        row.checkin_client_id,
    )


async def _checkin_contexts(
    uow: UnitOfWork,
    tenant_id: uuid.UUID,
    activity_ids: Sequence[uuid.UUID],
    member_id: uuid.UUID,
    member_path: str,
    secret: bytes,
) -> dict[uuid.UUID, _Ctx]:
    rows = (
        await uow.session.execute(
            _CHECKIN_CONTEXT,
            {
                "t": tenant_id,
                "ids": list(activity_ids),
                "m": member_id,
                "member_orgs": org_ids_on_path(member_path),
            },
        )
    ).all()
    chain = (await uow.session.execute(_SETTINGS_CHAIN, {"t": tenant_id})).scalar()
    return {r.id: _rules(r, member_id, secret, chain) for r in rows}


def _reject(decision: CheckinDecision) -> DomainError:
    if decision.outcome is CheckinOutcome.DUPLICATE:
        return DomainError("already_checked_in", decision.message, kind=ErrorKind.CONFLICT)
    return DomainError(decision.code, decision.message, kind=ErrorKind.INVALID)


def _source(method: CheckinMethod, rules: CheckinRules, offline: bool) -> str:
    if method is CheckinMethod.SECRETARY:
        return "secretary"
    if offline:
        return "offline_sync"
    return "self_qr" if rules.qr_secret is not None else "self"


async def check_in(
    uow: UnitOfWork,
    guard: Guard,
    caller: Caller,
    activity_id: uuid.UUID,
    data: CheckinInput,
    *,
    secret: bytes,
    now: datetime,
) -> CheckinView:
    """A check-in naming its member: marked by the secretary (代签), or the member themselves.

    A member's own check-in without `member_id` takes `fast_checkin.CheckinDesk` instead.
    """
    assert data.member_id is not None
    me = await caller_member(uow, caller)
    on_behalf = me is None or data.member_id != me.id
    if on_behalf:
        access = await load_access(uow, guard, caller, activity_id)
        require_marking(guard, access.view.organizations)
        member_id = data.member_id
        place = await member_place(uow, access.activity.tenant_id, member_id)
        if place is None:
            raise invalid_field(
                "member_id",
                "checkin_member_not_found",
                ErrorKind.NOT_FOUND,
                code="member_not_found",
            )
        member_path = place.organization_path
        method = CheckinMethod.SECRETARY
        tenant_id = access.activity.tenant_id
    else:
        assert me is not None
        member_id, member_path = me.id, me.organization_path
        method = CheckinMethod.SELF
        tenant_id = me.tenant_id
    contexts = await _checkin_contexts(
        uow, tenant_id, [activity_id], member_id, member_path, secret
    )
    ctx = contexts.get(activity_id)
    if ctx is None or not (on_behalf or ctx.visible):
        raise not_found()
    decision = evaluate_checkin(ctx.rules, checkin_attempt(data, member_id, method), now=now)
    if not decision.accepted:
        raise _reject(decision)
    row = Checkin(
        tenant_id=ctx.tenant_id,
        id=new_id(),
        activity_id=activity_id,
        member_id=member_id,
        source=_source(method, ctx.rules, offline=False),
        occurred_at=decision.effective_at,
        recorded_at=now,
        recorded_by=caller.user_id,
        latitude=data.latitude,
        longitude=data.longitude,
        accuracy_m=data.accuracy_m,
        distance_m=decision.distance_m,
    )
    inserted = await _insert_checkins(uow, [row])
    if not inserted:
        raise _reject(CheckinDecision(CheckinOutcome.DUPLICATE, now))
    checkin_records.audit_created(uow, row)
    return _checkin_view(row)


def checkin_attempt(
    data: CheckinInput, member_id: uuid.UUID, method: CheckinMethod
) -> CheckinAttempt:
    location = None
    if data.latitude is not None or data.longitude is not None:
        if data.latitude is None or data.longitude is None:
            raise invalid_field(
                "longitude", "activity_coordinates_incomplete", code="coordinates_incomplete"
            )
        location = GeoPoint(data.latitude, data.longitude)
    return CheckinAttempt(
        member_id=member_id,
        method=method,
        token=data.token,
        location=location,
        accuracy_m=data.accuracy_m,
    )


def _not_a_member() -> DomainError:
    return MESSAGES.error("not_a_member_to_check_in", ErrorKind.FORBIDDEN, code="not_a_member")


def _checkin_view(row: Checkin) -> CheckinView:
    return CheckinView(
        id=row.id,
        activity_id=row.activity_id,
        member_id=row.member_id,
        source=row.source,
        occurred_at=row.occurred_at,
        recorded_at=row.recorded_at,
        recorded_by=row.recorded_by,
        client_id=row.client_id,
        distance_m=row.distance_m,
    )


_CHECKIN_COLUMNS = (
    "tenant_id",
    "id",
    "activity_id",
    "member_id",
    "source",
    "occurred_at",
    "recorded_at",
    "recorded_by",
    "client_id",
    "latitude",
    "longitude",
    "accuracy_m",
    "distance_m",
)


async def _insert_checkins(uow: UnitOfWork, rows: Sequence[Checkin]) -> set[uuid.UUID]:
    """Insert; a row clashing with an existing check-in (member or client id) is skipped.

    Each accepted check-in gets its `checkin.recorded` outbox event in the same transaction,
    placed at its activity's organizer. Returns the ids actually inserted.
    """
    if not rows:
        return set()
    # Multi-row VALUES: on Citus an INSERT … SELECT would run as a COPY, refused under RLS.
    statement = (
        pg_insert(Checkin)
        .values([{c: getattr(r, c) for c in _CHECKIN_COLUMNS} for r in rows])
        .on_conflict_do_nothing()
        .returning(col(Checkin.id))
    )
    result = await uow.session.execute(statement)
    inserted = {r[0] for r in result}
    if not inserted:
        return inserted
    found = await uow.session.execute(
        select(Activity.id, Activity.organization_id).where(
            Activity.tenant_id == rows[0].tenant_id,  # type: ignore[arg-type]
            col(Activity.id).in_({r.activity_id for r in rows}),
        )
    )
    organizers = {activity_id: organizer for activity_id, organizer in found}
    for r in rows:
        if r.id in inserted:
            checkin_records.emit_recorded(uow, r, organizers[r.activity_id])
    return inserted


@dataclass(frozen=True, slots=True)
class SyncItem:
    client_id: str
    activity_id: uuid.UUID
    occurred_at: datetime
    token: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    accuracy_m: float | None = None


@dataclass(frozen=True, slots=True)
class SyncResult:
    client_id: str
    activity_id: uuid.UUID
    outcome: str
    code: str
    message: Message
    checkin_id: uuid.UUID | None = None


@dataclass(slots=True)
class _Pending:
    item: SyncItem
    row: Checkin | None = None
    result: SyncResult | None = None
    extra: dict[str, Any] = field(default_factory=dict)


_ACCEPTED = MESSAGES.message("checked_in")
_WITHDRAWN = MESSAGES.message("checkin_withdrawn")
_DUPLICATE = MESSAGES.message("already_checked_in")


async def sync_checkins(
    uow: UnitOfWork,
    caller: Caller,
    items: Sequence[SyncItem],
    *,
    secret: bytes,
    now: datetime,
) -> list[SyncResult]:
    """Upload a phone's offline check-ins; one result per item, in order.

    The same `client_id` always gives the same answer: an accepted item replayed (in this
    batch, a later one, or a concurrent one) is answered `accepted` with the same check-in
    id, because the database keeps one row per client id; once a secretary has removed
    that check-in, `withdrawn` with the same id (its client id is kept for this). Another
    item for a member already present is a `duplicate`. Rejected items write nothing and
    are judged again if sent again (the judgement rests on `occurred_at`, so it stays the
    same unless the activity changed).
    """
    if len(items) > SYNC_BATCH_LIMIT:
        raise MESSAGES.error(
            "batch_too_large",
            ErrorKind.TOO_LARGE,
            errors=[MESSAGES.field("items", "batch_too_large", limit=SYNC_BATCH_LIMIT)],
            limit=SYNC_BATCH_LIMIT,
        )
    me = await caller_member(uow, caller)
    if me is None:
        raise MESSAGES.error("not_a_member_to_sync", ErrorKind.FORBIDDEN, code="not_a_member")
    client_ids = list(dict.fromkeys(i.client_id for i in items))
    # client ids already used: by a check-in, or by one a secretary has since withdrawn
    existing = {
        r[0]: (r[1], r[2], r[3], r[4])
        for r in (
            await uow.session.execute(
                text(
                    "SELECT client_id, id, activity_id, member_id, false FROM checkin"
                    " WHERE tenant_id = :t AND client_id = ANY(:c)"
                    " UNION ALL"
                    " SELECT client_id, checkin_id, activity_id, member_id, true"
                    " FROM checkin_withdrawal WHERE tenant_id = :t AND client_id = ANY(:c)"
                ),
                {"t": me.tenant_id, "c": client_ids},
            )
        ).all()
    }
    contexts = await _checkin_contexts(
        uow,
        me.tenant_id,
        list(dict.fromkeys(i.activity_id for i in items)),
        me.id,
        me.organization_path,
        secret,
    )
    pending: list[_Pending] = []
    first_by_client: dict[str, _Pending] = {}
    present: dict[uuid.UUID, uuid.UUID | None] = {
        a: (uuid.UUID(int=0) if c.rules.checked_in_member_ids else None)
        for a, c in contexts.items()
    }
    for item in items:
        p = _Pending(item)
        pending.append(p)
        if item.client_id in first_by_client:
            p.extra["same_as"] = first_by_client[item.client_id]
            continue
        first_by_client[item.client_id] = p
        if item.client_id in existing:
            checkin_id, activity_id, member_id, withdrawn = existing[item.client_id]
            if activity_id == item.activity_id and member_id == me.id:
                outcome, message = (
                    ("withdrawn", _WITHDRAWN) if withdrawn else ("accepted", _ACCEPTED)
                )
                p.result = SyncResult(
                    item.client_id, item.activity_id, outcome, outcome, message, checkin_id
                )
            else:
                p.result = _rejected(item, "client_id_conflict", _CLIENT_ID_CONFLICT)
            continue
        ctx = contexts.get(item.activity_id)
        if ctx is None or ctx.tenant_id != me.tenant_id or not ctx.visible:
            p.result = _rejected(item, "activity_not_found", _ACTIVITY_NOT_FOUND)
            continue
        try:
            location = (
                GeoPoint(item.latitude, item.longitude)
                if item.latitude is not None and item.longitude is not None
                else None
            )
            attempt = CheckinAttempt(
                member_id=me.id,
                method=CheckinMethod.SELF,
                occurred_at=item.occurred_at,
                token=item.token,
                location=location,
                accuracy_m=item.accuracy_m,
            )
        except DomainError as error:
            p.result = _rejected(item, error.code, error.message)
            continue
        rules = ctx.rules
        if present.get(item.activity_id) is not None:
            rules = CheckinRules(
                activity_id=rules.activity_id,
                status=rules.status,
                starts_at=rules.starts_at,
                ends_at=rules.ends_at,
                expected_member_ids=rules.expected_member_ids,
                checked_in_member_ids=frozenset({me.id}),
                qr_secret=rules.qr_secret,
                geofence=rules.geofence,
                settings=rules.settings,
            )
        decision = evaluate_checkin(rules, attempt, now=now)
        if (
            decision.outcome is CheckinOutcome.DUPLICATE
            and ctx.checkin_client_id == item.client_id
            and ctx.checkin_id is not None
        ):
            # Recorded by a concurrent upload of this very item since we looked it up.
            p.result = SyncResult(
                item.client_id, item.activity_id, "accepted", "accepted", _ACCEPTED, ctx.checkin_id
            )
            continue
        if decision.outcome is CheckinOutcome.DUPLICATE:
            p.result = SyncResult(
                item.client_id, item.activity_id, "duplicate", "duplicate", _DUPLICATE
            )
            continue
        if not decision.accepted:
            p.result = _rejected(item, decision.code, decision.message)
            continue
        p.row = Checkin(
            tenant_id=me.tenant_id,
            id=new_id(),
            activity_id=item.activity_id,
            member_id=me.id,
            source="offline_sync",
            occurred_at=decision.effective_at,
            recorded_at=now,
            recorded_by=caller.user_id,
            client_id=item.client_id,
            latitude=item.latitude,
            longitude=item.longitude,
            accuracy_m=item.accuracy_m,
            distance_m=decision.distance_m,
        )
        present[item.activity_id] = p.row.id
    rows = [p.row for p in pending if p.row is not None]
    inserted = await _insert_checkins(uow, rows)
    lost = [p for p in pending if p.row is not None and p.row.id not in inserted]
    if lost:
        # A concurrent upload got there first: answer as it was answered.
        await _settle_races(uow, me.tenant_id, me.id, lost)
    accepted_ids: list[str] = []
    for p in pending:
        if p.row is not None and p.result is None:
            p.result = SyncResult(
                p.item.client_id, p.item.activity_id, "accepted", "accepted", _ACCEPTED, p.row.id
            )
            accepted_ids.append(str(p.row.id))
    results = []
    for p in pending:
        same = p.extra.get("same_as")
        result = same.result if same is not None else p.result
        assert result is not None
        if result.activity_id != p.item.activity_id:
            result = _rejected(p.item, "client_id_conflict", _CLIENT_ID_CONFLICT)
        results.append(result)
    if accepted_ids:
        uow.audit(
            "checkin.sync",
            "checkin",
            None,
            tenant_id=me.tenant_id,
            detail={
                "member_id": str(me.id),
                "items": len(items),
                "accepted": accepted_ids,
            },
        )
    return results


async def _settle_races(
    uow: UnitOfWork, tenant_id: uuid.UUID, member_id: uuid.UUID, lost: Sequence[_Pending]
) -> None:
    rows = (
        await uow.session.execute(
            text(
                "SELECT client_id, id, activity_id, member_id FROM checkin"
                " WHERE tenant_id = :t AND (client_id = ANY(:c)"
                "   OR (member_id = :m AND activity_id = ANY(:a)))"
            ),
            {
                "t": tenant_id,
                "c": [p.item.client_id for p in lost],
                "m": member_id,
                "a": [p.item.activity_id for p in lost],
            },
        )
    ).all()
    by_client = {r[0]: r for r in rows if r[0] is not None}
    for p in lost:
        item = p.item
        hit = by_client.get(item.client_id)
        if hit is not None and hit[2] == item.activity_id and hit[3] == member_id:
            p.result = SyncResult(
                item.client_id, item.activity_id, "accepted", "accepted", _ACCEPTED, hit[1]
            )
        elif hit is not None:
            p.result = _rejected(item, "client_id_conflict", _CLIENT_ID_CONFLICT)
        else:
            p.result = SyncResult(
                item.client_id, item.activity_id, "duplicate", "duplicate", _DUPLICATE
            )
        p.row = None


_CLIENT_ID_CONFLICT = MESSAGES.message("client_id_conflict")
_ACTIVITY_NOT_FOUND = MESSAGES.message("sync_activity_not_found")


def _rejected(item: SyncItem, code: str, message: Message) -> SyncResult:
    return SyncResult(item.client_id, item.activity_id, "rejected", code, message)
