"""Dues arrears, voluntary payments, the monthly close and the figures summaries read
(issue 15 items 7, 8 and "Monthly close").

- `dues_month_figure`: per organization and month, what the ledger says (bills, charged,
  relieved, collected, refunded, open bills), and `dues_open_bill`: every bill that still
  owes. Both are kept by `zhibu_dues_ledger_posted` (frozen copy of
  `infra/dues/sql/zhibu_dues_ledger_posted.sql`), a trigger on `dues_ledger_entry`, so
  every writer of the ledger keeps them in its own transaction; the application may only
  read them. On Citus the trigger runs before each row (Citus runs no statement triggers
  on distributed tables; untested there, as 0018's).
- `dues_arrears_notice`: a raised arrears level (warning at 3 overdue months, flagged at 6
  consecutive), at most one open per member and level: the partial unique index makes
  "once per episode" hold when two scans race.
- `dues_voluntary_payment` (自愿多交): append-only; one of 1000 yuan or more goes to the
  Centre.
- `dues_month`, `dues_branch_report`, `dues_deferral`: a month opened (bills snapshotted),
  reported by each organization holding bills, closed by the tenant; a bill deferred
  with a reason.

Revision ID: 0038
Revises: 0037
Create Date: 2026-12-02
"""

from alembic import op
from sqlalchemy import text

from infra.db.rls import IS_CITUS, citus_tenant_table, tenant_table_rls

revision = "0038"
down_revision = "0037"
branch_labels = None
depends_on = None

TABLES = {
    "dues_month_figure": (
        """
    CREATE TABLE dues_month_figure (
        tenant_id uuid NOT NULL,
        organization_id uuid NOT NULL,
        month date NOT NULL CHECK (extract(day FROM month) = 1),
        bills integer NOT NULL DEFAULT 0,
        charged_fen bigint NOT NULL DEFAULT 0,
        relieved_fen bigint NOT NULL DEFAULT 0,
        collected_fen bigint NOT NULL DEFAULT 0,
        refunded_fen bigint NOT NULL DEFAULT 0,
        open_bills integer NOT NULL DEFAULT 0,
        PRIMARY KEY (tenant_id, organization_id, month)
    )
    """,
        "SELECT",
    ),
    "dues_open_bill": (
        """
    CREATE TABLE dues_open_bill (
        tenant_id uuid NOT NULL,
        bill_id uuid NOT NULL,
        member_id uuid NOT NULL,
        organization_id uuid NOT NULL,
        month date NOT NULL,
        PRIMARY KEY (tenant_id, bill_id)
    )
    """,
        "SELECT",
    ),
    "dues_arrears_notice": (
        """
    CREATE TABLE dues_arrears_notice (
        tenant_id uuid NOT NULL,
        id uuid NOT NULL,
        member_id uuid NOT NULL,
        organization_id uuid NOT NULL,
        level text NOT NULL CHECK (level IN ('warning', 'flagged')),
        overdue_months integer NOT NULL,
        consecutive_months integer NOT NULL,
        first_overdue date NOT NULL,
        raised_at timestamptz NOT NULL DEFAULT now(),
        ended_at timestamptz,
        PRIMARY KEY (tenant_id, id)
    )
    """,
        "SELECT, INSERT, UPDATE",
    ),
    "dues_voluntary_payment": (
        """
    CREATE TABLE dues_voluntary_payment (
        tenant_id uuid NOT NULL,
        id uuid NOT NULL,
        member_id uuid NOT NULL,
        organization_id uuid NOT NULL,
        month date NOT NULL CHECK (extract(day FROM month) = 1),
        amount_fen bigint NOT NULL CHECK (amount_fen > 0),
        to_centre boolean NOT NULL,
        note text CHECK (length(note) <= 500),
        recorded_by uuid NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, id),
        CHECK (to_centre = (amount_fen >= 100000))
    )
    """,
        "SELECT, INSERT",
    ),
    "dues_month": (
        """
    CREATE TABLE dues_month (
        tenant_id uuid NOT NULL,
        id uuid NOT NULL,
        month date NOT NULL CHECK (extract(day FROM month) = 1),
        status text NOT NULL CHECK (status IN ('open', 'closed')),
        opened_bills integer NOT NULL,
        opened_due_fen bigint NOT NULL,
        opened_by uuid NOT NULL,
        opened_at timestamptz NOT NULL DEFAULT now(),
        closed_bills integer,
        closed_due_fen bigint,
        closed_collected_fen bigint,
        closed_open_bills integer,
        closed_by uuid,
        closed_at timestamptz,
        PRIMARY KEY (tenant_id, id),
        UNIQUE (tenant_id, month)
    )
    """,
        "SELECT, INSERT, UPDATE",
    ),
    "dues_branch_report": (
        """
    CREATE TABLE dues_branch_report (
        tenant_id uuid NOT NULL,
        id uuid NOT NULL,
        month_id uuid NOT NULL,
        organization_id uuid NOT NULL,
        bills integer NOT NULL,
        due_fen bigint NOT NULL,
        collected_fen bigint NOT NULL,
        deferred_bills integer NOT NULL,
        reported_by uuid NOT NULL,
        reported_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, id),
        UNIQUE (tenant_id, month_id, organization_id)
    )
    """,
        "SELECT, INSERT",
    ),
    "dues_deferral": (
        """
    CREATE TABLE dues_deferral (
        tenant_id uuid NOT NULL,
        id uuid NOT NULL,
        bill_id uuid NOT NULL,
        reason text NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
        recorded_by uuid NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, id),
        UNIQUE (tenant_id, bill_id)
    )
    """,
        "SELECT, INSERT",
    ),
}

