"""Member development (发展党员, issue 17): applicants and the steps of their files.

Both are tenant tables (tenant_id in the primary key and every foreign key, FORCE'd row
level security); on Citus they are distributed by tenant_id with member. An applicant's
身份证号 is sealed like a member's (same column name in the ciphertext and blind index,
so admission can carry it to the member record) and unique per tenant among applicants.
Documents, meetings, mentors and sponsors name rows of other contexts (evidence,
activities, members): checked through those contexts when a step is recorded, not keyed.

Revision ID: 0034
Revises: 0032
Create Date: 2026-12-02
"""

from alembic import op
from sqlalchemy import text

from infra.db.rls import IS_CITUS, citus_tenant_table, tenant_table_rls

revision = "0034"
down_revision = "0032"
branch_labels = None
depends_on = None

TABLES = {
    "applicant": """
    CREATE TABLE applicant (
        tenant_id uuid NOT NULL,
        id uuid NOT NULL,
        organization_id uuid NOT NULL,
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 50),
        gender text NOT NULL,
        birth_date date NOT NULL,
        ethnicity text,
        education text,
        work_unit text,
        post text,
        id_number_enc bytea NOT NULL,
        id_number_bidx bytea NOT NULL,
        id_number_masked text NOT NULL,
        phone_enc bytea,
        phone_bidx bytea,
        phone_masked text,
        status text NOT NULL DEFAULT 'in_progress',
        current_step int NOT NULL DEFAULT 0 CHECK (current_step BETWEEN 0 AND 25),
        stage int NOT NULL DEFAULT 1 CHECK (stage BETWEEN 1 AND 5),
        applied_on date,
        admitted_on date,
        probation_ends_on date,
        full_member_on date,
        possible_from date,
        due_by date,
        notice_ends_on date,
        member_id uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        version int NOT NULL DEFAULT 1,
        PRIMARY KEY (tenant_id, id)
    )
    """,
    "applicant_step": """
    CREATE TABLE applicant_step (
        tenant_id uuid NOT NULL,
        id uuid NOT NULL,
        applicant_id uuid NOT NULL,
        step int NOT NULL CHECK (step BETWEEN 1 AND 25),
        occurred_on date NOT NULL,
        decision text NOT NULL,
        documents jsonb NOT NULL DEFAULT '[]',
        meeting_id uuid,
        vote jsonb,
        mentors uuid[] NOT NULL DEFAULT '{}',
        sponsors uuid[] NOT NULL DEFAULT '{}',
        notice_starts_on date,
        notice_ends_on date,
        detail jsonb NOT NULL DEFAULT '{}',
        opinion text,
        recorded_by uuid,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, id)
    )
    """,
}

INDEXES = {
    "applicant": [
        "CREATE UNIQUE INDEX applicant_id_number ON applicant (tenant_id, id_number_bidx)",
        "CREATE INDEX applicant_organization ON applicant (tenant_id, organization_id, id)",
        "CREATE INDEX applicant_progress ON applicant (tenant_id, status, current_step)",
        "CREATE INDEX applicant_due ON applicant (tenant_id, due_by) WHERE due_by IS NOT NULL",
    ],
    "applicant_step": [
        "CREATE INDEX applicant_step_file ON applicant_step (tenant_id, applicant_id, step)",
    ],
}

# Added once the table is distributed: Citus refuses a local table's keys to distributed
# or reference tables.
FOREIGN_KEYS = {
    "applicant": [
        "FOREIGN KEY (tenant_id) REFERENCES tenant (id)",
        "FOREIGN KEY (tenant_id, organization_id) REFERENCES organization (tenant_id, id)",
    ],
    "applicant_step": [
        "FOREIGN KEY (tenant_id) REFERENCES tenant (id)",
        "FOREIGN KEY (tenant_id, applicant_id) REFERENCES applicant (tenant_id, id)",
    ],
}


def upgrade() -> None:
    citus = op.get_bind().execute(text(IS_CITUS)).first() is not None
    for table, create in TABLES.items():
        op.execute(create)
        for statement in INDEXES[table]:
            op.execute(statement)
        for statement in tenant_table_rls(table):
            op.execute(statement)
        if citus:
            for statement in citus_tenant_table(table):
                op.execute(statement)
        for key in FOREIGN_KEYS[table]:
            op.execute(f"ALTER TABLE {table} ADD {key}")


def downgrade() -> None:
    for table in reversed(TABLES):
        op.execute(f"DROP TABLE {table}")
