"""Tenancy adapters: tables and queries for tenants, organizations, users, roles, audit.

What other contexts may use is re-exported here; they import nothing else of this package.
"""

from infra.tenancy.service import PLATFORM_PATH
from infra.tenancy.tenant_settings import effective_settings_of

__all__ = ["PLATFORM_PATH", "effective_settings_of"]
