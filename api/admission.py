"""What every operation checks before its handler's input is parsed.

First who calls: a protected operation answers 401 to an anonymous caller whatever the
body says, and one for persons only answers 403 to an API client. Then whether the input
is exactly what the document says: Litestar converts bodies and query strings leniently
("200" for an integer, an epoch number or a time without offset for a datetime), so the
body is decoded here once more in msgspec's strict mode and every query value is held to
its declared type's lexical form; what passes converts to the same values under
Litestar's own lenient pass. What each handler needs checked is worked out once per
handler, not per request.
"""

from __future__ import annotations

import enum
import re
import types
import typing
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Annotated, Any

import msgspec
from litestar import Request
from litestar.connection import ASGIConnection
from litestar.enums import RequestEncodingType
from litestar.handlers import BaseRouteHandler, HTTPRouteHandler
from litestar.params import BodyKwarg, DependencyKwarg, ParameterKwarg
from litestar.typing import FieldDefinition

from api.context import provide_ctx
from api.deprecation import DEPRECATION, Deprecation
from api.errors import ProblemError
from api.input_errors import field_error, refused
from api.messages import MESSAGES
from domain.shared import FieldError

_AWARE_TIME = Annotated[datetime, msgspec.Meta(tz=True)]
_INTEGER = re.compile(r"[+-]?\d+")
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
_BOOLEAN = ("true", "false")
_FLOAT_FOR_INTEGER = re.compile(r"Expected `[^`]*\bint\b[^`]*`, got `float`")


PERSON_ONLY = "person_only"
"""A handler's `opt` key: a person's own account only (password, two factors, member
record), refused to API clients with 403 `person_only` before the input is read."""


def is_public(handler: BaseRouteHandler) -> bool:
    """Public operations say so in the document: one of their security alternatives is the
    empty requirement (`security=[{}]`). The docs themselves are not in the document."""
    if not isinstance(handler, HTTPRouteHandler) or not handler.resolve_include_in_schema():
        return True
    return any(not requirement for requirement in handler.resolve_security())


@dataclass(frozen=True, slots=True)
class _Plan:
    """What one handler's requests are checked for."""

    public: bool
    person_only: bool  # refused to API clients (opt `person_only`)
    deprecation: Deprecation | None  # answers 410 from its sunset on
    query: dict[str, Any]  # declared query parameters and their types
    body: FieldDefinition | None  # a JSON body
    body_type: Any
    decoder: msgspec.json.Decoder[Any] | None  # None: Litestar's own decoders handle it
    shape: msgspec.inspect.Type | None
    times: bool  # whether a decoded body can hold a time at all (most bodies cannot)


def _plan(handler: HTTPRouteHandler) -> _Plan:
    body = _json_body(handler)
    body_type = body.annotation if body is not None else None
    shape = _shape(body_type) if body is not None else None
    return _Plan(
        public=is_public(handler),
        person_only=bool(handler.opt.get(PERSON_ONLY)),
        deprecation=handler.opt.get(DEPRECATION),
        query=_query_types(handler),
        body=body,
        body_type=body_type,
        decoder=msgspec.json.Decoder(body_type, strict=True) if shape is not None else None,
        shape=shape,
        times=shape is not None and _reaches(shape, msgspec.inspect.DateTimeType, set()),
    )


def admission() -> Callable[[Request[Any, Any, Any]], Awaitable[None]]:
    """The app's `before_request`: after routing and guards, before any input is parsed.

    401 for a protected operation (the handler's Ctx reuses this authentication), then
    400 with every refused field when a body or a query value is not its declared type.
    Not a guard: Litestar copies the handler for every guard call, which cost more than
    the checks. Inside the route, so refusals pass through every middleware's `send`.
    Plans are kept per routed handler, for this application only.
    """
    plans: dict[BaseRouteHandler, _Plan | None] = {}

    async def admit(connection: Request[Any, Any, Any]) -> None:
        handler: BaseRouteHandler = connection.scope["route_handler"]
        try:
            plan = plans[handler]
        except KeyError:
            plan = plans[handler] = (
                _plan(handler) if isinstance(handler, HTTPRouteHandler) else None
            )
        if plan is None:
            return
        if not plan.public:
            (await provide_ctx(connection)).authenticated()
        if plan.person_only and (await provide_ctx(connection)).acting_client() is not None:
            raise ProblemError(403, "person_only")
        if plan.deprecation is not None and plan.deprecation.gone(datetime.now(UTC)):
            raise ProblemError(
                410,
                "endpoint_sunset",
                headers={"Link": plan.deprecation.link},
                extra={"successor": plan.deprecation.successor},
            )
        errors: list[FieldError] = []
        if plan.query and connection.scope["query_string"]:
            errors = _query_errors(connection, plan.query)
        if plan.body is not None:
            raw = await connection.body()
            if raw or plan.body.has_default:
                errors.extend(_body_errors(raw, plan))
            else:
                errors.append(MESSAGES.field("body", "input.body_missing", code="missing"))
        if errors:
            raise ProblemError(400, "validation_failed", errors=errors)

    return admit


# ---------------------------------------------------------------- body


