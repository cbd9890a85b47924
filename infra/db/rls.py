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
