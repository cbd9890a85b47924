"""Star ratings (星级评定, issue 14 items 4–6): rating runs, the ratings they publish,
members' appeals, and the manual scores the next level gives a branch.

Tenant tables (tenant_id in the primary key and every foreign key, FORCE'd row-level
security), distributed with member on Citus. A run is unique per tenant, subject and
period, which makes a rerun of its job a no-op; a rating keeps the stars it was drafted
with beside the stars it stands with (an upheld appeal changes only the latter).

Revision ID: 0040
Revises: 0043
Create Date: 2026-12-02
"""

from alembic import op
from sqlalchemy import text

from infra.db.rls import IS_CITUS, citus_tenant_table, tenant_table_rls

revision = "0040"
down_revision = "0043"
branch_labels = None
depends_on = None

TABLES = {
    "star_run": (
        """
    CREATE TABLE star_run (
        tenant_id uuid NOT NULL,
        id uuid NOT NULL,
        subject text NOT NULL CHECK (subject IN ('member', 'branch')),
        period text NOT NULL,
        scheme jsonb NOT NULL,
        status text NOT NULL CHECK (status IN ('queued', 'published')),
        job_id uuid NOT NULL,
        publish_at timestamptz NOT NULL,
        stands_at timestamptz NOT NULL,
        rated integer NOT NULL DEFAULT 0,
        distribution jsonb NOT NULL DEFAULT '{}',
        created_by uuid NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, id),
        UNIQUE (tenant_id, subject, period)
    )
    """,
        "SELECT, INSERT, UPDATE",
    ),
    "star_rating": (
        """
    CREATE TABLE star_rating (
        tenant_id uuid NOT NULL,
        id uuid NOT NULL,
        run_id uuid NOT NULL,
        subject text NOT NULL CHECK (subject IN ('member', 'branch')),
        subject_id uuid NOT NULL,  -- a member or an organization, as `subject` says
        organization_id uuid NOT NULL,
        period text NOT NULL,
        score numeric(10, 2) NOT NULL,
        drafted_stars smallint NOT NULL CHECK (drafted_stars BETWEEN 1 AND 5),
        stars smallint NOT NULL CHECK (stars BETWEEN 1 AND 5),
        rank integer NOT NULL,
        previous_stars smallint,
        breakdown jsonb NOT NULL,
        publish_at timestamptz NOT NULL,
        stands_at timestamptz NOT NULL,
        PRIMARY KEY (tenant_id, id),
        UNIQUE (tenant_id, run_id, subject_id)
    )
    """,
        "SELECT, INSERT, UPDATE",
    ),
    "star_appeal": (
        """
    CREATE TABLE star_appeal (
        tenant_id uuid NOT NULL,
        id uuid NOT NULL,
        rating_id uuid NOT NULL,
        reason text NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
        filed_by uuid NOT NULL,
        filed_at timestamptz NOT NULL DEFAULT now(),
        status text NOT NULL CHECK (status IN ('open', 'upheld', 'dismissed')),
        stars_before smallint NOT NULL,
        stars_after smallint,
        decided_by uuid,
        decided_at timestamptz,
        decision_reason text,
        PRIMARY KEY (tenant_id, id),
        UNIQUE (tenant_id, rating_id)
    )
    """,
        "SELECT, INSERT, UPDATE",
    ),
    "star_score": (
        """
    CREATE TABLE star_score (
        tenant_id uuid NOT NULL,
        organization_id uuid NOT NULL,
        period text NOT NULL,
        indicator text NOT NULL,
        score numeric(8, 2) NOT NULL CHECK (score >= 0),
        reason text NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
        scored_by uuid NOT NULL,
        scored_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, organization_id, period, indicator)
    )
    """,
        "SELECT, INSERT, UPDATE",
    ),
}

FOREIGN_KEYS = {
    "star_run": ["FOREIGN KEY (tenant_id) REFERENCES tenant (id)"],
    "star_rating": [
        "FOREIGN KEY (tenant_id) REFERENCES tenant (id)",
        "FOREIGN KEY (tenant_id, run_id) REFERENCES star_run (tenant_id, id)",
        "FOREIGN KEY (tenant_id, organization_id) REFERENCES organization (tenant_id, id)",
    ],
    "star_appeal": [
        "FOREIGN KEY (tenant_id) REFERENCES tenant (id)",
        "FOREIGN KEY (tenant_id, rating_id) REFERENCES star_rating (tenant_id, id)",
    ],
    "star_score": [
        "FOREIGN KEY (tenant_id) REFERENCES tenant (id)",
        "FOREIGN KEY (tenant_id, organization_id) REFERENCES organization (tenant_id, id)",
    ],
}

INDEXES = [
    "CREATE INDEX star_rating_subject ON star_rating (tenant_id, subject_id, period)",
    "CREATE INDEX star_rating_org ON star_rating (tenant_id, organization_id, run_id)",
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


def downgrade() -> None:
    for table in reversed(TABLES):
        op.execute(f"DROP TABLE {table}")
