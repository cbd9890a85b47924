"""Member registry adapters: tables, field protection, queries, import and export."""

from infra.members.counts import count_members
from infra.members.rosters import (
    MemberPlace,
    active_members_under,
    member_names,
    member_of_user,
    member_place,
)

__all__ = [
    "MemberPlace",
    "active_members_under",
    "count_members",
    "member_names",
    "member_of_user",
    "member_place",
]
