"""Where a member record may belong, and which organization an import row's branch means."""

import uuid

import pytest

from domain.members import (
    MEMBER_ORG_KINDS,
    OrgAccess,
    OrgRef,
    RowRefusal,
    default_organization,
    member_organization_error,
    organization_name_key,
    resolve_org,
)
from domain.shared.errors import DomainError, ErrorKind

HOME = uuid.uuid4()
OTHER = uuid.uuid4()


def org(name: str, path: str, *, tenant: uuid.UUID = HOME, kind: str = "branch") -> OrgRef:
    return OrgRef(uuid.uuid4(), tenant, name, kind, path, "zb.440000")


def access(*orgs: OrgRef, importable: set[uuid.UUID] | None = None) -> OrgAccess:
    ids = {o.id for o in orgs} if importable is None else importable
    return OrgAccess(orgs={o.id: o for o in orgs}, importable=ids, home_tenant_id=HOME)


def codes(result: OrgRef | RowRefusal) -> list[str]:
    assert isinstance(result, RowRefusal)
    return [e.code for e in result.errors]


def test_members_belong_to_branches_and_party_groups_only() -> None:
    assert {"branch", "party_group"} == MEMBER_ORG_KINDS
    assert member_organization_error("branch", "党支部", "organization_id") is None
    assert member_organization_error("party_group", "党小组", "organization_id") is None
    error = member_organization_error("temporary_branch", "临时党支部", "organization_name")
    assert error is not None
    assert (error.field, error.code) == ("organization_name", "organization_kind")
    assert "临时党支部" in error.message.pick("zh")


def test_names_match_whatever_the_width_and_spacing() -> None:
    assert organization_name_key("第一 党支部") == organization_name_key("第一党支部")
    assert organization_name_key("ＡＢ党支部") == organization_name_key("AB党支部")
    branch = org("机关第一党支部", "a.b")
    assert resolve_org(access(branch), " 机关 第一党支部 ", 2, None) == branch


def test_unknown_forbidden_and_ambiguous_names_are_refused_for_the_row() -> None:
    one, two = org("第一党支部", "a.b"), org("第一党支部", "a.c")
    assert codes(resolve_org(access(one), "第二党支部", 3, None)) == ["unknown_organization"]
    assert codes(resolve_org(access(one, importable=set()), "第一党支部", 3, None)) == [
        "organization_forbidden"
    ]
    assert codes(resolve_org(access(one, two), "第一党支部", 3, None)) == ["ambiguous_organization"]


def test_a_shared_name_means_the_one_under_the_default_then_in_the_home_tenant() -> None:
    committee = org("机关党委", "a", kind="party_committee")
    under = org("第一党支部", "a.b")
    beside = org("第一党支部", "c.d")
    assert resolve_org(access(committee, under, beside), "第一党支部", 2, committee) == under
    home = org("第一党支部", "a.b")
    away = org("第一党支部", "a.b", tenant=OTHER)
    assert resolve_org(access(home, away), "第一党支部", 2, None) == home


def test_the_default_organization_is_checked_once_by_id_or_by_name() -> None:
    branch, hidden = org("第一党支部", "a.b"), org("第二党支部", "a.c")
    targets = access(branch, hidden, importable={branch.id})
    assert default_organization(targets, None) is None
    assert default_organization(targets, branch.id) == branch
    assert default_organization(targets, "第一 党支部") == branch
    with pytest.raises(DomainError) as missing:
        default_organization(targets, uuid.uuid4())
    assert (missing.value.code, missing.value.kind) == (
        "organization_not_found",
        ErrorKind.NOT_FOUND,
    )
    with pytest.raises(DomainError) as by_name:
        default_organization(targets, "第三党支部")
    assert by_name.value.code == "organization_not_found"
    with pytest.raises(DomainError) as refused:
        default_organization(targets, hidden.id)
    assert (refused.value.code, refused.value.kind) == ("forbidden", ErrorKind.FORBIDDEN)
    twins = access(org("第一党支部", "a.b"), org("第一党支部", "a.c"))
    with pytest.raises(DomainError) as ambiguous:
        default_organization(twins, "第一党支部")
    assert ambiguous.value.code == "ambiguous_organization"
