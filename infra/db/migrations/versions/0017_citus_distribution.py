"""Scale-out on Citus: tenant tables distributed by tenant_id, the scope reaches workers.

On both engines: the scope is set by `zhibu_set_scope(path, user)`, and the visible
tenants are only those the scope statement listed (`app.tenant_ids`): no scope, no rows,
with no read of `tenant` inside a policy.

On Citus only (the citus extension is installed): `SET LOCAL` replaces `set_config`,
since only `SET LOCAL` reaches the workers (with `citus.propagate_set_commands = local`).
The tenant directory and the two platform-wide directories (login names, 身份证号 blind
indexes, whose keys are unique across tenants and are read before any scope exists) are
reference tables; every other table with a tenant_id is distributed by it, co-located.
Policies lose their sub-select, which Citus refuses in policies; the platform-wide unique
index on member(id) becomes a plain index (Citus enforces uniqueness only with the
distribution column; ids are UUIDv7). A directory's foreign key to a distributed table is
dropped (a reference table cannot have one); the application writes both in one
transaction.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02
"""

from alembic import context, op
from alembic.script import ScriptDirectory
from sqlalchemy import text

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

REFERENCE_TABLES = ("tenant", "login_identity", "member_identity")

SCOPE_TENANT_IDS = """
CREATE OR REPLACE FUNCTION zhibu_scope_tenant_ids() RETURNS uuid[]
LANGUAGE sql STABLE SET search_path = public, pg_temp AS $$
    SELECT coalesce(nullif(current_setting('app.tenant_ids', true), ''), '{}')::uuid[]
$$
"""

# One statement, one round trip; parameters bound as values, never spliced into SQL.
SET_SCOPE_PLAIN = """
CREATE FUNCTION zhibu_set_scope(p_tenant_path text, p_user_id text) RETURNS void
LANGUAGE sql VOLATILE AS $$
    SELECT set_config('app.tenant_path', p_tenant_path, true),
           set_config('app.tenant_ids', public.zhibu_tenant_ids_under(p_tenant_path)::text, true),
           set_config('app.user_id', p_user_id, true)
$$
"""

# format('%L') quotes each value as a literal; EXECUTE hands Citus the bare SET LOCAL.
SET_SCOPE_CITUS = """
CREATE FUNCTION zhibu_set_scope(p_tenant_path text, p_user_id text) RETURNS void
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    SET LOCAL citus.propagate_set_commands = 'local';
    EXECUTE format('SET LOCAL app.tenant_path = %L', coalesce(p_tenant_path, ''));
    EXECUTE format('SET LOCAL app.tenant_ids = %L',
                   public.zhibu_tenant_ids_under(p_tenant_path)::text);
    EXECUTE format('SET LOCAL app.user_id = %L', coalesce(p_user_id, ''));
END
$$
"""

SCOPE_POLICIES = """
SELECT c.relname, p.polname
FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid
WHERE c.relnamespace = 'public'::regnamespace AND p.polname = c.relname || '_scope'
  AND c.relname <> 'tenant'
ORDER BY 1
"""

TENANT_TABLES = """
SELECT c.relname FROM pg_class c
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped
WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'
  AND c.relpersistence = 'p' AND c.relname <> ALL (:reference)
ORDER BY 1
"""

# Foreign keys between distributed tables: Citus distributes a table only when no local
# table refers to it, so they are dropped first and added again once all are distributed.
TENANT_FOREIGN_KEYS = """
SELECT c.relname, k.conname, pg_get_constraintdef(k.oid) FROM pg_constraint k
JOIN pg_class c ON c.oid = k.conrelid JOIN pg_class r ON r.oid = k.confrelid
WHERE k.contype = 'f' AND c.relname = ANY (:tables) AND r.relname = ANY (:tables)
ORDER BY 1, 2
"""

DIRECTORY_FOREIGN_KEYS = """
SELECT c.relname, k.conname FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid
JOIN pg_class r ON r.oid = k.confrelid
WHERE k.contype = 'f' AND c.relname = ANY (:reference) AND r.relname <> ALL (:reference)
"""


