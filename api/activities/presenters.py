"""Use-case results → response bodies."""

from __future__ import annotations

import uuid
from collections import defaultdict

from api.activities import schemas as s
from domain.activities import ActivityKind, ComplianceRange, ComplianceStatus, period_label
from infra.activities import attendance, checkin, compliance, roster, visibility
from infra.activities.tables import LeaveRequestRow


def activity_out(v: visibility.ActivityView) -> s.ActivityOut:
    a = v.activity
    return s.ActivityOut(
        id=a.id,
        tenant_id=a.tenant_id,
        kind=a.kind,
        kind_label=ActivityKind(a.kind).label_zh,
        title=a.title,
        organization_id=a.organization_id,
        joint_organization_ids=v.joint_organization_ids,
        starts_at=a.starts_at,
        ends_at=a.ends_at,
        agenda=a.agenda,
        place=a.place,
        latitude=a.latitude,
        longitude=a.longitude,
        radius_m=a.radius_m,
        checkin=s.CheckinOptionsOut(
            qr_required=a.qr_required,
            geofence_enabled=a.geofence_enabled,
            window_minutes=a.window_minutes,
        ),
        status=a.status,
        cancel_reason=a.cancel_reason,
        expected_count=v.expected_count,
        created_at=a.created_at,
        updated_at=a.updated_at,
        version=a.version,
    )


def attendee_out(a: roster.AttendeeView) -> s.AttendeeOut:
    return s.AttendeeOut(
        member_id=a.member_id,
        name=a.name,
        organization_id=a.organization_id,
        member_status=a.member_status,
        is_committee_member=a.is_committee_member,
        source=a.source,
    )


def checkin_out(c: checkin.CheckinView) -> s.CheckinOut:
    return s.CheckinOut(
        id=c.id,
        activity_id=c.activity_id,
        member_id=c.member_id,
        source=c.source,
        occurred_at=c.occurred_at,
        recorded_at=c.recorded_at,
        recorded_by=c.recorded_by,
        client_id=c.client_id,
        distance_m=None if c.distance_m is None else round(c.distance_m, 1),
    )


def sync_out(results: list[checkin.SyncResult], lang: str) -> s.SyncOut:
    out = [
        s.SyncResultOut(
            client_id=r.client_id,
            activity_id=r.activity_id,
            outcome=r.outcome,
            code=r.code,
            message=r.message.pick(lang),
            checkin_id=r.checkin_id,
        )
        for r in results
    ]
    return s.SyncOut(
        results=out,
        accepted=sum(1 for r in results if r.outcome == "accepted"),
        duplicate=sum(1 for r in results if r.outcome == "duplicate"),
        rejected=sum(1 for r in results if r.outcome == "rejected"),
    )


def leave_out(r: LeaveRequestRow) -> s.LeaveOut:
    return s.LeaveOut(
        id=r.id,
        activity_id=r.activity_id,
        member_id=r.member_id,
        reason=r.reason,
        status=r.status,
        requested_at=r.requested_at,
        decided_by=r.decided_by,
        decided_at=r.decided_at,
        decision_note=r.decision_note,
    )


def _ratio(value: object) -> float | None:
    return None if value is None else round(float(value), 4)  # type: ignore[arg-type]


def attendance_out(v: attendance.AttendanceView) -> s.AttendanceOut:
    r = v.result
    q = v.quorum
    return s.AttendanceOut(
        activity_id=v.activity_id,
        kind=v.kind,
        expected=r.expected,
        present=r.present,
        on_leave=r.on_leave,
        absent=r.absent,
        rate=_ratio(r.rate),
        rate_excluding_leave=_ratio(r.rate_excluding_leave),
        quorum=None
        if q is None
        else s.QuorumOut(base=q.base, present=q.present, required=q.required, met=q.met),
        lines=[
            s.AttendanceLineOut(
                member_id=ln.member_id,
                name=ln.name,
                organization_id=ln.organization_id,
                member_status=ln.member_status,
                is_committee_member=ln.is_committee_member,
                status=ln.status,
                checked_in_at=ln.checked_in_at,
                source=ln.source,
            )
            for ln in v.lines
        ],
    )


def compliance_out(c: compliance.OrgCompliance, rng: ComplianceRange) -> s.ComplianceOut:
    by_kind: dict[ActivityKind, list[s.PeriodOut]] = defaultdict(list)
    frequency: dict[ActivityKind, str] = {}
    for p in c.periods:
        frequency[p.kind] = p.frequency.value
        by_kind[p.kind].append(
            s.PeriodOut(
                period=period_label(p.period),
                first_day=p.period.first_day,
                last_day=p.period.last_day,
                status=p.status.value,
                held_count=p.held_count,
            )
        )
    kinds = [
        s.KindComplianceOut(
            kind=k.value,
            kind_label=k.label_zh,
            frequency=frequency[k],
            held=sum(1 for p in periods if p.status == ComplianceStatus.HELD.value),
            due=sum(1 for p in periods if p.status == ComplianceStatus.DUE.value),
            overdue=sum(1 for p in periods if p.status == ComplianceStatus.OVERDUE.value),
            periods=periods,
        )
        for k in ActivityKind
        if (periods := by_kind.get(k))
    ]
    return s.ComplianceOut(
        organization_id=c.organization_id,
        name=c.name,
        period=rng.label,
        first_day=rng.first_day,
        last_day=rng.last_day,
        obligations_from=c.obligations.since,
        obligations_basis=c.obligations.basis,
        kinds=kinds,
    )


def rollup_out(v: compliance.RollupView) -> s.ComplianceRollupOut:
    def briefs(ids: tuple[uuid.UUID, ...]) -> list[s.OrgBrief]:
        return [s.OrgBrief(id=i, name=v.names.get(i, "")) for i in ids]

    return s.ComplianceRollupOut(
        period=v.range.label,
        first_day=v.range.first_day,
        last_day=v.range.last_day,
        organizations=v.organizations,
        kinds=[
            s.KindRollupOut(
                kind=k.value,
                kind_label=k.label_zh,
                held=len(r.held),
                due=len(r.due),
                overdue=len(r.overdue),
                not_held=v.organizations - len(r.held),
                due_organizations=briefs(r.due),
                overdue_organizations=briefs(r.overdue),
            )
            for k, r in v.kinds.items()
        ],
    )
