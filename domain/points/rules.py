"""Point rule sets (积分规则): versions, items, member classes and exclusions.

There is no national standard, so every tenant writes its own scheme (domain-rules §6);
a child tenant without one uses its nearest ancestor's. A version applies from its date
until the next version starts, and points keep the version they were earned under.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from domain.points.messages import MESSAGES
from domain.shared.errors import FieldError


class Source(StrEnum):
    """What earns an item's points."""

    ATTENDANCE = "attendance"  # 出席某类活动
    EXCUSED_LEAVE = "excused_leave"  # 请假
    UNEXCUSED_ABSENCE = "unexcused_absence"  # 无故缺席
    EVIDENCE_UPLOAD = "evidence_upload"  # 本人上传佐证材料
    VOLUNTEER_HOURS = "volunteer_hours"  # 志愿服务时长
    MANUAL_AWARD = "manual_award"  # 人工奖扣的某一类别


class PeriodKind(StrEnum):
    """How long a cap and a balance run."""

    YEARLY = "yearly"
    QUARTERLY = "quarterly"
    MONTHLY = "monthly"


class ExclusionKind(StrEnum):
    AGE_AT_LEAST = "age_at_least"  # e.g. 70 岁以上
    CONDITION = "condition"  # e.g. long_illness (长期患病), recorded per member


@dataclass(frozen=True, slots=True)
class MemberClass:
    """A class of member the tenant defines (骨干, 普通, 流动, 特殊 …)."""

    code: str
    name: str


@dataclass(frozen=True, slots=True)
class RuleItem:
    """One way to earn or lose points; `classes` empty means every member."""

    code: str
    name: str
    points: int
    source: Source
    activity_kind: str | None = None
    category: str | None = None
    cap_per_period: int | None = None
    classes: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Exclusion:
    """Members who earn nothing under the version (aged 70+, long illness …)."""

    kind: ExclusionKind
    years: int | None = None
    condition: str | None = None


@dataclass(frozen=True, slots=True)
class RuleSet:
    """One version of a tenant's scheme."""

    version: int
    effective_from: date
    base_score: int
    period: PeriodKind
    classes: tuple[MemberClass, ...] = ()
    items: tuple[RuleItem, ...] = ()
    exclusions: tuple[Exclusion, ...] = ()


@dataclass(frozen=True, slots=True)
class ItemDraft:
    """An item as written, before validation (`source` may be missing)."""

    code: str
    name: str
    points: int
    source: Source | None
    activity_kind: str | None = None
    category: str | None = None
    cap_per_period: int | None = None
    classes: Sequence[str] = ()


@dataclass(frozen=True, slots=True)
class RuleSetDraft:
    effective_from: date
    base_score: int
    period: PeriodKind
    classes: Sequence[MemberClass] = ()
    items: Sequence[ItemDraft] = ()
    exclusions: Sequence[Exclusion] = field(default_factory=tuple)


def validate_rule_set(
    draft: RuleSetDraft,
    *,
    activity_kinds: Collection[str],
    existing: Sequence[RuleSet],
) -> RuleSet:
    """The next version of a tenant's scheme, or every field error at once."""
    errors: list[FieldError] = []
    class_codes: set[str] = set()
    for i, c in enumerate(draft.classes):
        if c.code in class_codes:
            errors.append(
                MESSAGES.field(f"classes[{i}].code", "point_class_repeated", klass=c.code)
            )
        class_codes.add(c.code)
    items: list[RuleItem] = []
    seen: set[str] = set()
    for i, item in enumerate(draft.items):
        item_errors = _item_errors(f"items[{i}]", item, activity_kinds, class_codes)
        if item.code in seen:
            item_errors.append(
                MESSAGES.field(f"items[{i}].code", "point_item_code_repeated", item=item.code)
            )
        seen.add(item.code)
        errors.extend(item_errors)
        if not item_errors and item.source is not None:
            items.append(
                RuleItem(
                    code=item.code,
                    name=item.name,
                    points=item.points,
                    source=item.source,
                    activity_kind=item.activity_kind,
                    category=item.category,
                    cap_per_period=item.cap_per_period,
                    classes=frozenset(item.classes),
                )
            )
    for i, ex in enumerate(draft.exclusions):
        if ex.kind is ExclusionKind.AGE_AT_LEAST and ex.years is None:
            errors.append(MESSAGES.field(f"exclusions[{i}].years", "point_exclusion_age_missing"))
        if ex.kind is ExclusionKind.CONDITION and not ex.condition:
            errors.append(
                MESSAGES.field(f"exclusions[{i}].condition", "point_exclusion_condition_missing")
            )
    latest = max(existing, key=lambda r: r.version, default=None)
    if latest is not None and draft.effective_from <= latest.effective_from:
        errors.append(
            MESSAGES.field(
                "effective_from",
                "point_version_overlaps",
                version=latest.version,
                start=latest.effective_from.isoformat(),
            )
        )
    if errors:
        raise MESSAGES.error("point_rules_invalid", errors=errors)
    return RuleSet(
        version=(latest.version + 1) if latest else 1,
        effective_from=draft.effective_from,
        base_score=draft.base_score,
        period=draft.period,
        classes=tuple(draft.classes),
        items=tuple(items),
        exclusions=tuple(draft.exclusions),
    )


def _item_errors(
    at: str, item: ItemDraft, activity_kinds: Collection[str], class_codes: set[str]
) -> list[FieldError]:
    errors: list[FieldError] = []
    if item.source is None:
        errors.append(MESSAGES.field(f"{at}.source", "point_item_source_missing"))
    elif item.source is Source.ATTENDANCE:
        if not item.activity_kind:
            errors.append(MESSAGES.field(f"{at}.activity_kind", "point_item_kind_missing"))
    elif item.source is Source.MANUAL_AWARD and not item.category:
        errors.append(MESSAGES.field(f"{at}.category", "point_item_category_missing"))
    if item.activity_kind and item.activity_kind not in activity_kinds:
        errors.append(
            MESSAGES.field(
                f"{at}.activity_kind", "point_item_kind_unknown", kind=item.activity_kind
            )
        )
    if item.points == 0:
        errors.append(MESSAGES.field(f"{at}.points", "point_item_points_zero"))
    elif item.cap_per_period is not None and item.cap_per_period < abs(item.points):
        errors.append(
            MESSAGES.field(
                f"{at}.cap_per_period",
                "point_item_cap_below_award",
                cap=item.cap_per_period,
                points=abs(item.points),
            )
        )
    for j, code in enumerate(item.classes):
        if code not in class_codes:
            errors.append(MESSAGES.field(f"{at}.classes[{j}]", "point_class_unknown", klass=code))
    return errors


def version_on(versions: Sequence[RuleSet], day: date) -> RuleSet | None:
    """The version in force on `day`: the latest one started by then."""
    started = [v for v in versions if v.effective_from <= day]
    return max(started, key=lambda v: v.effective_from, default=None)


def check_conditions(conditions: Sequence[str]) -> list[str]:
    """A member's conditions (long illness …) as exclusions name them: short, not blank."""
    errors = [
        MESSAGES.field(f"conditions[{i}]", "point_condition_invalid")
        for i, c in enumerate(conditions)
        if not 1 <= len(c.strip()) <= 40
    ]
    if errors:
        raise MESSAGES.error("point_rules_invalid", errors=errors)
    return sorted({c.strip() for c in conditions})