MEMBER_KEY = "FOREIGN KEY (tenant_id, member_id) REFERENCES member (tenant_id, id)"
ORG_KEY = "FOREIGN KEY (tenant_id, organization_id) REFERENCES organization (tenant_id, id)"
TENANT_KEY = "FOREIGN KEY (tenant_id) REFERENCES tenant (id)"
BILL_KEY = "FOREIGN KEY (tenant_id, bill_id) REFERENCES dues_bill (tenant_id, id)"

FOREIGN_KEYS = {
    "dues_month_figure": [TENANT_KEY, ORG_KEY],
    "dues_open_bill": [TENANT_KEY, MEMBER_KEY, ORG_KEY, BILL_KEY],
    "dues_arrears_notice": [TENANT_KEY, MEMBER_KEY, ORG_KEY],
    "dues_voluntary_payment": [TENANT_KEY, MEMBER_KEY, ORG_KEY],
    "dues_month": [TENANT_KEY],
    "dues_branch_report": [
        TENANT_KEY,
        ORG_KEY,
        "FOREIGN KEY (tenant_id, month_id) REFERENCES dues_month (tenant_id, id)",
    ],
    "dues_deferral": [TENANT_KEY, BILL_KEY],
}

INDEXES = [
    "CREATE INDEX dues_month_figure_month ON dues_month_figure (tenant_id, month)",
    "CREATE INDEX dues_open_bill_member ON dues_open_bill (tenant_id, member_id, month)",
    "CREATE INDEX dues_open_bill_organization"
    " ON dues_open_bill (tenant_id, organization_id, month)",
    # One open notice per member and level: a second scan's insert does nothing.
    "CREATE UNIQUE INDEX dues_arrears_notice_open ON dues_arrears_notice"
    " (tenant_id, member_id, level) WHERE ended_at IS NULL",
    "CREATE INDEX dues_voluntary_payment_month ON dues_voluntary_payment (tenant_id, month)",
]

