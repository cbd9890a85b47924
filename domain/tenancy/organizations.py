"""Organizations (党组织): the tree of party organizations inside one tenant.

Nesting follows 机关 practice: a 机关工委 (the tenant itself) leads 机关党委, 党总支 and 直属
党支部 directly, so every kind except the party group may be a root of its tenant's tree; a
系统党委 may lead further 党委; a 党小组 exists only inside a 党支部.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from domain.shared.errors import DomainError, ErrorKind, FieldError
from domain.tenancy.messages import MESSAGES
from domain.tenancy.paths import is_within


class OrgKind(StrEnum):
    """Organization kind: 党委 / 党总支 / 党支部 / 党小组 / 临时党支部."""

    PARTY_COMMITTEE = "party_committee"
    GENERAL_BRANCH = "general_branch"
    BRANCH = "branch"
    PARTY_GROUP = "party_group"
    TEMPORARY_BRANCH = "temporary_branch"

    @property
    def zh(self) -> str:
        return _KIND_ZH[self]


_KIND_ZH = {
    OrgKind.PARTY_COMMITTEE: "党委",
    OrgKind.GENERAL_BRANCH: "党总支",
    OrgKind.BRANCH: "党支部",
    OrgKind.PARTY_GROUP: "党小组",
    OrgKind.TEMPORARY_BRANCH: "临时党支部",
}

ALLOWED_PARENTS: dict[OrgKind, frozenset[OrgKind | None]] = {
    OrgKind.PARTY_COMMITTEE: frozenset({None, OrgKind.PARTY_COMMITTEE}),
    OrgKind.GENERAL_BRANCH: frozenset({None, OrgKind.PARTY_COMMITTEE}),
    OrgKind.BRANCH: frozenset({None, OrgKind.PARTY_COMMITTEE, OrgKind.GENERAL_BRANCH}),
    OrgKind.TEMPORARY_BRANCH: frozenset({None, OrgKind.PARTY_COMMITTEE, OrgKind.GENERAL_BRANCH}),
    OrgKind.PARTY_GROUP: frozenset({OrgKind.BRANCH}),
}
"""Which kind may sit directly under which; `None` is the tenant root."""


def _refuse(
    code: str, errors: list[FieldError], kind: ErrorKind = ErrorKind.INVALID
) -> DomainError:
    return MESSAGES.error("organization_invalid", kind, code=code, errors=errors)


def _parent_error(kind: OrgKind, parent_kind: OrgKind | None) -> FieldError | None:
    if parent_kind in ALLOWED_PARENTS[kind]:
        return None
    root = MESSAGES.message("tenant_root")
    return MESSAGES.field(
        "parent_id",
        "organization_parent_kind_invalid",
        kind_zh=kind.zh,
        kind=kind.value,
        where_zh=root.zh if parent_kind is None else parent_kind.zh,
        where=root.en if parent_kind is None else parent_kind.value,
        allowed_zh="、".join(p.zh if p else root.zh for p in _ordered(ALLOWED_PARENTS[kind])),
    )


def _ordered(kinds: frozenset[OrgKind | None]) -> list[OrgKind | None]:
    order: list[OrgKind | None] = [None, *OrgKind]
    return [k for k in order if k in kinds]


def authority_error(kind: OrgKind, approval_authority: bool) -> FieldError | None:
    """审批权限 belongs to a 基层党委 only: a 党总支 or a branch never approves admissions."""
    if not approval_authority or kind is OrgKind.PARTY_COMMITTEE:
        return None
    return MESSAGES.field(
        "approval_authority",
        "organization_authority_committee_only",
        code="committee_only",
        kind_zh=kind.zh,
    )


def check_new_organization(
    kind: OrgKind,
    parent_kind: OrgKind | None,
    *,
    established_on: date | None = None,
    ends_on: date | None = None,
    approval_authority: bool = False,
) -> None:
    """Refuse a new organization whose place in the tree or whose dates break the rules.

    A temporary branch exists for a task, so it needs both dates and must end after it starts;
    other kinds have no end date (dissolving an organization is a separate act).
    """
    errors: list[FieldError] = []
    parent_error = _parent_error(kind, parent_kind)
    if parent_error:
        errors.append(parent_error)
    if kind is OrgKind.TEMPORARY_BRANCH:
        if established_on is None:
            errors.append(
                MESSAGES.field("established_on", "temporary_branch_needs_start", code="required")
            )
        if ends_on is None:
            errors.append(MESSAGES.field("ends_on", "temporary_branch_needs_end", code="required"))
        elif established_on is not None and ends_on <= established_on:
            errors.append(MESSAGES.field("ends_on", "organization_ends_before_start"))
    elif ends_on is not None:
        errors.append(
            MESSAGES.field("ends_on", "organization_end_date_not_allowed", kind_zh=kind.zh)
        )
    authority = authority_error(kind, approval_authority)
    if authority:
        errors.append(authority)
    if errors:
        raise _refuse("organization_invalid", errors)


def check_move(
    path: str,
    kind: OrgKind,
    new_parent_path: str | None,
    new_parent_kind: OrgKind | None,
) -> None:
    """Refuse moving a subtree under itself or its descendant, or under an unfit parent."""
    if new_parent_path is not None and is_within(new_parent_path, path):
        raise _refuse(
            "organization_move_into_own_subtree",
            [MESSAGES.field("parent_id", "organization_move_into_own_subtree")],
            ErrorKind.CONFLICT,
        )
    parent_error = _parent_error(kind, new_parent_kind)
    if parent_error:
        raise _refuse("organization_invalid", [parent_error])
