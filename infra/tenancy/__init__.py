"""Tenancy adapters: tables and queries for tenants, organizations, users, roles, audit.

What other contexts may use is re-exported here; they import nothing else of this package.
"""

from infra.tenancy.committee_seats import committee_seats
from infra.tenancy.organization_refs import (
    OrganizationRef,
    branches_within,
    organization_ids_above,
    organization_ids_in_domains,
    organization_ids_under,
    organization_path,
    organization_ref,
    organization_refs,
    tenant_path_of,
)
from infra.tenancy.service import PLATFORM_PATH
from infra.tenancy.tenant_settings import effective_settings_of

__all__ = [
    "PLATFORM_PATH",
    "OrganizationRef",
    "branches_within",
    "committee_seats",
    "effective_settings_of",
    "organization_ids_above",
    "organization_ids_in_domains",
    "organization_ids_under",
    "organization_path",
    "organization_ref",
    "organization_refs",
    "tenant_path_of",
]