def _json_body(handler: HTTPRouteHandler) -> FieldDefinition | None:
    field = handler.parsed_fn_signature.parameters.get("data")
    if field is None:
        return None
    kwarg = field.kwarg_definition
    if isinstance(kwarg, BodyKwarg) and kwarg.media_type != RequestEncodingType.JSON:
        return None
    return field


def _shape(body_type: Any) -> msgspec.inspect.Type | None:
    """The body type as msgspec sees it; None for one it cannot decode alone."""
    try:
        info = msgspec.inspect.type_info(body_type)
    except TypeError:
        return None
    return None if _reaches(info, msgspec.inspect.CustomType, set()) else info


def _reaches(info: msgspec.inspect.Type, kind: type[msgspec.inspect.Type], seen: set[int]) -> bool:
    """Whether `info` is or holds a type of `kind` anywhere within."""
    if isinstance(info, kind):
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
    return any(_reaches(item, kind, seen) for item in nested)


def _body_errors(body: bytes, plan: _Plan) -> list[FieldError]:
    if not body or plan.decoder is None or plan.shape is None:
        return []
    try:
        value = plan.decoder.decode(body)
    except msgspec.ValidationError as exc:
        if not _FLOAT_FOR_INTEGER.search(str(exc)):
            return [field_error(str(exc), root_type=plan.body_type)]
        try:
            value = _integral_floats_decoded(body, plan.decoder, plan.shape)
        except msgspec.ValidationError as again:
            return [field_error(str(again), root_type=plan.body_type)]
    except msgspec.DecodeError:
        return []  # not JSON at all: answered as malformed by Litestar's own decoding
    return list(_times_without_offset(value, "")) if plan.times else []


def _integral_floats_decoded(
    body: bytes, decoder: msgspec.json.Decoder[Any], shape: msgspec.inspect.Type
) -> Any:
    """JSON Schema counts 158.0 as an integer: decode the body as if each integral number
    given for an integer had been written without its fraction (158.5 is still refused)."""
    return decoder.decode(msgspec.json.encode(_integral(msgspec.json.decode(body), shape)))


def _integral(value: Any, info: msgspec.inspect.Type) -> Any:
    info = _unwrap(info)
    union = isinstance(info, msgspec.inspect.UnionType)
    members = [_unwrap(m) for m in info.types] if union else [info]  # type: ignore[attr-defined]
    if isinstance(value, float):
        return int(value) if value.is_integer() and _wants_integer(members) else value
    if isinstance(value, list):
        for member in members:
            if isinstance(member, msgspec.inspect.TupleType):
                return [_integral(v, t) for v, t in zip(value, member.item_types, strict=False)]
            if isinstance(member, msgspec.inspect.VarTupleType | msgspec.inspect.ListType):
                return [_integral(v, member.item_type) for v in value]
            if isinstance(member, msgspec.inspect.SetType | msgspec.inspect.FrozenSetType):
                return [_integral(v, member.item_type) for v in value]
    if isinstance(value, dict):
        for member in members:
            if isinstance(member, msgspec.inspect.DictType):
                return {k: _integral(v, member.value_type) for k, v in value.items()}
            if isinstance(member, _OBJECTS) and _tag_fits(member, value):
                fields = {f.encode_name: f.type for f in member.fields}
                return {k: _integral(v, fields[k]) if k in fields else v for k, v in value.items()}
    return value


_OBJECTS = (
    msgspec.inspect.StructType,
    msgspec.inspect.DataclassType,
    msgspec.inspect.TypedDictType,
)


def _tag_fits(member: Any, value: dict[str, Any]) -> bool:
    tag_field = getattr(member, "tag_field", None)
    return tag_field is None or value.get(tag_field) == member.tag


def _unwrap(info: msgspec.inspect.Type) -> msgspec.inspect.Type:
    return info.type if isinstance(info, msgspec.inspect.Metadata) else info


def _wants_integer(members: list[msgspec.inspect.Type]) -> bool:
    if any(isinstance(m, msgspec.inspect.FloatType | msgspec.inspect.AnyType) for m in members):
        return False
    return any(
        isinstance(m, msgspec.inspect.IntType)
        or (isinstance(m, msgspec.inspect.LiteralType) and any(type(v) is int for v in m.values))
        for m in members
    )


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
    connection: ASGIConnection[Any, Any, Any, Any], declared: dict[str, Any]
) -> list[FieldError]:
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
    int: (_INTEGER, "input.integer"),
    float: (_NUMBER, "input.number"),
}


def _query_value_error(key: str, raw: str, tp: Any) -> FieldError | None:
    kinds = _members(tp)
    if datetime in kinds:
        try:
            msgspec.convert(raw, _AWARE_TIME, strict=True)
        except msgspec.ValidationError as exc:
            return field_error(str(exc), root=key)
    elif bool in kinds and raw not in _BOOLEAN:
        return refused(key, ("wrong_type", "input.boolean", {}))
    for kind, (lexical, wording) in _EXPECTED.items():
        if kinds == [kind] and not lexical.fullmatch(raw):
            return refused(key, ("wrong_type", wording, {}))
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
