"""One time format out: every time leaves the API as RFC 3339 with Asia/Shanghai's offset.

The same instant used to leave as `…+08:00` when echoed from a request and as `…Z` when
read back from PostgreSQL. msgspec encodes datetimes natively (no hook reaches them), so
a body's datetimes are moved to the display zone before it is encoded. Which fields of a
Struct can hold a time is worked out once per Struct type from its annotations, so a page
of two hundred members costs a few hundred conversions, not a walk over every value.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable
from datetime import datetime
from functools import cache
from typing import Any, TypeVar

import msgspec
from litestar import Response
from litestar.serialization import default_serializer
from litestar.types import Empty

from domain.shared import DISPLAY_ZONE

T = TypeVar("T")
_CONTAINERS = (list, tuple, set, frozenset, dict)
_TIMELESS = (str, int, float, bool, bytes, type(None))


def in_display_zone(content: Any) -> Any:
    """`content` with every aware datetime in it moved to the display zone (a copy)."""
    if isinstance(content, datetime):
        return content.astimezone(DISPLAY_ZONE) if content.tzinfo is not None else content
    if isinstance(content, msgspec.Struct):
        fields = _time_fields(type(content))
        if not fields:
            return content
        return msgspec.structs.replace(
            content, **{name: in_display_zone(getattr(content, name)) for name in fields}
        )
    if isinstance(content, list | tuple):
        return [in_display_zone(item) for item in content]
    if isinstance(content, dict):
        return {key: in_display_zone(item) for key, item in content.items()}
    return content


@cache
def _time_fields(struct: type[msgspec.Struct]) -> tuple[str, ...]:
    hints = _hints(struct)
    return tuple(
        name for name in struct.__struct_fields__ if _may_hold_time(hints.get(name, Any), set())
    )


def _hints(struct: type[msgspec.Struct]) -> dict[str, Any]:
    """Resolved annotations; none (so every field's value is looked at) when they cannot be."""
    try:
        return typing.get_type_hints(struct)
    except (NameError, TypeError):
        return {}


def _may_hold_time(tp: Any, seen: set[Any]) -> bool:
    while typing.get_origin(tp) is typing.Annotated:
        tp = typing.get_args(tp)[0]
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType) or origin in _CONTAINERS:
        return any(_may_hold_time(arg, seen) for arg in typing.get_args(tp))
    if origin is typing.Literal or tp in _TIMELESS:
        return False
    if isinstance(tp, type) and issubclass(tp, msgspec.Struct):
        if tp in seen:
            return False
        seen.add(tp)
        hints = _hints(tp)
        return any(_may_hold_time(hints.get(name, Any), seen) for name in tp.__struct_fields__)
    # UUID, date, Decimal, enums hold no time; datetime itself, Any, a type variable or an
    # unknown generic may: their values are looked at.
    return not isinstance(tp, type) or tp in (datetime, Any, object)


def encode_json(content: Any) -> bytes:
    """Bodies encoded outside a Response (stored for Idempotency-Key replays)."""
    return msgspec.json.encode(in_display_zone(content))


class ApiResponse(Response[T]):
    """The app's response class: JSON bodies leave with their times in the display zone."""

    def render(
        self, content: Any, media_type: str, enc_hook: Callable[[Any], Any] = default_serializer
    ) -> bytes:
        if "json" in media_type and content is not Empty:
            content = in_display_zone(content)
        return super().render(content, media_type, enc_hook)
