"""Tenancy adapters: tables and queries for tenants, organizations, users, roles, audit.

The public face of the context's infrastructure: other contexts import what they need
from here, never from a module of the package.
"""

from infra.tenancy.accounts import reset_password
from infra.tenancy.auth import AuthService, login_identifier
from infra.tenancy.directory import (
    TenantRef,
    account_exists,
    child_tenants,
    tenant_ref,
    visible_tenants,
)
from infra.tenancy.mfa import MfaService, reset_factor
from infra.tenancy.organization_lookup import (
    ORGANIZATIONS,
    OrganizationRef,
    branches_within,
    organization_ids_above,
    organization_ids_in_domains,
    organization_ids_under,
    organization_names,
    organization_path,
    organization_ref,
    organization_refs,
    tenant_path_of,
    visible_organizations,
)
from infra.tenancy.organizations import MemberCounts
from infra.tenancy.published_directory import BranchEntry, branch_directory
from infra.tenancy.schedules import register_schedules
from infra.tenancy.seating import committee_seats
from infra.tenancy.service_accounts import create_service_account, deactivate_service_account
from infra.tenancy.sessions import SessionLiveness, SessionState, announce_ended
from infra.tenancy.subtrees import (
    ORGANIZATION_SUBTREE_IDS,
    TENANT_SUBTREE,
    TENANT_SUBTREE_IDS,
)
from infra.tenancy.tenant_settings import effective_settings_of
from infra.tenancy.tenants import platform_admin, tenant_by_code
from infra.tenancy.visibility import Scopes, tenant_ids_within, within_scopes

__all__ = [
    "ORGANIZATIONS",
    "ORGANIZATION_SUBTREE_IDS",
    "TENANT_SUBTREE",
    "TENANT_SUBTREE_IDS",
    "AuthService",
    "BranchEntry",
    "MemberCounts",
    "MfaService",
    "OrganizationRef",
    "Scopes",
    "SessionLiveness",
    "SessionState",
    "TenantRef",
    "account_exists",
    "announce_ended",
    "branch_directory",
    "branches_within",
    "child_tenants",
    "committee_seats",
    "create_service_account",
    "deactivate_service_account",
    "effective_settings_of",
    "login_identifier",
    "organization_ids_above",
    "organization_ids_in_domains",
    "organization_ids_under",
    "organization_names",
    "organization_path",
    "organization_ref",
    "organization_refs",
    "platform_admin",
    "register_schedules",
    "reset_factor",
    "reset_password",
    "tenant_by_code",
    "tenant_ids_within",
    "tenant_path_of",
    "tenant_ref",
    "visible_organizations",
    "visible_tenants",
    "within_scopes",
]
