"""Tenancy adapters: tables and queries for tenants, organizations, users, roles, audit.

What other contexts may use is re-exported here; they import nothing else of this package.
"""

from infra.tenancy.service import PLATFORM_PATH, get_tenant, org_domain_of
from infra.tenancy.subtrees import (
    ORGANIZATION_SUBTREE_IDS,
    TENANT_SUBTREE,
    TENANT_SUBTREE_IDS,
)
from infra.tenancy.tenant_settings import effective_settings_of

__all__ = [
    "ORGANIZATION_SUBTREE_IDS",
    "PLATFORM_PATH",
    "TENANT_SUBTREE",
    "TENANT_SUBTREE_IDS",
    "effective_settings_of",
    "get_tenant",
    "org_domain_of",
]
