"""Domain and stored values as the points endpoints present them."""

from __future__ import annotations

from api.points import schemas as s
from domain.points import (
    Exclusion,
    ExclusionKind,
    ItemDraft,
    MemberClass,
    PeriodKind,
    RuleSetDraft,
    Source,
)
from infra.points import PointAward, PointEntry, StoredRuleSet, Summary


def draft_of(data: s.RuleSetIn) -> RuleSetDraft:
    return RuleSetDraft(
        effective_from=data.effective_from,
        base_score=data.base_score,
        period=PeriodKind(data.period),
        classes=[MemberClass(c.code, c.name) for c in data.classes],
        items=[
            ItemDraft(
                code=i.code,
                name=i.name,
                points=i.points,
                source=Source(i.source) if i.source else None,
                activity_kind=i.activity_kind,
                category=i.category,
                cap_per_period=i.cap_per_period,
                classes=i.classes,
            )
            for i in data.items
        ],
        exclusions=[
            Exclusion(ExclusionKind(e.kind), e.years, e.condition) for e in data.exclusions
        ],
    )


def rule_set_out(stored: StoredRuleSet) -> s.RuleSetOut:
    rules = stored.rules
    return s.RuleSetOut(
        id=stored.id,
        tenant_id=stored.tenant_id,
        version=rules.version,
        effective_from=rules.effective_from,
        base_score=rules.base_score,
        period=rules.period.value,
        classes=[s.MemberClassOut(code=c.code, name=c.name) for c in rules.classes],
        items=[
            s.RuleItemOut(
                code=i.code,
                name=i.name,
                points=i.points,
                source=i.source.value,
                activity_kind=i.activity_kind,
                category=i.category,
                cap_per_period=i.cap_per_period,
                classes=sorted(i.classes),
            )
            for i in rules.items
        ],
        exclusions=[
            s.ExclusionOut(kind=e.kind.value, years=e.years, condition=e.condition)
            for e in rules.exclusions
        ],
    )


def entry_out(e: PointEntry) -> s.EntryOut:
    return s.EntryOut(
        id=e.id,
        member_id=e.member_id,
        period=e.period,
        kind=e.kind,
        points=e.points,
        rule_version=e.rule_version,
        item_code=e.item_code,
        cause_type=e.cause_type,
        cause_id=e.cause_id,
        created_at=e.created_at,
    )


def summary_out(x: Summary) -> s.SummaryOut:
    return s.SummaryOut(
        member_id=x.member_id,
        period=x.period,
        base_score=x.base_score,
        earned=x.earned,
        total=x.total,
        entries=x.entries,
        rule_version=x.rule_version,
    )


def award_out(a: PointAward) -> s.AwardOut:
    return s.AwardOut(
        id=a.id,
        member_id=a.member_id,
        organization_id=a.organization_id,
        points=a.points,
        category=a.category,
        reason=a.reason,
        evidence_ids=list(a.evidence_ids),
        status=a.status,
        proposed_by=a.proposed_by,
        proposed_at=a.proposed_at,
        decided_by=a.decided_by,
        decided_at=a.decided_at,
        decision_reason=a.decision_reason,
    )
