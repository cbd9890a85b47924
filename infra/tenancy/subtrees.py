"""Subtrees of organizations and tenants as SQL that other contexts embed in their own
statements (one round trip; PostgreSQL flattens them into semi-joins), so that no other
context names the `organization` or `tenant` tables. The caller binds the parameters
named here; row-level security applies as everywhere."""

from __future__ import annotations

ORGANIZATION_SUBTREE_IDS = (
    "SELECT o.id FROM organization o"
    " WHERE o.tenant_id = :subtree_tenant_id AND o.path <@ CAST(:subtree_org_path AS ltree)"
)
"""Ids of the organization at `:subtree_org_path` in `:subtree_tenant_id` and below it."""

TENANT_SUBTREE = (
    "SELECT t.id, t.path FROM tenant t WHERE t.path <@ CAST(:subtree_tenant_path AS ltree)"
)
"""(id, path) of the tenant at `:subtree_tenant_path` and of every tenant below it."""

TENANT_SUBTREE_IDS = "SELECT t.id FROM tenant t WHERE t.path <@ CAST(:subtree_tenant_path AS ltree)"
"""Ids of the tenant at `:subtree_tenant_path` and of every tenant below it."""
