"""Points adapters (积分): rule sets, the ledger fed by check-in events, manual awards.

The public face of the context's infrastructure: other modules import from here. Use
cases, one module each: `rule_sets`, `accrual` (what the relayed events record,
handled by `subscriptions`), `settling` (a relay round's records into the ledger, in
bulk), `ledger` (the one writer of entries and balances), `reading`,
`balances` (recompute and compare), `awards`, `profiles`; star ratings: `star_runs` (the
job), `star_scoring`, `indicators` (the registry other contexts plug into),
`star_reading` (who sees what), `star_appeals`, `star_scores` (manual items),
`star_schemes` (each tenant's versioned scheme).
"""

from infra.points.awards import decide, get_award, list_awards, propose
from infra.points.balances import Mismatch, Recomputed, recompute
from infra.points.indicators import Branches, register_indicator
from infra.points.profiles import set_profile
from infra.points.reading import Summary, member_entries, member_summary
from infra.points.rule_sets import StoredRuleSet, create_version, get_version, list_versions
from infra.points.star_appeals import decide_appeal, file_appeal
from infra.points.star_reading import (
    OrgDistribution,
    SeenRating,
    get_rating,
    get_run,
    list_ratings,
    star_distribution,
)
from infra.points.star_runs import queue_star_run, register_jobs
from infra.points.star_schemes import StoredScheme, read_scheme, set_scheme
from infra.points.star_scores import set_star_score
from infra.points.subscriptions import register_relay_handlers
from infra.points.tables import (
    PointAward,
    PointEntry,
    PointMemberProfile,
    StarAppeal,
    StarRating,
    StarRun,
    StarScore,
)
from infra.points.visibility import Reader

__all__ = [
    "Branches",
    "Mismatch",
    "OrgDistribution",
    "PointAward",
    "PointEntry",
    "PointMemberProfile",
    "Reader",
    "Recomputed",
    "SeenRating",
    "StarAppeal",
    "StarRating",
    "StarRun",
    "StarScore",
    "StoredRuleSet",
    "StoredScheme",
    "Summary",
    "create_version",
    "decide",
    "decide_appeal",
    "file_appeal",
    "get_award",
    "get_rating",
    "get_run",
    "get_version",
    "list_awards",
    "list_ratings",
    "list_versions",
    "member_entries",
    "member_summary",
    "propose",
    "queue_star_run",
    "read_scheme",
    "recompute",
    "register_indicator",
    "register_jobs",
    "register_relay_handlers",
    "set_profile",
    "set_scheme",
    "set_star_score",
    "star_distribution",
]
