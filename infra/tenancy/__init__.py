"""Tenancy adapters: tables and queries for tenants, organizations, users, roles, audit.

The public face of the context's infrastructure: other contexts import what they need
from here, never from a module of the package.
"""

from infra.tenancy.service import get_tenant, org_domain_of

__all__ = ["get_tenant", "org_domain_of"]
