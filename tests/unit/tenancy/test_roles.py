import pytest

from domain.shared.errors import DomainError
from domain.tenancy import (
    CATALOGUE,
    MACHINE_ROLES,
    SELF_SERVICE,
    ShippedRole,
    check_custom_role,
    delegated_by,
    role_permissions,
    shipped_role_permissions,
)


def grants(role: ShippedRole) -> set[str]:
    return {f"{r}:{a}" for name, r, a in shipped_role_permissions() if name == role.value}


def test_every_shipped_role_has_a_chinese_name_and_permissions() -> None:
    for role in ShippedRole:
        assert role.zh
        assert grants(role)


def test_policy_rows_only_use_catalogue_permissions_once() -> None:
    rows = shipped_role_permissions()
    assert len(rows) == len(set(rows))
    assert {f"{r}:{a}" for _, r, a in rows} <= set(CATALOGUE)


def test_member_catalogue_covers_sensitive_reads_and_bulk_moves() -> None:
    for action in ("read", "write", "read_sensitive", "import", "export"):
        assert f"member:{action}" in CATALOGUE


def test_platform_admin_reads_no_member_data() -> None:
    assert not any(p.startswith("member:") for p in grants(ShippedRole.PLATFORM_ADMIN))
    assert "tenant:create" in grants(ShippedRole.PLATFORM_ADMIN)


def test_inspector_only_reads() -> None:
    assert {p.split(":")[1] for p in grants(ShippedRole.INSPECTOR)} == {"read"}


def test_supervising_check_ins_is_held_by_no_shipped_role() -> None:
    """Superior tenants' staff mark a county's attendance only through an explicit grant,
    which whoever manages check-ins may give."""
    assert "checkin:supervise" in CATALOGUE
    held = {f"{resource}:{action}" for _, resource, action in shipped_role_permissions()}
    assert "checkin:supervise" not in held
    assert delegated_by("checkin:supervise") == "checkin:manage"
    assert delegated_by("member:read") == "member:read"


def test_sensitive_data_is_limited_to_admins_secretaries_and_clients_given_it() -> None:
    """An API client holds it only through its explicit sensitive scope (domain.integration)."""
    holders = {role for role in ShippedRole if "member:read_sensitive" in grants(role)}
    assert holders == {ShippedRole.TENANT_ADMIN, ShippedRole.ORG_SECRETARY, ShippedRole.API_CLIENT}


def test_custom_role_is_normalised() -> None:
    assert check_custom_role("dues_clerk", ["member:read", "job:read", "member:read"]) == (
        "job:read",
        "member:read",
    )


@pytest.mark.parametrize(
    "name", ["ab", "Dues_clerk", "dues-clerk", "1clerk", "dues__clerk", "clerk_", "x" * 41]
)
def test_custom_role_name_must_be_snake_case(name: str) -> None:
    with pytest.raises(DomainError) as exc:
        check_custom_role(name, ["member:read"])
    assert [(e.field, e.code) for e in exc.value.errors] == [("name", "role_name_format")]


def test_custom_role_cannot_take_a_shipped_name() -> None:
    with pytest.raises(DomainError) as exc:
        check_custom_role("tenant_admin", ["member:read"])
    assert [e.code for e in exc.value.errors] == ["role_name_reserved"]


def test_custom_role_uses_catalogue_permissions_only() -> None:
    with pytest.raises(DomainError) as exc:
        check_custom_role("clerk", ["member:read", "member:delete", "points:*"])
    assert [(e.field, e.code) for e in exc.value.errors] == [
        ("permissions.1", "permission_unknown"),
        ("permissions.2", "permission_unknown"),
    ]


def test_custom_role_needs_a_permission() -> None:
    with pytest.raises(DomainError) as exc:
        check_custom_role("clerk", [])
    assert exc.value.code == "role_invalid"


def test_a_tenant_admin_can_grant_every_people_role_below_it() -> None:
    """Granting needs every permission of the role but the rights to act as oneself."""
    admin = set(role_permissions(ShippedRole.TENANT_ADMIN))
    people = set(ShippedRole) - MACHINE_ROLES - {ShippedRole.PLATFORM_ADMIN}
    for role in people:
        assert set(role_permissions(role)) - SELF_SERVICE <= admin, role


def test_machine_roles_and_self_service_rights() -> None:
    assert {ShippedRole.API_CLIENT} == MACHINE_ROLES
    assert set(CATALOGUE) >= SELF_SERVICE
    # The exemption holds one's own account and one's own attendance, nothing over others.
    assert {"profile:read", "checkin:create", "checkin:sync"} == SELF_SERVICE
    assert set(role_permissions(ShippedRole.MEMBER)) == {
        f"{r}:{a}" for name, r, a in shipped_role_permissions() if name == "member"
    }
