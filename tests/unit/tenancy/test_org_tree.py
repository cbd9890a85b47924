import uuid
from datetime import date

import pytest

from domain.shared import ErrorKind
from domain.shared.errors import DomainError
from domain.tenancy import (
    OrgKind,
    authority_error,
    check_move,
    check_new_organization,
    move_path,
    org_child_path,
    org_domain,
    org_ids_on_path,
    org_label,
    parse_domain,
    subtree,
    tenant_domain,
)

K = OrgKind


@pytest.mark.parametrize(
    ("kind", "parent"),
    [
        (K.PARTY_COMMITTEE, None),
        (K.PARTY_COMMITTEE, K.PARTY_COMMITTEE),
        (K.GENERAL_BRANCH, K.PARTY_COMMITTEE),
        (K.BRANCH, K.GENERAL_BRANCH),
        (K.BRANCH, K.PARTY_COMMITTEE),
        (K.BRANCH, None),
        (K.PARTY_GROUP, K.BRANCH),
    ],
)
def test_allowed_nesting(kind: OrgKind, parent: OrgKind | None) -> None:
    check_new_organization(kind, parent)


@pytest.mark.parametrize(
    ("kind", "parent"),
    [
        (K.PARTY_GROUP, None),
        (K.PARTY_GROUP, K.GENERAL_BRANCH),
        (K.PARTY_GROUP, K.TEMPORARY_BRANCH),
        (K.BRANCH, K.BRANCH),
        (K.BRANCH, K.PARTY_GROUP),
        (K.GENERAL_BRANCH, K.GENERAL_BRANCH),
        (K.GENERAL_BRANCH, K.BRANCH),
        (K.PARTY_COMMITTEE, K.GENERAL_BRANCH),
    ],
)
def test_refused_nesting(kind: OrgKind, parent: OrgKind | None) -> None:
    with pytest.raises(DomainError) as exc:
        check_new_organization(kind, parent)
    assert [(e.field, e.code) for e in exc.value.errors] == [
        ("parent_id", "organization_parent_kind_invalid")
    ]


def test_temporary_branch_needs_an_end_after_its_start() -> None:
    check_new_organization(
        K.TEMPORARY_BRANCH,
        K.PARTY_COMMITTEE,
        established_on=date(2025, 3, 1),
        ends_on=date(2025, 9, 1),
    )
    with pytest.raises(DomainError) as exc:
        check_new_organization(
            K.TEMPORARY_BRANCH,
            K.PARTY_COMMITTEE,
            established_on=date(2025, 3, 1),
            ends_on=date(2025, 3, 1),
        )
    assert [e.code for e in exc.value.errors] == ["organization_ends_before_start"]


def test_temporary_branch_without_dates_is_refused() -> None:
    with pytest.raises(DomainError) as exc:
        check_new_organization(K.TEMPORARY_BRANCH, K.GENERAL_BRANCH)
    assert [(e.field, e.code) for e in exc.value.errors] == [
        ("established_on", "required"),
        ("ends_on", "required"),
    ]


def test_only_temporary_branches_have_an_end_date() -> None:
    with pytest.raises(DomainError) as exc:
        check_new_organization(K.BRANCH, None, ends_on=date(2030, 1, 1))
    assert [e.code for e in exc.value.errors] == ["organization_end_date_not_allowed"]


A, B, C = (uuid.UUID(int=n) for n in (1, 2, 3))


def test_org_paths_are_built_from_id_labels() -> None:
    root = org_child_path(None, A)
    assert root == "o" + A.hex
    assert len(org_label(B)) == 33
    assert org_child_path(root, B) == f"o{A.hex}.o{B.hex}"


def test_an_org_path_names_the_organization_and_its_ancestors_root_first() -> None:
    root, branch = uuid.uuid4(), uuid.uuid4()
    assert org_ids_on_path(org_child_path(org_child_path(None, root), branch)) == [root, branch]


def test_moving_under_itself_or_a_descendant_is_refused() -> None:
    node = org_child_path(None, A)
    child = org_child_path(node, B)
    for target in (node, child):
        with pytest.raises(DomainError) as exc:
            check_move(node, K.PARTY_COMMITTEE, target, K.PARTY_COMMITTEE)
        assert exc.value.code == "organization_move_into_own_subtree"
        assert exc.value.kind is ErrorKind.CONFLICT


def test_a_sibling_whose_label_shares_a_prefix_is_not_a_descendant() -> None:
    check_move("o1", K.BRANCH, "o12", K.GENERAL_BRANCH)


def test_move_to_an_unfit_parent_is_refused() -> None:
    with pytest.raises(DomainError) as exc:
        check_move("o1", K.BRANCH, "o2", K.BRANCH)
    assert exc.value.code == "organization_invalid"


def test_move_to_the_tenant_root() -> None:
    check_move("o1.o2", K.BRANCH, None, None)


def test_move_path_rewrites_the_prefix() -> None:
    assert move_path("o1.o2", "o9", "o1.o2.o3.o4") == "o9.o3.o4"
    assert move_path("o1.o2", "o9", "o1.o2") == "o9"
    with pytest.raises(ValueError, match="not within"):
        move_path("o1.o2", "o9", "o1.o23")


def test_casbin_domains_round_trip_to_paths() -> None:
    org = org_child_path(None, uuid.UUID(int=7))
    assert tenant_domain("zb.440000") == "zb/440000/"
    assert subtree(org_domain("zb.440000", org)) == f"zb/440000/{org}/*"
    assert parse_domain(subtree(org_domain("zb.440000", org))) == ("zb.440000", org)
    assert parse_domain(tenant_domain("zb.440000.440300")) == ("zb.440000.440300", None)


@pytest.mark.parametrize("kind", [k for k in OrgKind if k is not K.PARTY_COMMITTEE])
def test_approval_authority_belongs_to_a_party_committee_only(kind: OrgKind) -> None:
    assert authority_error(K.PARTY_COMMITTEE, True) is None
    assert authority_error(kind, False) is None
    error = authority_error(kind, True)
    assert error is not None
    assert (error.field, error.code) == ("approval_authority", "committee_only")
    parent = K.BRANCH if kind is K.PARTY_GROUP else K.PARTY_COMMITTEE
    dates = {"established_on": date(2026, 1, 1), "ends_on": date(2026, 6, 1)}
    temporary = dates if kind is K.TEMPORARY_BRANCH else {}
    with pytest.raises(DomainError) as caught:
        check_new_organization(kind, parent, approval_authority=True, **temporary)
    assert [e.code for e in caught.value.errors] == ["committee_only"]
