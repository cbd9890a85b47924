"""Who approves admission (审批权限, 细则 第二十四条).

Only a 基层党委 with approval authority approves admission and 转正: a 党总支 never does
(it passes the file to the 党委 above it), and neither does a 村/社区党委 or any 党委 its
tenant administrator has not given the authority. The approving organization is taken from the
organization tree: the nearest 党委 above the branch that holds the authority.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from domain.development.messages import MESSAGES
from domain.shared.errors import DomainError, ErrorKind

PARTY_COMMITTEE = "party_committee"


@dataclass(frozen=True, slots=True)
class OrgNode:
    """An organization on the way up from the branch."""

    id: uuid.UUID
    kind: str
    name: str
    domain: str
    has_authority: bool
    """审批权限, as the tenant administrator set it on the organization (tenancy's data);
    false for a 村/社区党委 and any 党委 not given it."""


def may_approve(node: OrgNode) -> bool:
    """A 党委 with authority; never a 党总支, 党支部 or 党小组."""
    return node.kind == PARTY_COMMITTEE and node.has_authority


def approving_organization(ancestors: Sequence[OrgNode]) -> OrgNode:
    """The nearest organization above the branch that may approve (ancestors nearest
    first); refused when the branch has none in the tree."""
    for node in ancestors:
        if may_approve(node):
            return node
    raise MESSAGES.error("development_no_approver", ErrorKind.CONFLICT)


def check_approver(node: OrgNode) -> DomainError | None:
    """Why `node` may not approve, or None when it may."""
    if may_approve(node):
        return None
    return MESSAGES.error(
        "development_not_approver", ErrorKind.FORBIDDEN, code="approval_authority", name=node.name
    )
