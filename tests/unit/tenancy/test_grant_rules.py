import pytest

from domain.shared.errors import DomainError
from domain.tenancy import (
    ResolvedRole,
    ShippedRole,
    check_grant_scope,
    check_grantable,
    check_shipped_grant,
    refuse_escalation,
    role_permissions,
)


class Holds:
    """A granter holding exactly these `resource:action` permissions, everywhere."""

    def __init__(self, *permissions: str) -> None:
        self.permissions = set(permissions)

    def can(self, obj: str, act: str, domain: str | None = None) -> bool:
        return f"{obj}:{act}" in self.permissions


DOMAIN = "zb/440000/440300/"


def test_machine_roles_are_not_granted_to_people() -> None:
    with pytest.raises(DomainError) as exc:
        check_shipped_grant(ShippedRole.API_CLIENT, on_platform=True)
    assert exc.value.code == "role_machine_only"


def test_platform_admin_is_granted_on_the_platform_only() -> None:
    check_shipped_grant(ShippedRole.PLATFORM_ADMIN, on_platform=True)
    with pytest.raises(DomainError) as exc:
        check_shipped_grant(ShippedRole.PLATFORM_ADMIN, on_platform=False)
    assert exc.value.code == "role_platform_only"
    check_shipped_grant(ShippedRole.ORG_SECRETARY, on_platform=False)


@pytest.mark.parametrize(
    ("domain", "allowed"),
    [
        ("zb/440000/440300/", True),
        ("zb/440000/440300/440304/", True),
        ("zb/440000/440300/o0123/", True),
        ("zb/440000/", False),
        ("zb/440000/440301/", False),
        ("zb/440000/4403001/", False),
    ],
)
def test_roles_are_granted_within_the_users_tenant(domain: str, allowed: bool) -> None:
    if allowed:
        check_grant_scope(domain, "zb.440000.440300")
    else:
        with pytest.raises(DomainError) as exc:
            check_grant_scope(domain, "zb.440000.440300")
        assert exc.value.code == "role_outside_user_tenant"


def test_nobody_grants_a_permission_they_do_not_hold() -> None:
    refuse_escalation(Holds("member:read"), DOMAIN, ["member:read"])
    with pytest.raises(DomainError) as exc:
        refuse_escalation(Holds("member:read"), DOMAIN, ["member:write", "member:read"])
    assert exc.value.code == "permission_escalation"
    assert "member:write" in exc.value.message.en
    assert [(e.field, e.code) for e in exc.value.errors] == [("permissions", "not_held")]


def test_supervision_is_granted_by_who_manages_checkins() -> None:
    refuse_escalation(Holds("checkin:manage"), DOMAIN, ["checkin:supervise"])


def test_self_service_rights_need_not_be_held_to_grant_a_shipped_role() -> None:
    member = ResolvedRole("member", role_permissions(ShippedRole.MEMBER), ShippedRole.MEMBER)
    needed = {p for p in member.permissions if p not in {"profile:read", "checkin:create"}}
    check_grantable(Holds(*needed, "checkin:sync"), member, DOMAIN, granter_on_platform=False)
    with pytest.raises(DomainError):
        check_grantable(Holds(), member, DOMAIN, granter_on_platform=False)


def test_the_platform_grants_tenant_admin_without_holding_its_rights() -> None:
    admin = ResolvedRole(
        "tenant_admin", role_permissions(ShippedRole.TENANT_ADMIN), ShippedRole.TENANT_ADMIN
    )
    check_grantable(Holds(), admin, DOMAIN, granter_on_platform=True)
    with pytest.raises(DomainError):
        check_grantable(Holds(), admin, DOMAIN, granter_on_platform=False)
