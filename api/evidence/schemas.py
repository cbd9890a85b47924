"""Request and response bodies of the evidence endpoints."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

import msgspec
from msgspec import Meta

KindName = Literal["minutes", "photo", "signin_sheet", "file"]


class Strict(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Request bodies refuse unknown fields, so a typo is an error and not a silent no-op."""


class EvidenceSlotIn(Strict):
    """申请上传槽位 Declare one file before uploading it.

    kind: minutes 会议记录, photo 照片, signin_sheet 签到表, file 其他文件.
    """

    kind: KindName
    filename: Annotated[
        str,
        Meta(min_length=1, pattern=r"\S", max_length=255, examples=["支部党员大会现场.jpg"]),
    ]
    content_type: Annotated[
        str,
        Meta(
            min_length=1,
            max_length=255,
            examples=["image/jpeg"],
            description="文件的 MIME 类型；服务器确认时按内容核对 Declared MIME type",
        ),
    ]
    size_bytes: Annotated[int, Meta(ge=1, examples=[245760], description="文件字节数 Size")]
    sha256: Annotated[
        str,
        Meta(
            min_length=64,
            max_length=64,
            examples=["9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"],
            description="文件内容的 SHA-256（十六进制） SHA-256 of the content, hex",
        ),
    ]


class UploadOut(msgspec.Struct):
    """照此上传 Send `method` to `url` with exactly these `headers` and the file as body."""

    url: str
    method: str
    headers: dict[str, str]
    expires_at: datetime | None


class DownloadOut(msgspec.Struct):
    """限时下载链接 A download link that stops working at `expires_at`."""

    url: str
    expires_at: datetime


class PhotoHintOut(msgspec.Struct):
    """照片 EXIF 中的时间地点，与活动对照，仅供参考 EXIF time and place: a hint, not a check."""

    taken_at: datetime | None
    latitude: float | None
    longitude: float | None
    taken_during_activity: bool | None
    distance_m: float | None
    activity_starts_at: datetime
    activity_ends_at: datetime
    activity_place: str | None


class EvidenceOut(msgspec.Struct):
    """佐证材料 One file of an activity: pending until the server has verified it."""

    id: uuid.UUID
    tenant_id: uuid.UUID
    activity_id: uuid.UUID
    kind: str
    filename: str
    content_type: str
    size_bytes: int
    sha256: str
    status: str
    uploaded_by: uuid.UUID
    created_at: datetime
    confirmed_at: datetime | None
    last_error_code: str | None
    photo: PhotoHintOut | None = None
    download: DownloadOut | None = None


class EvidenceSlotOut(msgspec.Struct):
    evidence: EvidenceOut
    upload: UploadOut
