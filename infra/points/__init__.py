"""Points adapters (积分): rule sets, the ledger fed by check-in events, manual awards.

The public face of the context's infrastructure: other modules import from here. Use
cases, one module each: `rule_sets`, `accrual` (relay handlers, registered by
`subscriptions`), `ledger` (the one writer of entries and balances), `reading`,
`balances` (recompute and compare), `awards`, `profiles`.
"""

from infra.points.awards import decide, get_award, list_awards, propose
from infra.points.balances import Mismatch, Recomputed, recompute
from infra.points.profiles import set_profile
from infra.points.reading import Summary, member_entries, member_summary
from infra.points.rule_sets import StoredRuleSet, create_version, get_version, list_versions
from infra.points.subscriptions import register_relay_handlers
from infra.points.tables import PointAward, PointEntry, PointMemberProfile
from infra.points.visibility import Reader

__all__ = [
    "Mismatch",
    "PointAward",
    "PointEntry",
    "PointMemberProfile",
    "Reader",
    "Recomputed",
    "StoredRuleSet",
    "Summary",
    "create_version",
    "decide",
    "get_award",
    "get_version",
    "list_awards",
    "list_versions",
    "member_entries",
    "member_summary",
    "propose",
    "recompute",
    "register_relay_handlers",
    "set_profile",
]
