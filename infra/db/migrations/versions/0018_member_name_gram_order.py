"""Name fragments found a page at a time, in list order (姓名片段, issue 10 item 14).

0014 found a fragment through the GIN index on `name_grams`, which answers every member
holding it, unordered: a common character (王, 华) meant tens of thousands of ids sorted
before the first page (173 ms p95 at 500,000 members). Every one- and two-character
fragment of each name now also has a row in `member_name_gram`, beside the member's list
sort keys, under one B-tree per list order: `gram = '王' ORDER BY name_pinyin, member_id
LIMIT 51` reads 51 index entries. B-tree equality and comparisons on text, date and uuid
are leakproof, so the table lives under row-level security like every tenant table and
needs no SECURITY DEFINER lookup; a longer fragment walks one of its pairs and is
confirmed against the name.

The rows are written by triggers on member (insert, delete, and an update that changes the
name or a sort key), so the API, the importer's COPY and the seeders keep them without
knowing; the trigger function runs as the owner, and the application may only read the
table. The triggers run once per statement over its transition tables: a row trigger
doubled the cost of inserting members (100,000 inserted in 102 s instead of 50 s on a
loaded machine). Existing members are filled in here.

On Citus the table is distributed by tenant_id with member, its policy without sub-select
as 0017 left the others, and the same function runs as row triggers (Citus runs no
statement triggers on distributed tables; untested there).

Revision ID: 0018
Revises: 0019 (chained after main's 0019, which also followed 0017)
Create Date: 2026-12-02
"""

from alembic import op
from sqlalchemy import text

from infra.db.rls import tenant_table_rls

revision = "0018"
down_revision = "0019"
branch_labels = None
depends_on = None

TABLE = [
    """
    CREATE TABLE member_name_gram (
        tenant_id uuid NOT NULL,
        gram text COLLATE "C" NOT NULL,
        member_id uuid NOT NULL,
        name_pinyin text COLLATE "C" NOT NULL,
        admitted_on date NOT NULL,
        PRIMARY KEY (gram, member_id, tenant_id)
    )
    """,
    # The created order is the primary key's; scope and subtree filters read tenant_id
    # from the index.
    "CREATE INDEX member_name_gram_pinyin ON member_name_gram (gram, name_pinyin, member_id)"
    " INCLUDE (tenant_id)",
    "CREATE INDEX member_name_gram_admitted ON member_name_gram (gram, admitted_on, member_id)"
    " INCLUDE (tenant_id)",
    *tenant_table_rls("member_name_gram", grants="SELECT"),
]

# infra/members/sql/zhibu_member_name_grams_written.sql
WRITTEN = """
CREATE OR REPLACE FUNCTION zhibu_member_name_grams_written()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'public', 'pg_temp'
AS $function$
BEGIN
    IF TG_LEVEL = 'ROW' THEN
        -- On Citus, which runs row triggers only: each on its shard's member and grams.
        IF TG_OP <> 'INSERT' THEN
            DELETE FROM member_name_gram g
            WHERE g.tenant_id = OLD.tenant_id AND g.member_id = OLD.id
              AND g.gram = ANY (OLD.name_grams);
        END IF;
        IF TG_OP <> 'DELETE' THEN
            INSERT INTO member_name_gram (tenant_id, gram, member_id, name_pinyin, admitted_on)
            SELECT NEW.tenant_id, g, NEW.id, NEW.name_pinyin, NEW.admitted_on
            FROM unnest(NEW.name_grams) g;
        END IF;
    ELSIF TG_OP = 'INSERT' THEN
        INSERT INTO member_name_gram (tenant_id, gram, member_id, name_pinyin, admitted_on)
        SELECT a.tenant_id, g, a.id, a.name_pinyin, a.admitted_on
        FROM added a CROSS JOIN LATERAL unnest(a.name_grams) g;
    ELSIF TG_OP = 'DELETE' THEN
        DELETE FROM member_name_gram g USING removed r
        WHERE g.tenant_id = r.tenant_id AND g.member_id = r.id AND g.gram = ANY (r.name_grams);
    ELSE
        -- An update: the grams of members whose name or sort keys changed.
        DELETE FROM member_name_gram g USING removed r
        WHERE g.tenant_id = r.tenant_id AND g.member_id = r.id AND g.gram = ANY (r.name_grams)
          AND NOT EXISTS (
              SELECT FROM added a
              WHERE (a.tenant_id, a.id, a.name, a.name_pinyin, a.admitted_on)
                  = (r.tenant_id, r.id, r.name, r.name_pinyin, r.admitted_on));
        INSERT INTO member_name_gram (tenant_id, gram, member_id, name_pinyin, admitted_on)
        SELECT a.tenant_id, g, a.id, a.name_pinyin, a.admitted_on
        FROM added a CROSS JOIN LATERAL unnest(a.name_grams) g
        WHERE NOT EXISTS (
            SELECT FROM removed r
            WHERE (r.tenant_id, r.id, r.name, r.name_pinyin, r.admitted_on)
                = (a.tenant_id, a.id, a.name, a.name_pinyin, a.admitted_on));
    END IF;
    RETURN NULL;
END
$function$;
"""