# infra/dues/sql/zhibu_dues_ledger_posted.sql
LEDGER_POSTED = """
CREATE OR REPLACE FUNCTION zhibu_dues_ledger_posted()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'public', 'pg_temp'
AS $function$
DECLARE
    v_rows dues_ledger_entry[];
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
        RETURN NEW;
    END IF;
    SELECT array_agg(a) INTO v_rows FROM added a;
    IF v_rows IS NULL THEN
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
        FROM unnest(v_rows) e
        GROUP BY 1, 2, 3
    ), moved AS (
        -- A bill's charge is its first entry, written with it: a bill charged in this
        -- set owed nothing before, and its entries name its member, organization and month.
        SELECT e.tenant_id, e.bill_id, sum(e.amount_fen) AS delta,
               bool_or(e.kind = 'charge') AS fresh,
               (array_agg(e.member_id))[1] AS member_id,
               (array_agg(e.organization_id))[1] AS organization_id,
               (array_agg(e.month))[1] AS month
        FROM unnest(v_rows) e WHERE e.bill_id IS NOT NULL
        GROUP BY 1, 2
    ), balance AS (
        -- Any other bill's balance before: a statement's rows are in the table already.
        SELECT m.tenant_id, m.bill_id, m.delta, m.fresh, m.member_id, m.organization_id,
               m.month,
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
        SELECT f.tenant_id, f.bill_id, f.member_id, f.organization_id, f.month, f.opened
        FROM flipped f WHERE f.fresh
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
    INSERT INTO dues_month_figure AS f (
        tenant_id, organization_id, month, bills, charged_fen, relieved_fen, collected_fen,
        refunded_fen, open_bills
    )
    SELECT p.tenant_id, p.organization_id, p.month, sum(p.bills), sum(p.charged),
           sum(p.relieved), sum(p.collected), sum(p.refunded), sum(p.opened)
    FROM posting p
    GROUP BY 1, 2, 3
    ORDER BY 1, 2, 3
    ON CONFLICT (tenant_id, organization_id, month) DO UPDATE SET
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

TRIGGER = """
CREATE TRIGGER dues_ledger_posted AFTER INSERT ON dues_ledger_entry
REFERENCING NEW TABLE AS added
FOR EACH STATEMENT EXECUTE FUNCTION zhibu_dues_ledger_posted()
"""
CITUS_TRIGGER = """
CREATE TRIGGER dues_ledger_posted BEFORE INSERT ON dues_ledger_entry
FOR EACH ROW EXECUTE FUNCTION zhibu_dues_ledger_posted()
"""

FILL = [
    """
    INSERT INTO dues_open_bill (tenant_id, bill_id, member_id, organization_id, month)
    SELECT b.tenant_id, b.id, b.member_id, b.organization_id, b.month
    FROM dues_bill b JOIN dues_ledger_entry e ON e.tenant_id = b.tenant_id AND e.bill_id = b.id
    GROUP BY b.tenant_id, b.id
    HAVING sum(e.amount_fen) > 0
    """,
    """
    INSERT INTO dues_month_figure (
        tenant_id, organization_id, month, bills, charged_fen, relieved_fen, collected_fen,
        refunded_fen
    )
    SELECT tenant_id, organization_id, month,
           count(*) FILTER (WHERE kind = 'charge'),
           coalesce(sum(amount_fen) FILTER (WHERE kind = 'charge'), 0),
           coalesce(-sum(amount_fen) FILTER (WHERE kind = 'exemption'), 0),
           coalesce(-sum(amount_fen) FILTER (WHERE kind IN ('payment', 'back_payment')), 0),
           coalesce(sum(amount_fen) FILTER (WHERE kind = 'refund'), 0)
    FROM dues_ledger_entry
    GROUP BY 1, 2, 3
    """,
    """
    INSERT INTO dues_month_figure AS f (tenant_id, organization_id, month, open_bills)
    SELECT tenant_id, organization_id, month, count(*)
    FROM dues_open_bill GROUP BY 1, 2, 3
    ON CONFLICT (tenant_id, organization_id, month)
    DO UPDATE SET open_bills = excluded.open_bills
    """,
]


def upgrade() -> None:
    citus = op.get_bind().execute(text(IS_CITUS)).first() is not None
    for table, (create, grants) in TABLES.items():
        op.execute(create)
        for statement in tenant_table_rls(table, grants=grants):
            op.execute(statement)
        if citus:
            for statement in citus_tenant_table(table):
                op.execute(statement)
        for key in FOREIGN_KEYS[table]:
            op.execute(f"ALTER TABLE {table} ADD {key}")
    for index in INDEXES:
        op.execute(index)
    for statement in FILL:
        op.execute(statement)
    op.execute(LEDGER_POSTED)
    op.execute("REVOKE ALL ON FUNCTION zhibu_dues_ledger_posted() FROM PUBLIC")
    if citus:
        op.execute("SET LOCAL citus.enable_unsafe_triggers = on")
    op.execute(CITUS_TRIGGER if citus else TRIGGER)


def downgrade() -> None:
    if op.get_bind().execute(text(IS_CITUS)).first() is not None:
        op.execute("SET LOCAL citus.enable_unsafe_triggers = on")
    op.execute("DROP TRIGGER dues_ledger_posted ON dues_ledger_entry")
    op.execute("DROP FUNCTION zhibu_dues_ledger_posted()")
    for table in reversed(TABLES):
        op.execute(f"DROP TABLE {table}")
