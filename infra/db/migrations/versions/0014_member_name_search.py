"""Member names found by any fragment (姓名片段); withdrawn offline check-ins remembered;
job row reports paged; seeded history in the registry's form.

`q=建国` must find 张建国. Every name keeps its characters and its pairs of adjacent
characters in a generated column, `name_grams`, under a GIN index; a fragment of two or
more characters is looked up by its pairs, one character by itself, and confirmed with
`strpos`. Under row-level security the planner may use an index only for leakproof
operators, and array containment is not one, so the lookup is a SECURITY DEFINER function
that applies the caller's scope itself, first thing, as `zhibu_self_checkin_contexts`
does (0006): it returns the ids of the members the same query under row-level security
would, and the list query then reads those members as the caller. The scope and the
fragment's grams are sub-selects, computed once per call rather than per candidate row
(a surname in 686 of 30,000 names: 19 ms with the scope per row, 1.1 ms with it once);
the grams are stored so that GIN's recheck of `@>` on each candidate reads them.

An offline check-in the secretary removes (更正) leaves a `checkin_withdrawal` row under its
client id, so that a phone replaying its batch is answered `withdrawn` instead of the
check-in being recorded again with a new id.

A job's row report (an import's refused rows, or every row of a dry run) is kept one row
per sheet row in `job_report_row`, read a page at a time and exported as a file, instead of
one JSON document of tens of megabytes in `job.result`.

Demo members seeded before this revision carried a first history version shaped
`{"name": [null, name]}`, which the history endpoint could not read; it is rewritten in
the registry's `{"name": {"old": null, "new": name}}` form.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01
"""

from alembic import op

from infra.db.rls import tenant_table_rls

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

SCHEMA = [
    """
    CREATE FUNCTION zhibu_name_grams(p_name text) RETURNS text[]
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
        SELECT coalesce(array_agg(DISTINCT g), '{}') FROM (
            SELECT substr(p_name, i, 1) FROM generate_series(1, char_length(p_name)) i
            UNION ALL
            SELECT substr(p_name, i, 2) FROM generate_series(1, char_length(p_name) - 1) i
        ) grams (g)
    $$
    """,
    # The grams a name containing the fragment must have: its pairs, or the one character.
    """
    CREATE FUNCTION zhibu_fragment_grams(p_fragment text) RETURNS text[]
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
        SELECT CASE WHEN char_length(p_fragment) = 1 THEN ARRAY[p_fragment]
               ELSE (SELECT array_agg(DISTINCT substr(p_fragment, i, 2))
                     FROM generate_series(1, char_length(p_fragment) - 1) i) END
    $$
    """,
    """
    ALTER TABLE member
        ADD COLUMN name_grams text[] GENERATED ALWAYS AS (zhibu_name_grams(name)) STORED
    """,
    "CREATE INDEX member_name_grams ON member USING gin (name_grams)",
    """
    CREATE FUNCTION zhibu_members_named(p_fragment text) RETURNS TABLE (tenant_id uuid, id uuid)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
        SELECT m.tenant_id, m.id FROM member m
        WHERE m.tenant_id = ANY ((SELECT zhibu_scope_tenant_ids())::uuid[])
          AND m.name_grams @> (SELECT zhibu_fragment_grams(p_fragment))
          AND strpos(m.name, p_fragment) > 0
    $$
    """,
    "REVOKE ALL ON FUNCTION zhibu_members_named(text) FROM PUBLIC",
    "GRANT EXECUTE ON FUNCTION zhibu_members_named(text) TO zhibu_app",
    """
    CREATE TABLE checkin_withdrawal (
        tenant_id uuid NOT NULL,
        client_id text NOT NULL,
        checkin_id uuid NOT NULL,
        activity_id uuid NOT NULL,
        member_id uuid NOT NULL,
        withdrawn_at timestamptz NOT NULL DEFAULT now(),
        withdrawn_by uuid,
        PRIMARY KEY (tenant_id, client_id),
        FOREIGN KEY (tenant_id, activity_id) REFERENCES activity (tenant_id, id)
            ON DELETE CASCADE,
        FOREIGN KEY (tenant_id, member_id) REFERENCES member (tenant_id, id)
    )
    """,
    *tenant_table_rls("checkin_withdrawal", grants="SELECT, INSERT"),
    """
    CREATE TABLE job_report_row (
        tenant_id uuid NOT NULL,
        job_id uuid NOT NULL,
        row_number integer NOT NULL,
        action text NOT NULL,
        name text,
        organization text,
        errors jsonb NOT NULL DEFAULT '[]'::jsonb,
        PRIMARY KEY (tenant_id, job_id, row_number),
        FOREIGN KEY (tenant_id, job_id) REFERENCES job (tenant_id, id) ON DELETE CASCADE
    )
    """,
    *tenant_table_rls("job_report_row", grants="SELECT, INSERT"),
    """
    UPDATE member_history
    SET changes = jsonb_build_object(
        'name', jsonb_build_object('old', NULL, 'new', changes -> 'name' ->> 1))
    WHERE action = 'seed' AND jsonb_typeof(changes -> 'name') = 'array'
    """,
]


def upgrade() -> None:
    for statement in SCHEMA:
        op.execute(statement)


def downgrade() -> None:
    """The old seed shape was unreadable; it is not restored."""
    op.execute("DROP TABLE job_report_row")
    op.execute("DROP TABLE checkin_withdrawal")
    op.execute("DROP FUNCTION zhibu_members_named(text)")
    op.execute("ALTER TABLE member DROP COLUMN name_grams")
    op.execute("DROP FUNCTION zhibu_fragment_grams(text)")
    op.execute("DROP FUNCTION zhibu_name_grams(text)")
