"""SQLModel mapping of the evidence table (schema from migration 0005)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import BigInteger
from sqlalchemy.types import DateTime
from sqlmodel import Field, SQLModel


class Evidence(SQLModel, table=True):
    """佐证材料: one file of an activity (minutes, photo, sign-in sheet, other file)."""

    __tablename__ = "evidence"
    tenant_id: uuid.UUID = Field(primary_key=True)
    id: uuid.UUID = Field(primary_key=True)
    activity_id: uuid.UUID
    kind: str
    filename: str
    content_type: str
    size_bytes: int = Field(sa_type=BigInteger)
    sha256: str
    object_key: str
    upload_key: str | None = None
    """After confirmation, the key the upload URL targeted, until the sweep clears it."""
    status: str = "pending"
    sniffed_content_type: str | None = None
    object_etag: str | None = None
    last_error_code: str | None = None
    uploaded_by: uuid.UUID
    upload_expires_at: datetime = Field(sa_type=DateTime(timezone=True))
    exif_taken_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    exif_latitude: float | None = None
    exif_longitude: float | None = None
    created_at: datetime = Field(
        default_factory=lambda: datetime.now(UTC), sa_type=DateTime(timezone=True)
    )
    confirmed_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    deleted_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    deleted_by: uuid.UUID | None = None
