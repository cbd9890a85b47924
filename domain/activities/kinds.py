"""Kinds of party activity (党组织活动), named as in the glossary.

三会一课 (three_meetings_one_lecture) is branch_congress, committee_meeting, group_meeting and
party_lecture; the other kinds come from the 支部工作条例 or are free-form.
"""

from __future__ import annotations

from enum import StrEnum


class ActivityKind(StrEnum):
    """What an activity is; drives who is expected, quorum and the compliance calendar."""

    BRANCH_CONGRESS = "branch_congress"
    COMMITTEE_MEETING = "committee_meeting"
    GROUP_MEETING = "group_meeting"
    PARTY_LECTURE = "party_lecture"
    THEME_DAY = "theme_day"
    ORG_LIFE_MEETING = "org_life_meeting"
    DEMOCRATIC_REVIEW = "democratic_review"
    HEART_TALK = "heart_talk"
    STUDY = "study"
    VOLUNTEER = "volunteer"
    OTHER = "other"

    @property
    def label_zh(self) -> str:
        return _LABELS[self][0]

    @property
    def label_en(self) -> str:
        return _LABELS[self][1]

    @property
    def committee_only(self) -> bool:
        """A 支委会 expects only the committee, not every member."""
        return self is ActivityKind.COMMITTEE_MEETING

    @property
    def is_three_meetings_one_lecture(self) -> bool:
        return self in _THREE_MEETINGS_ONE_LECTURE


_LABELS: dict[ActivityKind, tuple[str, str]] = {
    ActivityKind.BRANCH_CONGRESS: ("支部党员大会", "Branch congress"),
    ActivityKind.COMMITTEE_MEETING: ("支委会", "Branch committee meeting"),
    ActivityKind.GROUP_MEETING: ("党小组会", "Party group meeting"),
    ActivityKind.PARTY_LECTURE: ("党课", "Party lecture"),
    ActivityKind.THEME_DAY: ("主题党日", "Theme day"),
    ActivityKind.ORG_LIFE_MEETING: ("组织生活会", "Organizational life meeting"),
    ActivityKind.DEMOCRATIC_REVIEW: ("民主评议党员", "Democratic review of members"),
    ActivityKind.HEART_TALK: ("谈心谈话", "Heart-to-heart talk"),
    ActivityKind.STUDY: ("学习", "Study"),
    ActivityKind.VOLUNTEER: ("志愿服务", "Volunteer service"),
    ActivityKind.OTHER: ("其他", "Other"),
}

_THREE_MEETINGS_ONE_LECTURE = frozenset(
    {
        ActivityKind.BRANCH_CONGRESS,
        ActivityKind.COMMITTEE_MEETING,
        ActivityKind.GROUP_MEETING,
        ActivityKind.PARTY_LECTURE,
    }
)
