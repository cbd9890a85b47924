"""The standard forms of a development file (入党志愿书, 政审结论, 培养考察记录).

A tenant table like applicant_step (tenant_id in the primary key and the foreign key to
the applicant, FORCE'd row-level security, distributed with applicant on Citus). A file
holds one 入党志愿书 and one 政审 conclusion: a partial unique index says so, so two
requests at once cannot both record one. Scans name evidence rows, checked through the
evidence context when the form is recorded, not keyed.

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

INDEXES = [
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
    for statement in INDEXES:
        op.execute(statement)
    for statement in tenant_table_rls("applicant_form"):
        op.execute(statement)
    if citus:
        for statement in citus_tenant_table("applicant_form"):
            op.execute(statement)
    for key in FOREIGN_KEYS:
        op.execute(f"ALTER TABLE applicant_form ADD {key}")


def downgrade() -> None:
    op.execute("DROP TABLE applicant_form")
