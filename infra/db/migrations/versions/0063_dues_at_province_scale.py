"""Dues at a province's scale (issue 15, speed).

- `dues_bill_month` becomes (tenant_id, month, member_id). A bill run asks, batch by
  batch, which of the batch's members already have the month's bill; on (tenant_id, month)
  that read every bill of the month made so far, so a run's reads grew with the square of
  the tenant's size (a rerun that made nothing took 25 s at 500,000 members). With the
  member in the key it is one range of the index; every query on (tenant_id, month) still
  finds its prefix.
- `dues_bill` and `dues_ledger_entry` stop referencing `tenant` (as the logs did in 0007):
  each row also references its member, whose row references the tenant, and tenants are
  never deleted; the check took a KEY SHARE lock on the one tenant row for every bill and
  entry (a tenth of a bill run's writing, EXPLAIN ANALYZE at 50,000 members).
- `dues_tenant_month_figure`: the ledger's figures per tenant and month, in sixteen
  stripes by organization, kept by the ledger's trigger with `dues_month_figure` (frozen
  copy of `infra/dues/sql/zhibu_dues_ledger_posted.sql`). A province's summary summed
  150,000 organization rows for a year at 500,000 members; now it reads a few hundred.
  Stripes, so that payments in one tenant do not all wait for one row. No foreign keys:
  only the trigger writes it, from checked rows (as `dues_open_bill` since 0051). The
  trigger also reads its transition table as it is, no longer collected into an array.

Revision ID: 0063
Revises: 0062
Create Date: 2026-12-03
"""

import importlib.util
from pathlib import Path
from types import ModuleType

from alembic import op
from sqlalchemy import text

from infra.db.rls import IS_CITUS, citus_tenant_table, tenant_table_rls

revision = "0063"
down_revision = "0062"
branch_labels = None
depends_on = None

KEYS = ("dues_bill", "dues_ledger_entry")

TENANT_FIGURES = """
CREATE TABLE dues_tenant_month_figure (
    tenant_id uuid NOT NULL,
    month date NOT NULL CHECK (extract(day FROM month) = 1),
    stripe smallint NOT NULL CHECK (stripe BETWEEN 0 AND 15),
    bills integer NOT NULL DEFAULT 0,
    charged_fen bigint NOT NULL DEFAULT 0,
    relieved_fen bigint NOT NULL DEFAULT 0,
    collected_fen bigint NOT NULL DEFAULT 0,
    refunded_fen bigint NOT NULL DEFAULT 0,
    open_bills integer NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, month, stripe)
)
"""

FILL = """
INSERT INTO dues_tenant_month_figure (
    tenant_id, month, stripe, bills, charged_fen, relieved_fen, collected_fen, refunded_fen,
    open_bills
)
SELECT tenant_id, month, get_byte(uuid_send(organization_id), 15) % 16, sum(bills),
       sum(charged_fen), sum(relieved_fen), sum(collected_fen), sum(refunded_fen),
       sum(open_bills)
FROM dues_month_figure
GROUP BY 1, 2, 3
"""

