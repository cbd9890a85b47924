"""Cursor pagination: opaque, stable under inserts, validated like any other input."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Generic, TypeVar

import msgspec
from litestar.openapi.spec import Example
from litestar.params import Parameter

from domain.shared import cursor as codec
from domain.shared import invalid_cursor

T = TypeVar("T")

Limit = Annotated[int, Parameter(ge=1, le=200, description="每页条数 Page size (1–200)")]
Cursor = Annotated[
    str | None,
    Parameter(
        max_length=200,
        description="上一页返回的 next_cursor / next_cursor of the previous page",
        examples=[Example(value="eyJpZCI6ICIwMTkzNmQ3Ny0wMDAwLTcwMDAtODAwMC0wMDAwMDAwMDAwMDEifQ")],
    ),
]


class Page(msgspec.Struct, Generic[T]):
    """One page of a list; pass `next_cursor` back as `cursor` for the next one."""

    items: list[T]
    next_cursor: str | None = None


def encode_cursor(last_id: uuid.UUID) -> str:
    return codec.encode_cursor(id=str(last_id))


def decode_cursor(cursor: str | None) -> uuid.UUID | None:
    if not cursor:
        return None
    try:
        return uuid.UUID(str(codec.decode_cursor(cursor)["id"]))
    except (KeyError, ValueError) as exc:
        raise invalid_cursor() from exc


def page_of(items: list[T], limit: int, key: Any) -> Page[T]:
    """`items` was fetched with limit + 1 rows; the extra one says whether more exist."""
    if len(items) > limit:
        items = items[:limit]
        return Page(items=items, next_cursor=encode_cursor(key(items[-1])))
    return Page(items=items)
