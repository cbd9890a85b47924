"""Who is expected at an activity (应到人员), derived from the organization roster."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum

from domain.activities.kinds import ActivityKind
from domain.activities.messages import MESSAGES
from domain.shared.errors import DomainError, ErrorKind


class MemberStatus(StrEnum):
    """预备党员 / 正式党员: only full members may vote (党章 第七条)."""

    PROBATIONARY = "probationary"
    FULL = "full"


@dataclass(frozen=True, slots=True)
class RosterEntry:
    """One member as the activity rules need them: plain data, read from the registry."""

    member_id: uuid.UUID
    status: MemberStatus
    is_committee_member: bool
    organization_id: uuid.UUID

    @property
    def may_vote(self) -> bool:
        return self.status is MemberStatus.FULL


@dataclass(frozen=True, slots=True)
class ExpectedAttendees:
    """The expected list of one activity; the secretary may add or remove people.

    Immutable: each edit returns a new list, so the caller stores exactly what it validated.
    """

    entries: tuple[RosterEntry, ...]

    def __iter__(self) -> Iterator[RosterEntry]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    def __contains__(self, member_id: object) -> bool:
        return any(e.member_id == member_id for e in self.entries)

    @property
    def member_ids(self) -> frozenset[uuid.UUID]:
        return frozenset(e.member_id for e in self.entries)

    def add(self, entry: RosterEntry) -> ExpectedAttendees:
        if entry.member_id in self:
            raise DomainError(
                code="already_expected",
                message=MESSAGES.message("already_expected"),
                kind=ErrorKind.CONFLICT,
            )
        return ExpectedAttendees((*self.entries, entry))

    def remove(self, member_id: uuid.UUID) -> ExpectedAttendees:
        if member_id not in self:
            raise DomainError(
                code="not_expected",
                message=MESSAGES.message("not_expected"),
                kind=ErrorKind.NOT_FOUND,
            )
        return ExpectedAttendees(tuple(e for e in self.entries if e.member_id != member_id))


def expected_attendees(
    kind: ActivityKind,
    organization_ids: Iterable[uuid.UUID],
    roster: Iterable[RosterEntry],
) -> ExpectedAttendees:
    """Everyone in the organizer organizations; only the committee for a 支委会.

    A joint activity (联学联建) lists several organizations and expects the members of each.
    A member listed twice in the roster is expected once (the first entry wins).
    """
    organizers = frozenset(organization_ids)
    if not organizers:
        raise DomainError(
            code="organization_required",
            message=MESSAGES.message("organization_required"),
        )
    seen: set[uuid.UUID] = set()
    chosen: list[RosterEntry] = []
    for entry in roster:
        if entry.organization_id not in organizers or entry.member_id in seen:
            continue
        if kind.committee_only and not entry.is_committee_member:
            continue
        seen.add(entry.member_id)
        chosen.append(entry)
    return ExpectedAttendees(tuple(chosen))


def on_path(member_path: str, org_path: str) -> bool:
    """Is the member's organization `org_path` itself or below it (ltree paths)?"""
    return member_path == org_path or member_path.startswith(org_path + ".")


def credited_organization(
    member_path: str, organizations: Iterable[tuple[uuid.UUID, str]]
) -> uuid.UUID | None:
    """The nearest of an activity's organizations (id, path) above the member's own, which
    the member's attendance counts for; None when the member is outside all of them."""
    nearest = sorted(organizations, key=lambda o: -len(o[1]))
    return next((org_id for org_id, path in nearest if on_path(member_path, path)), None)
