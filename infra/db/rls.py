"""Row-level security DDL shared by every migration that adds a tenant table.

The app role sees a row only when its `tenant_id` lies in the subtree named by the
transaction-local setting `app.tenant_path`; with no setting it sees nothing.
The owner role keeps a permissive policy so SECURITY DEFINER helpers and migrations work.
"""

from __future__ import annotations

SCOPE_PREDICATE = "tenant_id = ANY ((SELECT zhibu_scope_tenant_ids())::uuid[])"


def tenant_table_rls(table: str, *, grants: str = "SELECT, INSERT, UPDATE") -> list[str]:
    return [
        f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
        f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY",
        f"CREATE POLICY {table}_owner ON {table} TO zhibu_owner USING (true) WITH CHECK (true)",
        f"CREATE POLICY {table}_scope ON {table} TO zhibu_app "
        f"USING ({SCOPE_PREDICATE}) WITH CHECK ({SCOPE_PREDICATE})",
        f"GRANT {grants} ON {table} TO zhibu_app",
    ]


# Citus refuses a sub-select in a policy on a distributed table (migration 0017).
CITUS_SCOPE_PREDICATE = "tenant_id = ANY (zhibu_scope_tenant_ids())"

IS_CITUS = "SELECT 1 FROM pg_extension WHERE extname = 'citus'"


def citus_tenant_table(table: str) -> list[str]:
    """On Citus, after `tenant_table_rls`: the policy Citus accepts, the table sharded with member.

    A migration that adds a tenant table runs these when `IS_CITUS` finds a row, so a fresh
    deployment on Citus needs no manual step (as migration 0018 did for member_name_gram).
    """
    return [
        f"ALTER POLICY {table}_scope ON {table}"
        f" USING ({CITUS_SCOPE_PREDICATE}) WITH CHECK ({CITUS_SCOPE_PREDICATE})",
        f"SELECT create_distributed_table('{table}', 'tenant_id', colocate_with => 'member')",
    ]