# infra/dues/sql/zhibu_dues_ledger_posted.sql
LEDGER_POSTED = """
CREATE OR REPLACE FUNCTION zhibu_dues_ledger_posted()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'public', 'pg_temp'
AS $function$
DECLARE
    v_figures dues_month_figure[];
    v_posted boolean := TG_LEVEL = 'STATEMENT';
    v_before bigint;
    v_opened integer := 0;
    v_member uuid;
    v_organization uuid;
    v_month date;
BEGIN
    IF NOT v_posted THEN
        -- One row, before it is written (Citus): the same bookkeeping in plain statements,
        -- since Citus plans no correlated subquery beside a CTE.
        v_member := NEW.member_id;
        v_organization := NEW.organization_id;
        v_month := NEW.month;
        IF NEW.bill_id IS NOT NULL THEN
            IF NEW.kind = 'charge' THEN
                v_before := 0;
            ELSE
                SELECT coalesce(sum(l.amount_fen), 0) INTO v_before FROM dues_ledger_entry l
                WHERE l.tenant_id = NEW.tenant_id AND l.bill_id = NEW.bill_id;
                SELECT b.member_id, b.organization_id, b.month
                INTO v_member, v_organization, v_month
                FROM dues_bill b WHERE b.tenant_id = NEW.tenant_id AND b.id = NEW.bill_id;
            END IF;
            v_opened := (v_before + NEW.amount_fen > 0)::int - (v_before > 0)::int;
            IF v_opened = 1 THEN
                INSERT INTO dues_open_bill (tenant_id, bill_id, member_id, organization_id, month)
                VALUES (NEW.tenant_id, NEW.bill_id, v_member, v_organization, v_month)
                ON CONFLICT DO NOTHING;
            ELSIF v_opened = -1 THEN
                DELETE FROM dues_open_bill o
                WHERE o.tenant_id = NEW.tenant_id AND o.bill_id = NEW.bill_id;
            END IF;
        END IF;
        INSERT INTO dues_month_figure AS f (
            tenant_id, organization_id, month, bills, charged_fen, relieved_fen,
            collected_fen, refunded_fen, open_bills
        )
        VALUES (
            NEW.tenant_id, NEW.organization_id, NEW.month, (NEW.kind = 'charge')::int,
            CASE WHEN NEW.kind = 'charge' THEN NEW.amount_fen ELSE 0 END,
            CASE WHEN NEW.kind = 'exemption' THEN -NEW.amount_fen ELSE 0 END,
            CASE WHEN NEW.kind IN ('payment', 'back_payment') THEN -NEW.amount_fen ELSE 0 END,
            CASE WHEN NEW.kind = 'refund' THEN NEW.amount_fen ELSE 0 END,
            0
        )
        ON CONFLICT (tenant_id, organization_id, month) DO UPDATE SET
            bills = f.bills + excluded.bills,
            charged_fen = f.charged_fen + excluded.charged_fen,
            relieved_fen = f.relieved_fen + excluded.relieved_fen,
            collected_fen = f.collected_fen + excluded.collected_fen,
            refunded_fen = f.refunded_fen + excluded.refunded_fen;
        IF v_opened <> 0 THEN
            INSERT INTO dues_month_figure AS f (
                tenant_id, organization_id, month, bills, charged_fen, relieved_fen,
                collected_fen, refunded_fen, open_bills
            )
            VALUES (NEW.tenant_id, v_organization, v_month, 0, 0, 0, 0, 0, v_opened)
            ON CONFLICT (tenant_id, organization_id, month) DO UPDATE SET
                open_bills = f.open_bills + excluded.open_bills;
        END IF;
        INSERT INTO dues_tenant_month_figure AS f (
            tenant_id, month, stripe, bills, charged_fen, relieved_fen, collected_fen,
            refunded_fen, open_bills
        )
        VALUES (
            NEW.tenant_id, NEW.month, get_byte(uuid_send(NEW.organization_id), 15) % 16,
            (NEW.kind = 'charge')::int,
            CASE WHEN NEW.kind = 'charge' THEN NEW.amount_fen ELSE 0 END,
            CASE WHEN NEW.kind = 'exemption' THEN -NEW.amount_fen ELSE 0 END,
            CASE WHEN NEW.kind IN ('payment', 'back_payment') THEN -NEW.amount_fen ELSE 0 END,
            CASE WHEN NEW.kind = 'refund' THEN NEW.amount_fen ELSE 0 END,
            0
        )
        ON CONFLICT (tenant_id, month, stripe) DO UPDATE SET
            bills = f.bills + excluded.bills,
            charged_fen = f.charged_fen + excluded.charged_fen,
            relieved_fen = f.relieved_fen + excluded.relieved_fen,
            collected_fen = f.collected_fen + excluded.collected_fen,
            refunded_fen = f.refunded_fen + excluded.refunded_fen;
        IF v_opened <> 0 THEN
            INSERT INTO dues_tenant_month_figure AS f (
                tenant_id, month, stripe, bills, charged_fen, relieved_fen, collected_fen,
                refunded_fen, open_bills
            )
            VALUES (NEW.tenant_id, v_month, get_byte(uuid_send(v_organization), 15) % 16,
                    0, 0, 0, 0, 0, v_opened)
            ON CONFLICT (tenant_id, month, stripe) DO UPDATE SET
                open_bills = f.open_bills + excluded.open_bills;
        END IF;
        RETURN NEW;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM added) THEN
        RETURN NULL;
    END IF;
    WITH money AS (
        SELECT e.tenant_id, e.organization_id, e.month,
               count(*) FILTER (WHERE e.kind = 'charge') AS bills,
               coalesce(sum(e.amount_fen) FILTER (WHERE e.kind = 'charge'), 0) AS charged,
               coalesce(-sum(e.amount_fen) FILTER (WHERE e.kind = 'exemption'), 0) AS relieved,
               coalesce(-sum(e.amount_fen)
                   FILTER (WHERE e.kind IN ('payment', 'back_payment')), 0) AS collected,
               coalesce(sum(e.amount_fen) FILTER (WHERE e.kind = 'refund'), 0) AS refunded,
               0 AS opened
        FROM added e
        GROUP BY 1, 2, 3
    ), moved AS (
        -- A bill's charge is its first entry, written with it: a bill charged in this
        -- set owed nothing before, and its charge names its member, organization and
        -- month. The transition table is read as it is (0063: collecting it into an array
        -- first, and the fresh bills' names with array_agg, were a third of the trigger).
        SELECT e.tenant_id, e.bill_id, sum(e.amount_fen) AS delta,
               bool_or(e.kind = 'charge') AS fresh
        FROM added e WHERE e.bill_id IS NOT NULL
        GROUP BY 1, 2
    ), balance AS (
        -- Any other bill's balance before: a statement's rows are in the table already.
        SELECT m.tenant_id, m.bill_id, m.delta, m.fresh,
               CASE WHEN m.fresh THEN 0 ELSE
                   (SELECT coalesce(sum(l.amount_fen), 0) FROM dues_ledger_entry l
                    WHERE l.tenant_id = m.tenant_id AND l.bill_id = m.bill_id) - m.delta
               END AS before
        FROM moved m
    ), flipped AS (
        SELECT x.*, (x.before + x.delta > 0)::int - (x.before > 0)::int AS opened
        FROM balance x
        WHERE (x.before + x.delta > 0) <> (x.before > 0)
    ), turned AS (
        SELECT c.tenant_id, c.bill_id, c.member_id, c.organization_id, c.month, f.opened
        FROM flipped f
        JOIN added c ON c.tenant_id = f.tenant_id AND c.bill_id = f.bill_id
                    AND c.kind = 'charge'
        WHERE f.fresh
        UNION ALL
        SELECT b.tenant_id, b.id, b.member_id, b.organization_id, b.month, f.opened
        FROM flipped f JOIN dues_bill b ON b.tenant_id = f.tenant_id AND b.id = f.bill_id
        WHERE NOT f.fresh
    ), reopened AS (
        INSERT INTO dues_open_bill (tenant_id, bill_id, member_id, organization_id, month)
        SELECT t.tenant_id, t.bill_id, t.member_id, t.organization_id, t.month
        FROM turned t WHERE t.opened = 1
        ON CONFLICT DO NOTHING
    ), settled AS (
        DELETE FROM dues_open_bill o USING turned t
        WHERE t.opened = -1 AND o.tenant_id = t.tenant_id AND o.bill_id = t.bill_id
    ), posting AS (
        SELECT * FROM money
        UNION ALL
        SELECT t.tenant_id, t.organization_id, t.month, 0, 0, 0, 0, 0, sum(t.opened)
        FROM turned t GROUP BY 1, 2, 3
    )
    SELECT array_agg(ROW(s.*)::dues_month_figure) INTO v_figures FROM (
        SELECT p.tenant_id, p.organization_id, p.month, sum(p.bills)::int,
               sum(p.charged)::bigint, sum(p.relieved)::bigint, sum(p.collected)::bigint,
               sum(p.refunded)::bigint, sum(p.opened)::int
        FROM posting p
        GROUP BY 1, 2, 3
    ) s;
    INSERT INTO dues_month_figure AS f
    SELECT * FROM unnest(v_figures) ORDER BY 1, 2, 3
    ON CONFLICT (tenant_id, organization_id, month) DO UPDATE SET
        bills = f.bills + excluded.bills,
        charged_fen = f.charged_fen + excluded.charged_fen,
        relieved_fen = f.relieved_fen + excluded.relieved_fen,
        collected_fen = f.collected_fen + excluded.collected_fen,
        refunded_fen = f.refunded_fen + excluded.refunded_fen,
        open_bills = f.open_bills + excluded.open_bills;
    INSERT INTO dues_tenant_month_figure AS f (
        tenant_id, month, stripe, bills, charged_fen, relieved_fen, collected_fen,
        refunded_fen, open_bills
    )
    SELECT g.tenant_id, g.month, get_byte(uuid_send(g.organization_id), 15) % 16,
           sum(g.bills), sum(g.charged_fen), sum(g.relieved_fen), sum(g.collected_fen),
           sum(g.refunded_fen), sum(g.open_bills)
    FROM unnest(v_figures) g
    GROUP BY 1, 2, 3
    ORDER BY 1, 2, 3
    ON CONFLICT (tenant_id, month, stripe) DO UPDATE SET
        bills = f.bills + excluded.bills,
        charged_fen = f.charged_fen + excluded.charged_fen,
        relieved_fen = f.relieved_fen + excluded.relieved_fen,
        collected_fen = f.collected_fen + excluded.collected_fen,
        refunded_fen = f.refunded_fen + excluded.refunded_fen,
        open_bills = f.open_bills + excluded.open_bills;
    RETURN NULL;
END
$function$;
"""


