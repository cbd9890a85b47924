"""Where a member record may belong, and which organization an import means.

A member's record belongs to a 党支部 or one of its 党小组. An imported row names its branch
by name, which is ambiguous across a subtree: the rules below choose among the
organizations the importer can see and may import into, or refuse the row saying why.
"""

from __future__ import annotations

import unicodedata
import uuid
from dataclasses import dataclass, field

from domain.members.importing import RowRefusal
from domain.members.messages import MESSAGES
from domain.shared.access import not_found
from domain.shared.errors import ErrorKind, FieldError, Message

# Kinds of organization a member's record may belong to: a 党支部 or one of its 党小组.
# A 临时党支部 does not hold formal membership (组织关系 stays with the home branch), and
# 党委/党总支 hold their members through branches.
MEMBER_ORG_KINDS = frozenset({"branch", "party_group"})


def member_organization_error(kind: str, kind_zh: str, field_name: str) -> FieldError | None:
    """Why an organization of this kind (`kind_zh` its Chinese name) cannot hold members."""
    if kind in MEMBER_ORG_KINDS:
        return None
    return FieldError(
        field_name,
        "organization_kind",
        MESSAGES.message("members.organization_kind", kind_zh=kind_zh, kind=kind),
    )


@dataclass(frozen=True, slots=True)
class OrgRef:
    """An organization an import may name: ids, name, kind and tree paths."""

    id: uuid.UUID
    tenant_id: uuid.UUID
    name: str
    kind: str
    path: str
    tenant_path: str


@dataclass(slots=True)
class OrgAccess:
    """Organizations the caller can see, and those it may import members into."""

    orgs: dict[uuid.UUID, OrgRef]
    importable: set[uuid.UUID]
    home_tenant_id: uuid.UUID | None = None
    by_name: dict[str, list[OrgRef]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for org in self.orgs.values():
            self.by_name.setdefault(organization_name_key(org.name), []).append(org)


def organization_name_key(name: str) -> str:
    """A name as people type it: full-width forms folded (NFKC), whitespace ignored."""
    return "".join(unicodedata.normalize("NFKC", name).split())


def _refusal(row: int, code: str, message: Message) -> RowRefusal:
    return RowRefusal(row, (FieldError("organization_name", code, message),))


def resolve_org(
    access: OrgAccess, name: str, row: int, default: OrgRef | None
) -> OrgRef | RowRefusal:
    """The organization a row's branch name means: among those the importer may import
    into, the one under the default organization, else the one in the importer's own
    tenant; refused when none or several remain."""
    candidates = access.by_name.get(organization_name_key(name), [])
    if not candidates:
        return _refusal(
            row,
            "unknown_organization",
            MESSAGES.message("members.unknown_organization", name=name),
        )
    allowed = [org for org in candidates if org.id in access.importable]
    if not allowed:
        return _refusal(
            row,
            "organization_forbidden",
            MESSAGES.message("members.organization_forbidden", name=name),
        )
    if len(allowed) > 1 and default is not None:
        under = [o for o in allowed if o.tenant_id == default.tenant_id]
        under = [
            o for o in under if o.path == default.path or o.path.startswith(default.path + ".")
        ] or under
        allowed = under or allowed
    if len(allowed) > 1 and access.home_tenant_id is not None:
        allowed = [o for o in allowed if o.tenant_id == access.home_tenant_id] or allowed
    if len(allowed) > 1:
        return _refusal(
            row,
            "ambiguous_organization",
            MESSAGES.message("members.ambiguous_organization", name=name),
        )
    return allowed[0]


def default_organization(access: OrgAccess, wanted: uuid.UUID | str | None) -> OrgRef | None:
    """The organization rows without a branch are imported into, given by id or by name:
    it must be visible to the importer (else 404) and open to its imports (else 403)."""
    if wanted is None:
        return None
    if isinstance(wanted, uuid.UUID):
        found = access.orgs.get(wanted)
    else:
        named = access.by_name.get(organization_name_key(wanted), [])
        if len(named) > 1:
            raise MESSAGES.error(
                "members.default_organization_ambiguous",
                code="ambiguous_organization",
                wanted=wanted,
            )
        found = named[0] if named else None
    if found is None:
        raise not_found("organization")
    if found.id not in access.importable:
        raise MESSAGES.error("members.import_forbidden", ErrorKind.FORBIDDEN, code="forbidden")
    return found
