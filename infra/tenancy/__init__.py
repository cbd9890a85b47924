"""Tenancy adapters: tables and queries for tenants, organizations, users, roles, audit."""

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
from infra.tenancy.tenant_settings import effective_settings_of

__all__ = [
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
