"""One time format out: every time leaves the API as RFC 3339 with Asia/Shanghai's offset.

The same instant used to leave as `…+08:00` when echoed from a request and as `…Z` when
read back from PostgreSQL. msgspec encodes datetimes natively (no hook reaches them), so
JSON bodies are converted to builtins with their datetimes kept, shifted to the display
zone, and encoded.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

import msgspec
from litestar import Response
from litestar.serialization import default_serializer
from litestar.types import Empty

from domain.shared import DISPLAY_ZONE

T = TypeVar("T")


def in_display_zone(content: Any, enc_hook: Callable[[Any], Any] | None = None) -> Any:
    """JSON-ready builtins of `content` with every aware datetime in the display zone."""
    return _shift(msgspec.to_builtins(content, builtin_types=(datetime,), enc_hook=enc_hook))


def _shift(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _shift(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_shift(item) for item in value]
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(DISPLAY_ZONE)
    return value


def encode_json(content: Any) -> bytes:
    """Bodies encoded outside a Response (stored for Idempotency-Key replays)."""
    return msgspec.json.encode(in_display_zone(content))


class ApiResponse(Response[T]):
    """The app's response class: JSON bodies leave with their times in the display zone."""

    def render(
        self, content: Any, media_type: str, enc_hook: Callable[[Any], Any] = default_serializer
    ) -> bytes:
        plain = isinstance(content, bytes | str) or content is None or content is Empty
        if "json" in media_type and not plain:
            content = in_display_zone(content, enc_hook)
        return super().render(content, media_type, enc_hook)