# SQL functions with parameters that read tables: Citus cannot plan their statements
# ("parameters in SQL functions"); the same statement in PL/pgSQL is planned per call.
SQL_FUNCTIONS = """
SELECT p.oid::regprocedure::text, pg_get_function_arguments(p.oid),
       pg_get_function_result(p.oid), p.proretset, p.provolatile, p.prosecdef,
       p.proconfig, p.prosrc
FROM pg_proc p
JOIN pg_language l ON l.oid = p.prolang
WHERE p.pronamespace = 'public'::regnamespace AND l.lanname = 'sql'
  AND p.pronargs > 0 AND p.provolatile <> 'i' AND p.prokind = 'f'
ORDER BY 1
"""

VOLATILITY = {"s": "STABLE", "v": "VOLATILE"}


def _as_plpgsql(
    name: str,
    arguments: str,
    result: str,
    returns_set: bool,
    volatility: str,
    definer: bool,
    config: list[str] | None,
    body: str,
) -> str:
    """The same single-statement function in PL/pgSQL (columns win over variables)."""
    query = body.strip().rstrip(";")
    if returns_set:
        block = f"BEGIN\nRETURN QUERY {query};\nEND"
    else:
        block = f"DECLARE result {result};\nBEGIN\n{query} INTO result;\nRETURN result;\nEND"
    settings = "".join(
        f" SET {key} = {value}" for key, value in (c.split("=", 1) for c in config or [])
    )
    function = name.split("(", 1)[0]
    return (
        f"CREATE OR REPLACE FUNCTION {function}({arguments}) RETURNS {result}"
        f" LANGUAGE plpgsql {VOLATILITY[volatility]}"
        f"{' SECURITY DEFINER' if definer else ''}{settings}"
        f" AS $fn$\n#variable_conflict use_column\n{block}\n$fn$"
    )


# The job claim, in statements Citus runs on one shard each: the row is locked by
# (tenant_id, id), times are values (Citus refuses now() inside coalesce in an UPDATE),
# and the tenant's path is read apart from the update.
CLAIM_JOB_CITUS = """
CREATE OR REPLACE FUNCTION zhibu_claim_job(p_kinds text[], p_lease interval)
RETURNS TABLE (tenant_id uuid, id uuid, kind text, created_by uuid, tenant_path text,
               attempts integer)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
#variable_conflict use_column
DECLARE
    candidate record;
    v_now timestamptz := now();
BEGIN
    FOR candidate IN
        SELECT j.tenant_id AS t, j.id AS i FROM job j
        WHERE j.kind = ANY (p_kinds)
          AND ((j.status = 'queued' AND j.run_after <= v_now)
               OR (j.status = 'running' AND j.lease_until < v_now))
        ORDER BY j.run_after
        LIMIT 20
    LOOP
        PERFORM 1 FROM job l
        WHERE l.tenant_id = candidate.t AND l.id = candidate.i
          AND ((l.status = 'queued' AND l.run_after <= v_now)
               OR (l.status = 'running' AND l.lease_until < v_now))
        FOR UPDATE SKIP LOCKED;
        CONTINUE WHEN NOT FOUND;
        UPDATE job SET status = 'running', started_at = coalesce(job.started_at, v_now),
                       heartbeat_at = v_now, lease_until = v_now + p_lease,
                       attempts = job.attempts + 1, progress_done = 0, result = NULL
        WHERE job.tenant_id = candidate.t AND job.id = candidate.i
        RETURNING job.tenant_id, job.id, job.kind, job.created_by, job.attempts
        INTO tenant_id, id, kind, created_by, attempts;
        SELECT t.path::text INTO tenant_path FROM tenant t WHERE t.id = candidate.t;
        RETURN NEXT;
        RETURN;
    END LOOP;
END
$$
"""


