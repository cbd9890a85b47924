"""Tenancy adapters: tables and queries for tenants, organizations, users, roles, audit.

The public face of the context's infrastructure: other contexts import what they need
from here, never from a module of the package.
"""

from infra.tenancy.service import get_tenant, org_domain_of
from infra.tenancy.subtrees import (
    ORGANIZATION_SUBTREE_IDS,
    TENANT_SUBTREE,
    TENANT_SUBTREE_IDS,
)

__all__ = [
    "ORGANIZATION_SUBTREE_IDS",
    "TENANT_SUBTREE",
    "TENANT_SUBTREE_IDS",
    "get_tenant",
    "org_domain_of",
]
