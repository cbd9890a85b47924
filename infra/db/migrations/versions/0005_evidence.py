"""Evidence (佐证材料): files attached to activities, uploaded straight to object storage.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22
"""

from alembic import op

from infra.db.rls import tenant_table_rls

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

SCHEMA = [
    # One row per upload slot. `pending` until the server has read the stored object and
    # found it to be the declared file; then `attached`. Deleting keeps the row (who
    # deleted what, when) and removes the bytes.
    """
    CREATE TABLE evidence (
        tenant_id uuid NOT NULL REFERENCES tenant(id),
        id uuid NOT NULL,
        activity_id uuid NOT NULL,
        kind text NOT NULL CHECK (kind IN ('minutes', 'photo', 'signin_sheet', 'file')),
        filename text NOT NULL CHECK (length(filename) BETWEEN 1 AND 255),
        content_type text NOT NULL CHECK (length(content_type) BETWEEN 1 AND 255),
        size_bytes bigint NOT NULL CHECK (size_bytes > 0),
        sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
        object_key text NOT NULL CHECK (length(object_key) BETWEEN 1 AND 1024),
        status text NOT NULL DEFAULT 'pending'
            CHECK (status IN ('pending', 'attached', 'deleted')),
        sniffed_content_type text,
        object_etag text,
        last_error_code text,
        uploaded_by uuid NOT NULL,
        upload_expires_at timestamptz NOT NULL,
        exif_taken_at timestamptz,
        exif_latitude double precision CHECK (exif_latitude BETWEEN -90 AND 90),
        exif_longitude double precision CHECK (exif_longitude BETWEEN -180 AND 180),
        created_at timestamptz NOT NULL DEFAULT now(),
        confirmed_at timestamptz,
        deleted_at timestamptz,
        deleted_by uuid,
        PRIMARY KEY (tenant_id, id),
        UNIQUE (tenant_id, object_key),
        FOREIGN KEY (tenant_id, activity_id) REFERENCES activity (tenant_id, id),
        CHECK (status <> 'attached' OR confirmed_at IS NOT NULL),
        CHECK ((status = 'deleted') = (deleted_at IS NOT NULL))
    )
    """,
    "CREATE INDEX evidence_activity ON evidence (tenant_id, activity_id, status, id)",
    *tenant_table_rls("evidence"),
]


def upgrade() -> None:
    for statement in SCHEMA:
        op.execute(statement)


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS evidence CASCADE")