def _is_citus() -> bool:
    found = op.get_bind().execute(text("SELECT 1 FROM pg_extension WHERE extname = 'citus'"))
    return found.first() is not None


def upgrade() -> None:
    citus = _is_citus()
    if citus:
        # All as the administrator: Citus syncs metadata over the administrator's
        # connections, which do not see what the owner's connections did in this
        # transaction (a sequence, a function), and the two would wait for each other.
        op.execute("RESET ROLE")
        _distribute()
    op.execute(SCOPE_TENANT_IDS)
    op.execute(SET_SCOPE_CITUS if citus else SET_SCOPE_PLAIN)
    op.execute("ALTER FUNCTION zhibu_set_scope(text, text) OWNER TO zhibu_owner")
    op.execute("GRANT EXECUTE ON FUNCTION zhibu_set_scope(text, text) TO zhibu_app")
    if citus:
        op.execute("SET ROLE zhibu_owner")


def _distribute() -> None:
    bind = op.get_bind()
    reference = list(REFERENCE_TABLES)
    for table, policy in bind.execute(text(SCOPE_POLICIES)).all():
        predicate = "tenant_id = ANY (zhibu_scope_tenant_ids())"
        op.execute(f"ALTER POLICY {policy} ON {table} USING ({predicate}) WITH CHECK ({predicate})")
    op.execute("DROP INDEX member_id")
    op.execute("CREATE INDEX member_id ON member (id) INCLUDE (tenant_id)")
    for table, constraint in bind.execute(
        text(DIRECTORY_FOREIGN_KEYS), {"reference": reference}
    ).all():
        op.execute(f"ALTER TABLE {table} DROP CONSTRAINT {constraint}")
    for row in bind.execute(text(SQL_FUNCTIONS)).all():
        op.execute(_as_plpgsql(*row))
    op.execute(CLAIM_JOB_CITUS)
    op.execute("SELECT create_distributed_function('zhibu_scope_tenant_ids()')")
    for table in REFERENCE_TABLES:
        op.execute(f"SELECT create_reference_table('{table}')")
    tables = list(bind.execute(text(TENANT_TABLES), {"reference": reference}).scalars())
    keys = bind.execute(text(TENANT_FOREIGN_KEYS), {"tables": tables}).all()
    for table, constraint, _ in keys:
        op.execute(f"ALTER TABLE {table} DROP CONSTRAINT {constraint}")
    # The audit guard touches only its own row: safe to run on the shards.
    op.execute("SET LOCAL citus.enable_unsafe_triggers = on")
    for table in tables:
        colocate = "none" if table == tables[0] else tables[0]
        op.execute(
            f"SELECT create_distributed_table('{table}', 'tenant_id',"
            f" colocate_with => '{colocate}')"
        )
    for table, constraint, definition in keys:
        op.execute(f"ALTER TABLE {table} ADD CONSTRAINT {constraint} {definition}")


# What _distribute changed, for the downgrade: the policies' sub-select, the directories'
# foreign keys and the platform-wide unique index on member(id), as 0001 and 0003 made them.
SUBSELECT_PREDICATE = "tenant_id = ANY ((SELECT zhibu_scope_tenant_ids())::uuid[])"
DIRECTORY_KEYS = {
    "login_identity": (
        "login_identity_tenant_id_user_id_fkey",
        "FOREIGN KEY (tenant_id, user_id) REFERENCES app_user (tenant_id, id)",
    ),
    "member_identity": (
        "member_identity_tenant_id_member_id_fkey",
        "FOREIGN KEY (tenant_id, member_id) REFERENCES member (tenant_id, id)",
    ),
}