TRIGGERS = [
    "REVOKE ALL ON FUNCTION zhibu_member_name_grams_written() FROM PUBLIC",
    # Once per statement, so that an import's COPY writes its grams in one set.
    """
    CREATE TRIGGER member_name_grams_added AFTER INSERT ON member
    REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION zhibu_member_name_grams_written()
    """,
    """
    CREATE TRIGGER member_name_grams_changed AFTER UPDATE ON member
    REFERENCING OLD TABLE AS removed NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION zhibu_member_name_grams_written()
    """,
    """
    CREATE TRIGGER member_name_grams_removed AFTER DELETE ON member
    REFERENCING OLD TABLE AS removed
    FOR EACH STATEMENT EXECUTE FUNCTION zhibu_member_name_grams_written()
    """,
]

# Citus runs no statement triggers on distributed tables: row triggers there.
CITUS_TRIGGERS = [
    "REVOKE ALL ON FUNCTION zhibu_member_name_grams_written() FROM PUBLIC",
    """
    CREATE TRIGGER member_name_grams_added AFTER INSERT OR DELETE ON member
    FOR EACH ROW EXECUTE FUNCTION zhibu_member_name_grams_written()
    """,
    """
    CREATE TRIGGER member_name_grams_changed
    AFTER UPDATE OF tenant_id, id, name, name_pinyin, admitted_on ON member
    FOR EACH ROW WHEN (
        (OLD.tenant_id, OLD.id, OLD.name, OLD.name_pinyin, OLD.admitted_on)
        IS DISTINCT FROM (NEW.tenant_id, NEW.id, NEW.name, NEW.name_pinyin, NEW.admitted_on)
    )
    EXECUTE FUNCTION zhibu_member_name_grams_written()
    """,
]

FILL = """
INSERT INTO member_name_gram (tenant_id, gram, member_id, name_pinyin, admitted_on)
SELECT m.tenant_id, g, m.id, m.name_pinyin, m.admitted_on
FROM member m CROSS JOIN LATERAL unnest(m.name_grams) g
"""


def _is_citus() -> bool:
    found = op.get_bind().execute(text("SELECT 1 FROM pg_extension WHERE extname = 'citus'"))
    return found.first() is not None


def upgrade() -> None:
    citus = _is_citus()
    for statement in TABLE:
        op.execute(statement)
    if citus:
        predicate = "tenant_id = ANY (zhibu_scope_tenant_ids())"
        op.execute(
            f"ALTER POLICY member_name_gram_scope ON member_name_gram"
            f" USING ({predicate}) WITH CHECK ({predicate})"
        )
        op.execute(
            "SELECT create_distributed_table('member_name_gram', 'tenant_id',"
            " colocate_with => 'member')"
        )
        op.execute("SET LOCAL citus.enable_unsafe_triggers = on")
    op.execute(FILL)
    op.execute(WRITTEN)
    for statement in CITUS_TRIGGERS if citus else TRIGGERS:
        op.execute(statement)


def downgrade() -> None:
    if _is_citus():
        op.execute("SET LOCAL citus.enable_unsafe_triggers = on")
    op.execute("DROP TRIGGER IF EXISTS member_name_grams_removed ON member")
    op.execute("DROP TRIGGER member_name_grams_changed ON member")
    op.execute("DROP TRIGGER member_name_grams_added ON member")
    op.execute("DROP FUNCTION zhibu_member_name_grams_written()")
    op.execute("DROP TABLE member_name_gram")
