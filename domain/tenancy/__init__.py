"""Tenancy (租户与组织): tenants, organizations, committees, roles and login rules."""

from domain.tenancy.committees import (
    TERM_YEARS,
    CommitteePost,
    Term,
    check_post,
    check_term,
    default_term,
)
from domain.tenancy.credentials import LockoutPolicy, LoginState, check_password
from domain.tenancy.organizations import (
    ALLOWED_PARENTS,
    OrgKind,
    check_move,
    check_new_organization,
)
from domain.tenancy.paths import is_within, move_path, org_child_path, org_label
from domain.tenancy.roles import (
    CATALOGUE,
    MACHINE_ROLES,
    PERMISSIONS,
    SELF_SERVICE,
    Permission,
    ShippedRole,
    check_custom_role,
    delegated_by,
    role_permissions,
    shipped_role_permissions,
)
from domain.tenancy.settings import (
    MeetingFrequencies,
    TenantSettings,
    TenantSettingsOverride,
    effective_settings,
    json_schema,
    validate_override,
)
from domain.tenancy.structure import StructureWarning, structure_warnings
from domain.tenancy.tenants import (
    TenantLevel,
    check_child_tenant,
    check_root_tenant,
    child_path,
    is_province_direct_county,
    level_of_code,
)

__all__ = [
    "ALLOWED_PARENTS",
    "CATALOGUE",
    "MACHINE_ROLES",
    "PERMISSIONS",
    "SELF_SERVICE",
    "TERM_YEARS",
    "CommitteePost",
    "LockoutPolicy",
    "LoginState",
    "MeetingFrequencies",
    "OrgKind",
    "Permission",
    "ShippedRole",
    "StructureWarning",
    "TenantLevel",
    "TenantSettings",
    "TenantSettingsOverride",
    "Term",
    "check_child_tenant",
    "check_custom_role",
    "check_move",
    "check_new_organization",
    "check_password",
    "check_post",
    "check_root_tenant",
    "check_term",
    "child_path",
    "default_term",
    "delegated_by",
    "effective_settings",
    "is_province_direct_county",
    "is_within",
    "json_schema",
    "level_of_code",
    "move_path",
    "org_child_path",
    "org_label",
    "role_permissions",
    "shipped_role_permissions",
    "structure_warnings",
    "validate_override",
]
