"""What every operation checks before its handler's input is parsed, as app-wide guards.

First who calls: a protected operation answers 401 to an anonymous caller whatever the
body says. Then whether the input is exactly what the document says: Litestar converts
bodies and query strings leniently ("200" for an integer, an epoch number or a time
without offset for a datetime), so the body is decoded here once more in msgspec's
strict mode and every query value is held to its declared type's lexical form; what
passes converts to the same values under Litestar's own lenient pass.
"""

from __future__ import annotations

import enum
import re
import types
import typing
import uuid
from datetime import date, datetime
from functools import lru_cache
from typing import Annotated, Any

import msgspec
from litestar.connection import ASGIConnection
from litestar.enums import RequestEncodingType
from litestar.handlers import BaseRouteHandler, HTTPRouteHandler
from litestar.params import BodyKwarg, DependencyKwarg, ParameterKwarg
from litestar.typing import FieldDefinition

from api.context import provide_ctx
from api.errors import ProblemError
from api.input_errors import field_error, naming
from domain.shared import FieldError, Message

_AWARE_TIME = Annotated[datetime, msgspec.Meta(tz=True)]
_INTEGER = re.compile(r"[+-]?\d+")
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
_BOOLEAN = ("true", "false")
_BODY_MISSING = Message("缺少请求体（JSON）。", "The request needs a JSON body.")
_BOOLEAN_MESSAGE = Message("{f} 应为 true 或 false。", "{f} must be true or false.")


def is_public(handler: BaseRouteHandler) -> bool:
    """Public operations say so in the document: one of their security alternatives is the
    empty requirement (`security=[{}]`). The docs themselves are not in the document."""
    if not isinstance(handler, HTTPRouteHandler) or not handler.resolve_include_in_schema():
        return True
    return any(not requirement for requirement in handler.resolve_security())


async def authenticate_first(
    connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler
) -> None:
    """401 before any parsing; the handler's Ctx reuses this verification."""
    if is_public(handler):
        return
    ctx = await provide_ctx(connection)  # type: ignore[arg-type]
    ctx.authenticated()


async def strict_input(
    connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler
) -> None:
    """400 with every refused field when a body or a query value is not its declared type."""
    if not isinstance(handler, HTTPRouteHandler):
        return
    errors = _query_errors(connection, handler)
    body = _json_body(handler)
    if body is not None:
        raw = await connection.body()  # type: ignore[attr-defined]
        if raw or body.has_default:
            errors.extend(_body_errors(raw, body.annotation))
        else:
            errors.append(FieldError("body", "missing", _BODY_MISSING))
    if errors:
        raise ProblemError(400, "validation_failed", errors=errors)


# ---------------------------------------------------------------- body


def _json_body(handler: HTTPRouteHandler) -> FieldDefinition | None:
    field = handler.parsed_fn_signature.parameters.get("data")
    if field is None:
        return None
    kwarg = field.kwarg_definition
    if isinstance(kwarg, BodyKwarg) and kwarg.media_type != RequestEncodingType.JSON:
        return None
    return field


@lru_cache(maxsize=512)
def _decoder(body_type: Any) -> msgspec.json.Decoder[Any] | None:
    """None for a body msgspec cannot decode alone (Litestar's own decoders handle it)."""
    try:
        if _has_custom_type(msgspec.inspect.type_info(body_type), set()):
            return None
        return msgspec.json.Decoder(body_type, strict=True)
    except TypeError:
        return None


def _has_custom_type(info: msgspec.inspect.Type, seen: set[int]) -> bool:
    if isinstance(info, msgspec.inspect.CustomType):
        return True
    if id(info) in seen:
        return False
    seen.add(id(info))
    nested: list[msgspec.inspect.Type] = []
    if isinstance(info, msgspec.inspect.StructType | msgspec.inspect.DataclassType):
        nested = [field.type for field in info.fields]
    elif isinstance(info, msgspec.inspect.UnionType):
        nested = list(info.types)
    elif isinstance(info, msgspec.inspect.TupleType):
        nested = list(info.item_types)
    elif isinstance(info, msgspec.inspect.DictType):
        nested = [info.key_type, info.value_type]
    elif isinstance(info, msgspec.inspect.Metadata):
        nested = [info.type]
    elif hasattr(info, "item_type"):
        nested = [info.item_type]
    return any(_has_custom_type(item, seen) for item in nested)


