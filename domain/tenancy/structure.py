"""Structure warnings (组织设置提示): where an organization drifts from the 条例's shape.

These are advice for the secretary and the 机关工委, never refusals: the rules allow
exceptions with approval, and data often arrives before the organization is put right.

The thresholds (支部工作条例 2018; 党和国家机关基层组织工作条例):
- a 党支部 needs ≥ 3 full members, else it should be a joint branch; generally ≤ 50 members;
- with ≥ 7 full members a 党支部 needs a committee of at least 3 with 组织委员, 宣传委员 and
  纪检委员 filled (posts may be held concurrently, so they are checked as a set);
- a branch or 党总支 committee has at most 7 members;
- a 党总支 with ≥ 100 members should become a 基层党委. The reverse (党委 under 100, 党总支
  under 50) is allowed "确因工作需要" with approval, so it is not flagged;
- every kind but the party group needs a 书记; an expired term means 换届 is overdue, and a
  warning comes `TERM_WARNING_DAYS` before that; a temporary branch past its end date should
  be dissolved.
"""

from __future__ import annotations

from collections.abc import Set
from dataclasses import dataclass
from datetime import date, timedelta

from domain.shared.errors import Message
from domain.tenancy.committees import CommitteePost
from domain.tenancy.messages import MESSAGES
from domain.tenancy.organizations import OrgKind

MIN_BRANCH_FULL_MEMBERS = 3
MAX_BRANCH_MEMBERS = 50
COMMITTEE_THRESHOLD_FULL_MEMBERS = 7
MIN_COMMITTEE_SIZE = 3
MAX_COMMITTEE_SIZE = 7
PARTY_COMMITTEE_THRESHOLD_MEMBERS = 100
TERM_WARNING_DAYS = 90

REQUIRED_COMMITTEE_POSTS = (
    CommitteePost.ORGANIZATION_OFFICER,
    CommitteePost.PUBLICITY_OFFICER,
    CommitteePost.DISCIPLINE_OFFICER,
)


@dataclass(frozen=True, slots=True)
class StructureWarning:
    """One piece of advice; `code` is stable for clients, `message` is for people."""

    code: str
    message: Message


def structure_warnings(
    kind: OrgKind,
    *,
    full_member_count: int,
    member_count: int,
    posts_filled: Set[str],
    term_end: date | None,
    today: date,
    committee_size: int | None = None,
    ends_on: date | None = None,
) -> list[StructureWarning]:
    """Warnings for one organization from plain counts; never raises.

    `member_count` counts full and probationary members in the organization's whole subtree;
    `committee_size` is the number of committee members (people), and defaults to the number
    of distinct posts filled when the caller does not know it.
    """
    warnings: list[StructureWarning] = []
    size = len(posts_filled) if committee_size is None else committee_size
    if kind is not OrgKind.PARTY_GROUP and CommitteePost.SECRETARY not in posts_filled:
        warnings.append(
            StructureWarning(
                "no_secretary",
                MESSAGES.message("no_secretary", kind_zh=kind.zh, kind=kind.value),
            )
        )
    if kind is OrgKind.BRANCH:
        warnings.extend(_branch_warnings(full_member_count, member_count, posts_filled, size))
    if kind in (OrgKind.BRANCH, OrgKind.GENERAL_BRANCH) and size > MAX_COMMITTEE_SIZE:
        warnings.append(
            StructureWarning(
                "committee_too_large",
                MESSAGES.message("committee_too_large", size=size, most=MAX_COMMITTEE_SIZE),
            )
        )
    if kind is OrgKind.GENERAL_BRANCH and member_count >= PARTY_COMMITTEE_THRESHOLD_MEMBERS:
        warnings.append(
            StructureWarning(
                "general_branch_should_be_committee",
                MESSAGES.message(
                    "general_branch_should_be_committee",
                    count=member_count,
                    threshold=PARTY_COMMITTEE_THRESHOLD_MEMBERS,
                ),
            )
        )
    if term_end is not None and kind is not OrgKind.TEMPORARY_BRANCH:
        warnings.extend(_term_warnings(term_end, today))
    if kind is OrgKind.TEMPORARY_BRANCH and ends_on is not None and today > ends_on:
        warnings.append(
            StructureWarning(
                "temporary_branch_expired",
                MESSAGES.message("temporary_branch_expired", ends_on=ends_on.isoformat()),
            )
        )
    return warnings


def _branch_warnings(
    full_member_count: int, member_count: int, posts_filled: Set[str], size: int
) -> list[StructureWarning]:
    warnings: list[StructureWarning] = []
    if full_member_count < MIN_BRANCH_FULL_MEMBERS:
        warnings.append(
            StructureWarning(
                "branch_too_few_full_members",
                MESSAGES.message(
                    "branch_too_few_full_members",
                    count=full_member_count,
                    least=MIN_BRANCH_FULL_MEMBERS,
                ),
            )
        )
    if member_count > MAX_BRANCH_MEMBERS:
        warnings.append(
            StructureWarning(
                "branch_too_large",
                MESSAGES.message("branch_too_large", count=member_count, most=MAX_BRANCH_MEMBERS),
            )
        )
    if full_member_count >= COMMITTEE_THRESHOLD_FULL_MEMBERS:
        if size < MIN_COMMITTEE_SIZE:
            warnings.append(
                StructureWarning(
                    "branch_committee_missing",
                    MESSAGES.message(
                        "branch_committee_missing",
                        count=full_member_count,
                        least=MIN_COMMITTEE_SIZE,
                    ),
                )
            )
        missing = [post for post in REQUIRED_COMMITTEE_POSTS if post not in posts_filled]
        if missing:
            warnings.append(
                StructureWarning(
                    "branch_committee_posts_missing",
                    MESSAGES.message(
                        "branch_committee_posts_missing",
                        posts_zh="、".join(post.zh for post in missing),
                        posts=", ".join(post.value for post in missing),
                    ),
                )
            )
    return warnings


def _term_warnings(term_end: date, today: date) -> list[StructureWarning]:
    if today > term_end:
        return [
            StructureWarning(
                "term_expired",
                MESSAGES.message("term_expired", term_end=term_end.isoformat()),
            )
        ]
    if today >= term_end - timedelta(days=TERM_WARNING_DAYS):
        return [
            StructureWarning(
                "term_ending_soon",
                MESSAGES.message("term_ending_soon", term_end=term_end.isoformat()),
            )
        ]
    return []
