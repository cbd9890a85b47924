"""Points (积分): rule sets per tenant, evaluation of records into ledger entries, manual
awards with maker–checker. Pure rules, no I/O."""

from domain.points.awards import AwardStatus, check_decider, check_proposal
from domain.points.evaluation import (
    Cause,
    MemberFacts,
    age_on,
    capped,
    check_period,
    excluded,
    items_earned,
    period_end,
    period_of,
    settle,
    within,
)
from domain.points.messages import MESSAGES
from domain.points.rules import (
    Exclusion,
    ExclusionKind,
    ItemDraft,
    MemberClass,
    PeriodKind,
    RuleItem,
    RuleSet,
    RuleSetDraft,
    Source,
    check_conditions,
    validate_rule_set,
    version_on,
)

__all__ = [
    "MESSAGES",
    "AwardStatus",
    "Cause",
    "Exclusion",
    "ExclusionKind",
    "ItemDraft",
    "MemberClass",
    "MemberFacts",
    "PeriodKind",
    "RuleItem",
    "RuleSet",
    "RuleSetDraft",
    "Source",
    "age_on",
    "capped",
    "check_conditions",
    "check_decider",
    "check_period",
    "check_proposal",
    "excluded",
    "items_earned",
    "period_end",
    "period_of",
    "settle",
    "validate_rule_set",
    "version_on",
    "within",
]
