"""The event catalogue (事件目录): every event type third parties read, its payload, and
what of it is personal.

The payloads are what the contexts write to the outbox (`topic` = event type); these
structs are the published contract of that JSON, shown per type in the OpenAPI document,
listed at `GET /event-types`, and shared by the event feed and webhooks. A type is read
only by a caller who may read its resource (`permission`); fields naming a person other
than the event's own resource (`personal`) are given only with the sensitive scope
(`members:sensitive:read`), and null otherwise.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Literal

import msgspec
from msgspec import Meta

from domain.integration.messages import MESSAGES
from domain.shared.errors import ErrorKind, Message

_PERSONAL = {"x-personal": True}


class MemberChanged(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    member_id: uuid.UUID
    organization_id: Annotated[
        uuid.UUID, Meta(description="党员所在党组织 The member's organization")
    ]
    version: Annotated[int, Meta(ge=1, description="党员记录的版本 The record's version")]
    fields: Annotated[
        list[str],
        Meta(description="改动的字段（新建时为空） Fields changed (empty on creation)"),
    ]


class MemberCreated(MemberChanged, kw_only=True):
    """党员记录已建立（逐个新建或导入） A member record was created (one by one or imported)."""


class MemberUpdated(MemberChanged, kw_only=True):
    """党员记录已修改 A member record was changed; `fields` names what changed."""


class MemberStatusChanged(MemberChanged, kw_only=True):
    """党员状态已变更（转正、停止党籍等） A member's status changed."""


class CheckinRecorded(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """已签到 A check-in was recorded (self, QR, offline sync or marked by a secretary)."""

    checkin_id: uuid.UUID
    activity_id: uuid.UUID
    member_id: Annotated[
        uuid.UUID | None,
        Meta(
            description="签到的党员（无敏感范围时为 null） The member (null without the"
            " sensitive scope)",
            extra_json_schema=_PERSONAL,
        ),
    ]
    source: Literal["self", "self_qr", "offline_sync", "secretary"]
    occurred_at: datetime


class EvidenceAttached(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """佐证材料已上传并确认 Evidence was uploaded and confirmed."""

    evidence_id: uuid.UUID
    activity_id: uuid.UUID
    kind: str
    content_type: str
    size_bytes: Annotated[int, Meta(ge=0)]
    sha256: Annotated[str, Meta(pattern="^[0-9a-f]{64}$")]
    uploaded_by: Annotated[
        uuid.UUID | None,
        Meta(
            description="上传的账号（无敏感范围时为 null） The uploader (null without the"
            " sensitive scope)",
            extra_json_schema=_PERSONAL,
        ),
    ]


class EvidenceDeleted(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """佐证材料已删除 Evidence was deleted."""

    evidence_id: uuid.UUID
    activity_id: uuid.UUID


EVENT_TYPES: dict[str, type[msgspec.Struct]] = {
    "member.created": MemberCreated,
    "member.updated": MemberUpdated,
    "member.status_changed": MemberStatusChanged,
    "checkin.recorded": CheckinRecorded,
    "evidence.attached": EvidenceAttached,
    "evidence.deleted": EvidenceDeleted,
}
"""Every event type third parties may read, and its payload."""

EventTypeName = Literal[
    "member.created",
    "member.updated",
    "member.status_changed",
    "checkin.recorded",
    "evidence.attached",
    "evidence.deleted",
]


@dataclass(frozen=True, slots=True)
class EventType:
    """What a catalogued type is about, and who reads it."""

    name: str
    payload: type[msgspec.Struct]
    aggregate_type: str
    permission: str  # `resource:action` a reader must hold where the event happened
    personal: tuple[str, ...]  # payload fields given only with the sensitive scope

    @property
    def description(self) -> Message:
        return MESSAGES.message(f"event:{self.name}")


def _personal(payload: type[msgspec.Struct]) -> tuple[str, ...]:
    info = msgspec.inspect.type_info(payload)
    assert isinstance(info, msgspec.inspect.StructType)
    return tuple(
        f.name
        for f in info.fields
        if isinstance(f.type, msgspec.inspect.Metadata)
        and (f.type.extra_json_schema or {}).get("x-personal")
    )


_ABOUT = {
    "member": ("member", "member:read"),
    "checkin": ("activity", "checkin:read"),
    "evidence": ("activity", "activity:read"),
}

CATALOGUE: dict[str, EventType] = {
    name: EventType(
        name,
        payload,
        _ABOUT[name.partition(".")[0]][0],
        _ABOUT[name.partition(".")[0]][1],
        _personal(payload),
    )
    for name, payload in EVENT_TYPES.items()
}


_FIELDS: dict[str, tuple[str, ...]] = {
    name: tuple(f.name for f in msgspec.structs.fields(payload))
    for name, payload in EVENT_TYPES.items()
}


def redact(event_type: str, payload: dict[str, Any], sensitive: bool) -> dict[str, Any]:
    """The payload a reader is given: only the fields its schema documents, personal ones
    null unless `sensitive` (the reader holds `member:read_sensitive` there); nothing of an
    uncatalogued type. A field a context adds to its outbox payload reaches readers only
    once the catalogue documents it."""
    kind = CATALOGUE.get(event_type)
    if kind is None:
        return {}
    hidden = () if sensitive else kind.personal
    return {
        name: (None if name in hidden else payload[name])
        for name in _FIELDS[event_type]
        if name in payload
    }


def reveals(event_type: str, payload: dict[str, Any]) -> bool:
    """Whether the payload, given in full, shows personal data (so the read is audited)."""
    kind = CATALOGUE.get(event_type)
    return kind is not None and any(payload.get(f) is not None for f in kind.personal)


def readable_types(
    asked: Sequence[str] | None, can: Callable[[str], bool], *, field: str = "types"
) -> tuple[str, ...]:
    """The types a feed or a webhook reads: those asked for (all catalogued ones if none),
    each only if `can(permission)` holds; refused (403) when an asked type is not readable,
    or none is."""
    names = list(dict.fromkeys(asked)) if asked else list(CATALOGUE)
    refused = [n for n in names if not can(CATALOGUE[n].permission)]
    if asked and refused:
        raise MESSAGES.error(
            "event_types_not_readable",
            ErrorKind.FORBIDDEN,
            errors=[
                MESSAGES.field(
                    field,
                    "event_type_not_readable",
                    code="not_held",
                    type=n,
                    permission=CATALOGUE[n].permission,
                )
                for n in refused
            ],
        )
    readable = tuple(n for n in names if n not in refused)
    if not readable:
        raise MESSAGES.error("event_types_none_readable", ErrorKind.FORBIDDEN)
    return readable
