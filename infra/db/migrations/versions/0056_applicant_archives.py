"""The archives of development files (step 25) as the file's own records; a member's file.

An archive is made by a job, and a job belongs to the tenant of the account that queued it
(its creator is keyed within that tenant). A province administrator's archive of a county's
file was therefore the province's alone: the county whose file it is never saw it. Now each
archive is also a row of the file's tenant, written when it is queued and kept up to date
by its job (status, progress, the zip's key and checksum), so the file's tenant and the
tenants above it see it, and a sibling tenant sees nothing. The id is the job's.

A member's development file is found by the member (`applicants?member_id=`): an index on
the applicant's member keeps that a lookup.

Archives queued before this migration get their row from their job: on Citus only those
queued in the file's own tenant (a join of the two tables on their distribution column).

Revision ID: 0056
Revises: 0054
Create Date: 2026-12-02
"""

from alembic import op
from sqlalchemy import text

from infra.db.rls import IS_CITUS, citus_tenant_table, tenant_table_rls

revision = "0056"
down_revision = "0054"
branch_labels = None
depends_on = None

CREATE = """
CREATE TABLE applicant_archive (
    tenant_id uuid NOT NULL,
    id uuid NOT NULL,
    applicant_id uuid NOT NULL,
    status text NOT NULL DEFAULT 'queued'
        CHECK (status IN ('queued', 'running', 'succeeded', 'failed')),
    progress_done int NOT NULL DEFAULT 0,
    progress_total int,
    result jsonb,
    created_by uuid NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz,
    PRIMARY KEY (tenant_id, id)
)
"""

BACKFILL = """
INSERT INTO applicant_archive (tenant_id, id, applicant_id, status, progress_done,
                               progress_total, result, created_by, created_at, finished_at)
SELECT a.tenant_id, j.id, a.id,
       CASE WHEN j.status IN ('queued', 'running', 'succeeded') THEN j.status ELSE 'failed' END,
       j.progress_done, j.progress_total, j.result, j.created_by, j.created_at, j.finished_at
FROM job j
JOIN applicant a ON a.id = CAST(j.params ->> 'applicant_id' AS uuid) {same_tenant}
WHERE j.kind = 'development.archive'
"""


def upgrade() -> None:
    citus = op.get_bind().execute(text(IS_CITUS)).first() is not None
    op.execute(CREATE)
    op.execute(
        "CREATE INDEX applicant_archive_file ON applicant_archive (tenant_id, applicant_id, id)"
    )
    for statement in tenant_table_rls("applicant_archive"):
        op.execute(statement)
    if citus:
        for statement in citus_tenant_table("applicant_archive"):
            op.execute(statement)
    op.execute("ALTER TABLE applicant_archive ADD FOREIGN KEY (tenant_id) REFERENCES tenant (id)")
    op.execute(
        "ALTER TABLE applicant_archive ADD FOREIGN KEY (tenant_id, applicant_id)"
        " REFERENCES applicant (tenant_id, id)"
    )
    op.execute(
        "CREATE INDEX applicant_member ON applicant (tenant_id, member_id)"
        " WHERE member_id IS NOT NULL"
    )
    op.execute(BACKFILL.format(same_tenant="AND a.tenant_id = j.tenant_id" if citus else ""))


def downgrade() -> None:
    op.execute("DROP INDEX applicant_member")
    op.execute("DROP TABLE applicant_archive")
