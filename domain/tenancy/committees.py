"""Committee posts (支部委员会 / 委员会职务) and terms (任期)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from domain.shared.errors import DomainError, FieldError, Message
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
        raise DomainError(
            code="term_invalid",
            message=Message(zh="任期不符合规则", en="The term is invalid"),
            errors=[
                FieldError(
                    "term_end",
                    "term_ends_before_start",
                    Message(zh="任期结束日期须晚于开始日期", en="A term must end after it starts"),
                )
            ],
        )
    return Term(start, end)


def check_post(kind: OrgKind, post: CommitteePost) -> None:
    """A party group has a 组长, not a committee, so it holds no committee posts."""
    if kind is OrgKind.PARTY_GROUP:
        raise DomainError(
            code="committee_post_invalid",
            message=Message(zh="党小组不设委员会职务", en="A party group has no committee posts"),
            errors=[
                FieldError(
                    "post",
                    "committee_post_not_allowed",
                    Message(zh=f"党小组不设{post.zh}", en=f"A party group has no {post.value}"),
                )
            ],
        )


def posts_held(posts: Iterable[tuple[str, date | None]], today: date) -> set[str]:
    """The posts someone holds today: (post, term end) pairs whose term has not ended."""
    return {post for post, term_end in posts if term_end is None or term_end >= today}
