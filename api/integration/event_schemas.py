"""The feed's bodies: one envelope per event type, tagged by `type`, each with its
payload struct from the catalogue (domain.integration.EVENT_TYPES), so the OpenAPI
document holds a schema per type and clients can switch on `type`."""

from __future__ import annotations

import uuid
from datetime import datetime
from functools import cache
from typing import Annotated, Any, Union

import msgspec
from msgspec import Meta

from domain.integration import EVENT_TYPES


class Aggregate(msgspec.Struct, kw_only=True):
    """事件所属的聚合（如某党员、某活动） What the event is about."""

    type: Annotated[str, Meta(examples=["member"])]
    id: str


def _envelope(name: str, payload: type[msgspec.Struct]) -> type[msgspec.Struct]:
    return msgspec.defstruct(
        f"{payload.__name__}Event",
        [
            ("id", Annotated[uuid.UUID, Meta(description="事件编号 Event id (dedupe by it)")]),
            ("time", Annotated[datetime, Meta(description="写入时间 When it was written")]),
            ("tenant_id", uuid.UUID),
            ("aggregate", Aggregate),
            ("payload", payload),
        ],
        kw_only=True,
        tag_field="type",
        tag=name,
        module=__name__,
    )


ENVELOPES = tuple(_envelope(name, payload) for name, payload in EVENT_TYPES.items())
Event: Any = Union[ENVELOPES]  # noqa: UP007 - a union built from the catalogue


class EventPage(msgspec.Struct, kw_only=True):
    """一页事件；把 next_cursor 作为 after 继续轮询 A page; poll on with next_cursor."""

    items: list[Event]  # type: ignore[valid-type]
    next_cursor: str


class EventTypeOut(msgspec.Struct, kw_only=True):
    type: str
    description: str
    aggregate_type: str
    scope: Annotated[
        str | None,
        Meta(
            description="读取所需的授权范围（null：只有管理员可读） The scope that reads it"
            " (null: administrators only)"
        ),
    ]
    personal_fields: Annotated[
        list[str],
        Meta(description="只在有敏感范围时给出的字段 Given only with the sensitive scope"),
    ]
    schema_ref: Annotated[str, Meta(examples=["#/components/schemas/MemberCreated"])]
    payload_schema: Annotated[
        dict[str, Any], Meta(description="负载的 JSON Schema The payload's JSON Schema")
    ]


@cache
def payload_schema(payload: type[msgspec.Struct]) -> dict[str, Any]:
    """A standalone JSON Schema (its definitions under `$defs`)."""
    return msgspec.json.schema(payload)
