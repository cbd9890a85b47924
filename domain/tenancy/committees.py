"""Committee posts (支部委员会 / 委员会职务) and terms (任期)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from domain.tenancy.messages import MESSAGES
from domain.tenancy.organizations import OrgKind


class CommitteePost(StrEnum):
    """Post: 书记 / 副书记 / 组织委员 / 宣传委员 / 纪检委员."""

    SECRETARY = "secretary"
    DEPUTY_SECRETARY = "deputy_secretary"
    ORGANIZATION_OFFICER = "organization_officer"
    PUBLICITY_OFFICER = "publicity_officer"
    DISCIPLINE_OFFICER = "discipline_officer"

    @property
    def zh(self) -> str:
        return _POST_ZH[self]


_POST_ZH = {
    CommitteePost.SECRETARY: "书记",
    CommitteePost.DEPUTY_SECRETARY: "副书记",
    CommitteePost.ORGANIZATION_OFFICER: "组织委员",
    CommitteePost.PUBLICITY_OFFICER: "宣传委员",
    CommitteePost.DISCIPLINE_OFFICER: "纪检委员",
}

TERM_YEARS: dict[OrgKind, int] = {
    OrgKind.PARTY_COMMITTEE: 5,
    OrgKind.GENERAL_BRANCH: 3,
    OrgKind.BRANCH: 3,
}
"""Default term length per kind; a temporary branch ends with its task, a party group has none."""


@dataclass(frozen=True, slots=True)
class Term:
    """A committee's term (任期), both days inclusive."""

    start: date
    end: date


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def default_term(kind: OrgKind, start: date) -> Term | None:
    """The term that starts on `start` and ends the day before the anniversary, or None."""
    years = TERM_YEARS.get(kind)
    if years is None:
        return None
    return Term(start, _add_years(start, years) - timedelta(days=1))


def check_term(start: date, end: date) -> Term:
    if end <= start:
        raise MESSAGES.error(
            "term_invalid", errors=[MESSAGES.field("term_end", "term_ends_before_start")]
        )
    return Term(start, end)


def check_post(kind: OrgKind, post: CommitteePost) -> None:
    """A party group has a 组长, not a committee, so it holds no committee posts."""
    if kind is OrgKind.PARTY_GROUP:
        raise MESSAGES.error(
            "committee_post_invalid",
            errors=[
                MESSAGES.field(
                    "post", "committee_post_not_allowed", post_zh=post.zh, post=post.value
                )
            ],
        )


def posts_held(posts: Iterable[tuple[str, date | None]], today: date) -> set[str]:
    """The posts someone holds today: (post, term end) pairs whose term has not ended."""
    return {post for post, term_end in posts if term_end is None or term_end >= today}