def upgrade() -> None:
    citus = op.get_bind().execute(text(IS_CITUS)).first() is not None
    op.execute("DROP INDEX dues_bill_month")
    op.execute("CREATE INDEX dues_bill_month ON dues_bill (tenant_id, month, member_id)")
    for table in KEYS:
        op.execute(f"ALTER TABLE {table} DROP CONSTRAINT {table}_tenant_id_fkey")
    op.execute(TENANT_FIGURES)
    for statement in tenant_table_rls("dues_tenant_month_figure", grants="SELECT"):
        op.execute(statement)
    if citus:
        for statement in citus_tenant_table("dues_tenant_month_figure"):
            op.execute(statement)
    op.execute(FILL)
    op.execute(LEDGER_POSTED)


def _migration(prefix: str) -> ModuleType:
    path = next(Path(__file__).parent.glob(f"{prefix}_*.py"))
    spec = importlib.util.spec_from_file_location(f"migration_{prefix}", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def downgrade() -> None:
    op.execute(_migration("0038").LEDGER_POSTED)
    op.execute("DROP TABLE dues_tenant_month_figure")
    for table in KEYS:
        op.execute(
            f"ALTER TABLE {table} ADD CONSTRAINT {table}_tenant_id_fkey"
            " FOREIGN KEY (tenant_id) REFERENCES tenant (id)"
        )
    op.execute("DROP INDEX dues_bill_month")
    op.execute("CREATE INDEX dues_bill_month ON dues_bill (tenant_id, month)")
