"""Activities (党组织活动), their organizers, expected attendees, check-ins and leave.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22
"""

from alembic import op

from infra.db.rls import tenant_table_rls

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

KINDS = (
    "'branch_congress', 'committee_meeting', 'group_meeting', 'party_lecture', 'theme_day',"
    " 'org_life_meeting', 'democratic_review', 'heart_talk', 'study', 'volunteer', 'other'"
)

SCHEMA = [
    # 活动: one row per activity; `organization_id` is the organizer (主办党组织).
    f"""
    CREATE TABLE activity (
        tenant_id uuid NOT NULL REFERENCES tenant(id),
        id uuid NOT NULL,
        organization_id uuid NOT NULL,
        kind text NOT NULL CHECK (kind IN ({KINDS})),
        title text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
        agenda text,
        starts_at timestamptz NOT NULL,
        ends_at timestamptz NOT NULL,
        place text,
        latitude double precision CHECK (latitude BETWEEN -90 AND 90),
        longitude double precision CHECK (longitude BETWEEN -180 AND 180),
        radius_m integer CHECK (radius_m > 0 AND radius_m <= 10000),
        qr_required boolean NOT NULL DEFAULT true,
        geofence_enabled boolean NOT NULL DEFAULT false,
        window_minutes integer CHECK (window_minutes BETWEEN 0 AND 240),
        status text NOT NULL DEFAULT 'planned'
            CHECK (status IN ('planned', 'ongoing', 'finished', 'archived', 'cancelled')),
        cancel_reason text,
        started_at timestamptz,
        finished_at timestamptz,
        created_by uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        version integer NOT NULL DEFAULT 1,
        PRIMARY KEY (tenant_id, id),
        FOREIGN KEY (tenant_id, organization_id) REFERENCES organization (tenant_id, id),
        CHECK (ends_at > starts_at),
        CHECK ((latitude IS NULL) = (longitude IS NULL)),
        CHECK (NOT geofence_enabled OR (latitude IS NOT NULL AND radius_m IS NOT NULL)),
        CHECK (status <> 'cancelled' OR cancel_reason IS NOT NULL)
    )
    """,
    "CREATE INDEX activity_org_time ON activity (tenant_id, organization_id, starts_at)",
    "CREATE INDEX activity_kind_time ON activity (tenant_id, kind, starts_at)",
    *tenant_table_rls("activity", grants="SELECT, INSERT, UPDATE, DELETE"),
    # 联学联建: every organization the activity counts for, the organizer included.
    """
    CREATE TABLE activity_organization (
        tenant_id uuid NOT NULL,
        activity_id uuid NOT NULL,
        organization_id uuid NOT NULL,
        is_organizer boolean NOT NULL DEFAULT false,
        PRIMARY KEY (tenant_id, activity_id, organization_id),
        FOREIGN KEY (tenant_id, activity_id) REFERENCES activity (tenant_id, id)
            ON DELETE CASCADE,
        FOREIGN KEY (tenant_id, organization_id) REFERENCES organization (tenant_id, id)
    )
    """,
    "CREATE INDEX activity_organization_org ON activity_organization (tenant_id, organization_id)",
    *tenant_table_rls("activity_organization", grants="SELECT, INSERT, UPDATE, DELETE"),
    # 应到人员: derived from the roster at creation, editable; member facts as of the activity.
    """
    CREATE TABLE activity_attendee (
        tenant_id uuid NOT NULL,
        activity_id uuid NOT NULL,
        member_id uuid NOT NULL,
        organization_id uuid NOT NULL,
        member_status text NOT NULL CHECK (member_status IN ('probationary', 'full')),
        is_committee_member boolean NOT NULL DEFAULT false,
        source text NOT NULL DEFAULT 'roster' CHECK (source IN ('roster', 'manual')),
        added_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, activity_id, member_id),
        FOREIGN KEY (tenant_id, activity_id) REFERENCES activity (tenant_id, id)
            ON DELETE CASCADE,
        FOREIGN KEY (tenant_id, member_id) REFERENCES member (tenant_id, id),
        FOREIGN KEY (tenant_id, organization_id) REFERENCES organization (tenant_id, id)
    )
    """,
    "CREATE INDEX activity_attendee_member ON activity_attendee (tenant_id, member_id)",
    *tenant_table_rls("activity_attendee", grants="SELECT, INSERT, UPDATE, DELETE"),
    # 签到: at most one per member per activity; a client-generated id makes an offline
    # replay a no-op in the database itself.
    """
    CREATE TABLE checkin (
        tenant_id uuid NOT NULL,
        id uuid NOT NULL,
        activity_id uuid NOT NULL,
        member_id uuid NOT NULL,
        source text NOT NULL CHECK (source IN ('self', 'self_qr', 'secretary', 'offline_sync')),
        occurred_at timestamptz NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        recorded_by uuid,
        client_id text CHECK (length(client_id) BETWEEN 1 AND 100),
        latitude double precision,
        longitude double precision,
        accuracy_m double precision,
        distance_m double precision,
        PRIMARY KEY (tenant_id, id),
        UNIQUE (tenant_id, activity_id, member_id),
        UNIQUE (tenant_id, client_id),
        FOREIGN KEY (tenant_id, activity_id) REFERENCES activity (tenant_id, id)
            ON DELETE CASCADE,
        FOREIGN KEY (tenant_id, member_id) REFERENCES member (tenant_id, id)
    )
    """,
    *tenant_table_rls("checkin", grants="SELECT, INSERT, UPDATE, DELETE"),
    # 请假: one open (requested or approved) request per member per activity.
    """
    CREATE TABLE leave_request (
        tenant_id uuid NOT NULL,
        id uuid NOT NULL,
        activity_id uuid NOT NULL,
        member_id uuid NOT NULL,
        reason text NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
        status text NOT NULL DEFAULT 'requested'
            CHECK (status IN ('requested', 'approved', 'rejected', 'withdrawn')),
        requested_at timestamptz NOT NULL DEFAULT now(),
        requested_by uuid,
        decided_by uuid,
        decided_at timestamptz,
        decision_note text,
        PRIMARY KEY (tenant_id, id),
        FOREIGN KEY (tenant_id, activity_id) REFERENCES activity (tenant_id, id)
            ON DELETE CASCADE,
        FOREIGN KEY (tenant_id, member_id) REFERENCES member (tenant_id, id)
    )
    """,
    """
    CREATE UNIQUE INDEX leave_request_open ON leave_request (tenant_id, activity_id, member_id)
        WHERE status IN ('requested', 'approved')
    """,
    *tenant_table_rls("leave_request"),
]


def upgrade() -> None:
    for statement in SCHEMA:
        op.execute(statement)


def downgrade() -> None:
    for table in (
        "leave_request",
        "checkin",
        "activity_attendee",
        "activity_organization",
        "activity",
    ):
        op.execute(f"DROP TABLE IF EXISTS {table} CASCADE")