# The functions _as_plpgsql wrote, with the statement each wraps (the two block shapes).
WRAPPED_SET = "^\n#variable_conflict use_column\nBEGIN\nRETURN QUERY (.*);\nEND\n$"
WRAPPED_VALUE = (
    "^\n#variable_conflict use_column\nDECLARE result [^\n]*;\nBEGIN\n"
    "(.*) INTO result;\nRETURN result;\nEND\n$"
)
PLPGSQL_FUNCTIONS = """
SELECT p.oid::regprocedure::text, pg_get_function_arguments(p.oid),
       pg_get_function_result(p.oid), p.provolatile, p.prosecdef, p.proconfig,
       coalesce(substring(p.prosrc FROM :wrapped_set), substring(p.prosrc FROM :wrapped_value))
FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
WHERE p.pronamespace = 'public'::regnamespace AND l.lanname = 'plpgsql'
  AND (p.prosrc ~ :wrapped_set OR p.prosrc ~ :wrapped_value)
ORDER BY 1
"""


def _as_sql(
    name: str,
    arguments: str,
    result: str,
    volatility: str,
    definer: bool,
    config: list[str] | None,
    query: str,
) -> str:
    """The SQL function _as_plpgsql was given, from the PL/pgSQL function it wrote."""
    settings = "".join(
        f" SET {key} = {value}" for key, value in (c.split("=", 1) for c in config or [])
    )
    function = name.split("(", 1)[0]
    return (
        f"CREATE OR REPLACE FUNCTION {function}({arguments}) RETURNS {result}"
        f" LANGUAGE sql {VOLATILITY[volatility]}"
        f"{' SECURITY DEFINER' if definer else ''}{settings}"
        f" AS $fn$\n{query}\n$fn$"
    )


def _undistribute() -> None:
    """Every table local again, and the schema as 0016 left it (the reverse of _distribute)."""
    bind = op.get_bind()
    op.execute("SET LOCAL citus.enable_unsafe_triggers = on")
    while True:
        table = bind.execute(
            text("SELECT logicalrelid::regclass::text FROM pg_dist_partition ORDER BY 1 LIMIT 1")
        ).scalar()
        if table is None:
            break
        op.execute(f"SELECT undistribute_table('{table}', cascade_via_foreign_keys => true)")
    for table, policy in bind.execute(text(SCOPE_POLICIES)).all():
        op.execute(
            f"ALTER POLICY {policy} ON {table}"
            f" USING ({SUBSELECT_PREDICATE}) WITH CHECK ({SUBSELECT_PREDICATE})"
        )
    op.execute("DROP INDEX member_id")
    op.execute("CREATE UNIQUE INDEX member_id ON member (id) INCLUDE (tenant_id)")
    for table, (constraint, definition) in DIRECTORY_KEYS.items():
        op.execute(f"ALTER TABLE {table} ADD CONSTRAINT {constraint} {definition}")
    wrapped = {"wrapped_set": WRAPPED_SET, "wrapped_value": WRAPPED_VALUE}
    for row in bind.execute(text(PLPGSQL_FUNCTIONS), wrapped).all():
        op.execute(_as_sql(*row))
    claim = ScriptDirectory.from_config(context.config).get_revision("0012")
    assert claim is not None
    op.execute("DROP FUNCTION zhibu_claim_job(text[], interval)")
    op.execute(claim.module.CLAIM)
    op.execute("REVOKE ALL ON FUNCTION zhibu_claim_job(text[], interval) FROM PUBLIC")
    op.execute("GRANT EXECUTE ON FUNCTION zhibu_claim_job(text[], interval) TO zhibu_app")


def downgrade() -> None:
    citus = _is_citus()
    if citus:
        op.execute("RESET ROLE")
        _undistribute()
    op.execute("DROP FUNCTION zhibu_set_scope(text, text)")
    op.execute("""
    CREATE OR REPLACE FUNCTION zhibu_scope_tenant_ids() RETURNS uuid[]
    LANGUAGE sql STABLE SET search_path = public, pg_temp AS $$
        SELECT CASE WHEN coalesce(current_setting('app.tenant_ids', true), '') <> ''
                    THEN current_setting('app.tenant_ids', true)::uuid[]
                    ELSE zhibu_tenant_ids_under(current_setting('app.tenant_path', true))
               END
    $$
    """)
    if citus:
        op.execute("SET ROLE zhibu_owner")
