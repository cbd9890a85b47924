"""The standard forms of a development file (入党志愿书, 政审结论, 培养考察记录), and the
deadline reminders sent for its steps.

A tenant table like applicant_step (tenant_id in the primary key and the foreign key to
the applicant, FORCE'd row-level security, distributed with applicant on Citus). A file
holds one 入党志愿书 and one 政审 conclusion: a partial unique index says so, so two
requests at once cannot both record one. Scans name evidence rows, checked through the
evidence context when the form is recorded, not keyed.

The queues (`applicants?overdue=true`, `due_by=`) page in id order among files with a
deadline: two partial indexes let a page stop after its 51st row instead of sorting every
file with a deadline (bench.development_queues: a county's roll-up of overdue steps and the
province's list went from a sort of thousands of rows to an ordered index walk). One leads
with the tenant for one county's subtree; one in plain id order for a province's or
city's list across its tenants.

applicant_reminder keeps one row per reminder sent: its key (the applicant, the step the
file stood at, that step's deadline and the kind of reminder) is what makes the schedule
send each reminder once per deadline however often it runs.

Revision ID: 0045
Revises: 0044
Create Date: 2026-12-02
"""

from alembic import op
from sqlalchemy import text

from infra.db.rls import IS_CITUS, citus_tenant_table, tenant_table_rls

revision = "0045"
down_revision = "0044"
branch_labels = None
depends_on = None

CREATE = """
CREATE TABLE applicant_form (
    tenant_id uuid NOT NULL,
    id uuid NOT NULL,
    applicant_id uuid NOT NULL,
    kind text NOT NULL
        CHECK (kind IN ('application_form', 'political_review', 'cultivation_record')),
    fields jsonb NOT NULL,
    scans uuid[] NOT NULL DEFAULT '{}',
    recorded_by uuid,
    recorded_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id)
)
"""

REMINDERS = """
CREATE TABLE applicant_reminder (
    tenant_id uuid NOT NULL,
    applicant_id uuid NOT NULL,
    step int NOT NULL CHECK (step BETWEEN 0 AND 25),
    due_by date NOT NULL,
    kind text NOT NULL CHECK (kind IN ('step_due', 'step_overdue')),
    sent_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, applicant_id, step, due_by, kind)
)
"""

INDEXES = [
    "CREATE INDEX applicant_queue ON applicant (tenant_id, id) WHERE due_by IS NOT NULL",
    "CREATE INDEX applicant_queue_across ON applicant (id) WHERE due_by IS NOT NULL",
    "CREATE INDEX applicant_form_file ON applicant_form (tenant_id, applicant_id, id)",
    "CREATE UNIQUE INDEX applicant_form_once ON applicant_form (tenant_id, applicant_id, kind)"
    " WHERE kind IN ('application_form', 'political_review')",
]

FOREIGN_KEYS = [
    "FOREIGN KEY (tenant_id) REFERENCES tenant (id)",
    "FOREIGN KEY (tenant_id, applicant_id) REFERENCES applicant (tenant_id, id)",
]


def upgrade() -> None:
    citus = op.get_bind().execute(text(IS_CITUS)).first() is not None
    op.execute(CREATE)
    op.execute(REMINDERS)
    for statement in INDEXES:
        op.execute(statement)
    # Forms and sent reminders are facts: the app adds and reads rows, never changes them.
    for table, grants in (
        ("applicant_form", "SELECT, INSERT"),
        ("applicant_reminder", "SELECT, INSERT"),
    ):
        for statement in tenant_table_rls(table, grants=grants):
            op.execute(statement)
        if citus:
            for statement in citus_tenant_table(table):
                op.execute(statement)
        for key in FOREIGN_KEYS:
            op.execute(f"ALTER TABLE {table} ADD {key}")


def downgrade() -> None:
    op.execute("DROP INDEX applicant_queue_across")
    op.execute("DROP INDEX applicant_queue")
    op.execute("DROP TABLE applicant_reminder")
    op.execute("DROP TABLE applicant_form")