def _body_errors(body: bytes, body_type: Any) -> list[FieldError]:
    decoder = _decoder(body_type)
    if not body or decoder is None:
        return []
    try:
        value = decoder.decode(body)
    except msgspec.ValidationError as exc:
        return [field_error(str(exc), root_type=body_type)]
    except msgspec.DecodeError:
        return []  # not JSON at all: answered as malformed by Litestar's own decoding
    return list(_times_without_offset(value, ""))


def _times_without_offset(value: Any, path: str) -> typing.Iterator[FieldError]:
    """RFC 3339 requires an offset; msgspec's strict mode still admits local times."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            yield field_error("Expected `datetime` with a timezone component", root=path)
    elif isinstance(value, msgspec.Struct):
        names = value.__struct_encode_fields__
        for attr, name in zip(value.__struct_fields__, names, strict=True):
            yield from _times_without_offset(
                getattr(value, attr), f"{path}.{name}" if path else name
            )
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from _times_without_offset(item, f"{path}[{index}]")
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _times_without_offset(item, f"{path}.{key}" if path else str(key))


# ---------------------------------------------------------------- query


def _query_errors(
    connection: ASGIConnection[Any, Any, Any, Any], handler: HTTPRouteHandler
) -> list[FieldError]:
    if not connection.query_params:
        return []
    declared = _query_types(handler)
    errors: list[FieldError] = []
    for key, raw in connection.query_params.multi_items():
        if key in declared and key not in connection.path_params:
            error = _query_value_error(key, raw, declared[key])
            if error is not None:
                errors.append(error)
    return errors


def _query_types(handler: HTTPRouteHandler) -> dict[str, Any]:
    found: dict[str, Any] = {}
    provided = handler.resolve_dependencies()
    for name, field in handler.parsed_fn_signature.parameters.items():
        kwarg = field.kwarg_definition
        if name == "data" or name in provided or isinstance(kwarg, DependencyKwarg | BodyKwarg):
            continue
        if isinstance(kwarg, ParameterKwarg):
            if kwarg.header or kwarg.cookie:
                continue
            name = kwarg.query or name
        found[name] = _element(field.annotation)
    return found


def _element(tp: Any) -> Any:
    """A repeated query parameter's item type; the type itself otherwise."""
    inner = typing.get_args(tp)[0] if typing.get_origin(tp) is Annotated else tp
    for member in _members(inner):
        if typing.get_origin(member) in (list, tuple, set, frozenset):
            return typing.get_args(member)[0]
    return tp


def _members(tp: Any) -> list[Any]:
    while typing.get_origin(tp) is Annotated:
        tp = typing.get_args(tp)[0]
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        return [m for arg in typing.get_args(tp) for m in _members(arg) if m is not type(None)]
    return [tp]


_EXPECTED = {
    int: (_INTEGER, Message("{f} 应为整数。", "{f} must be an integer.")),
    float: (_NUMBER, Message("{f} 应为数字。", "{f} must be a number.")),
}


def _query_value_error(key: str, raw: str, tp: Any) -> FieldError | None:
    kinds = _members(tp)
    if datetime in kinds:
        try:
            msgspec.convert(raw, _AWARE_TIME, strict=True)
        except msgspec.ValidationError as exc:
            return field_error(str(exc), root=key)
    elif bool in kinds and raw not in _BOOLEAN:
        return FieldError(key, "wrong_type", naming(_BOOLEAN_MESSAGE, key))
    for kind, (lexical, message) in _EXPECTED.items():
        if kinds == [kind] and not lexical.fullmatch(raw):
            return FieldError(key, "wrong_type", naming(message, key))
    if not all(_convertible(kind) for kind in kinds):
        return None  # a type of Litestar's own (its decoders convert it)
    try:
        msgspec.convert(raw, tp, strict=False)
    except msgspec.ValidationError as exc:
        return field_error(str(exc), root=key, root_type=tp)
    return None


def _convertible(kind: Any) -> bool:
    if typing.get_origin(kind) is typing.Literal:
        return True
    return kind in (str, int, float, bool, uuid.UUID, date, datetime) or (
        isinstance(kind, type) and issubclass(kind, enum.Enum)
    )
