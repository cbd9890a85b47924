"""Why an input field was refused, in words a person can act on (zh-CN and en).

The JSON decoder's messages have a stable form ("Expected `int`, got `str` - at
`$.items[3].radius_m`"); they are parsed into (field path, kind) and worded from the
catalogue (`api.messages`), so the parser's English never reaches a user.
"""

from __future__ import annotations

import dataclasses
import enum
import re
import types
import typing
from collections.abc import Callable
from typing import Any

import msgspec

from api.messages import MESSAGES
from domain.shared import FieldError

TIME_EXAMPLE = "2026-05-20T14:30:00+08:00"
# Every `code` a field error can carry; the OpenAPI description lists them.
CODES = (
    "missing",
    "unknown_field",
    "wrong_type",
    "invalid_time",
    "time_without_offset",
    "invalid_date",
    "invalid_uuid",
    "invalid_choice",
    "invalid_format",
    "blank",
    "too_long",
    "too_short",
    "too_large",
    "too_small",
    "out_of_range",
    "invalid",
)

_TYPE_NAMES: dict[str, tuple[str, str]] = {
    "int": ("整数", "an integer"),
    "float": ("数字", "a number"),
    "str": ("字符串", "a string"),
    "bool": ("布尔值 true/false", "a boolean (true or false)"),
    "object": ("对象", "an object"),
    "array": ("数组", "an array"),
    "null": ("null", "null"),
    "datetime": (f"带时区偏移的 RFC 3339 时间（如 {TIME_EXAMPLE}）", "an RFC 3339 time"),
    "date": ("日期（YYYY-MM-DD）", "a date (YYYY-MM-DD)"),
    "uuid": ("UUID", "a UUID"),
}


def _names(spec: str) -> tuple[str, str]:
    """Chinese and English names of a decoder type list such as `int | null`."""
    parts = [_TYPE_NAMES.get(t.strip(), (t.strip(), t.strip())) for t in spec.split("|")]
    return "或".join(p[0] for p in parts), " or ".join(p[1] for p in parts)


# How a refusal is worded: its code, its catalogue key and the values the sentence names.
Wording = tuple[str, str, dict[str, str]]


def _bound(op: str, value: str) -> Wording:
    code, key = {
        "<=": ("too_large", "input.at_most"),
        "<": ("too_large", "input.less_than"),
        ">=": ("too_small", "input.at_least"),
        ">": ("too_small", "input.greater_than"),
    }[op]
    return code, key, {"value": value}


def _length(kind: str, op: str, value: str) -> Wording:
    if kind == "str" and op == ">=" and value == "1":
        return "blank", "input.empty", {}
    code, word = ("too_long", "too_long") if op == "<=" else ("too_short", "too_short")
    return code, f"input.{word}_{kind}", {"value": value}


def _pattern(regex: str) -> Wording:
    if regex == r"\S":
        return "blank", "input.blank", {}
    return "invalid_format", "input.format", {"regex": regex}


def _wrong_type(want: str, got: str) -> Wording:
    (want_zh, want_en), (got_zh, got_en) = _names(want), _names(got)
    values = {"want_zh": want_zh, "want_en": want_en, "got_zh": got_zh, "got_en": got_en}
    return "wrong_type", "input.wrong_type", values


_TIME = {"example": TIME_EXAMPLE}

# (pattern over the message without its location, how to word it)
_Rule = Callable[[re.Match[str]], Wording]
_RULES: list[tuple[re.Pattern[str], _Rule]] = [
    (
        re.compile(r"Object missing required field `(?P<name>[^`]+)`"),
        lambda m: ("missing", "input.missing", {}),
    ),
    (
        re.compile(r"Object contains unknown field `(?P<name>[^`]+)`"),
        lambda m: ("unknown_field", "input.unknown_field", {}),
    ),
    (
        re.compile(r"Expected `datetime` with a timezone component"),
        lambda m: ("time_without_offset", "input.time", _TIME),
    ),
    (
        re.compile(r"Invalid RFC3339 encoded datetime"),
        lambda m: ("invalid_time", "input.time", _TIME),
    ),
    (re.compile(r"Invalid RFC3339 encoded date"), lambda m: ("invalid_date", "input.date", {})),
    (re.compile(r"Invalid UUID"), lambda m: ("invalid_uuid", "input.uuid", {})),
    (
        re.compile(r"Expected `(?P<want>[^`]+)`, got `(?P<got>[^`]+)`"),
        lambda m: _wrong_type(m["want"], m["got"]),
    ),
    (
        re.compile(r"Expected `(?P<kind>str|array|object)` of length (?P<op>[<>]=?) (?P<n>\d+)"),
        lambda m: _length(m["kind"], m["op"], m["n"]),
    ),
    (
        re.compile(r"Expected `(?:int|float)` (?P<op>[<>]=?) (?P<n>-?[\d.e+]+)"),
        lambda m: _bound(m["op"], m["n"].removesuffix(".0")),
    ),
    (
        re.compile(r"Expected `str` matching regex '(?P<regex>.*)'$"),
        lambda m: _pattern(m["regex"].replace("\\\\", "\\")),
    ),
    (re.compile(r"Number out of range"), lambda m: ("out_of_range", "input.out_of_range", {})),
]
_LOCATION = re.compile(r" - at `\$(?P<path>[^`]*)`$")
_PART = re.compile(r"\.([^.\[\]]+)|\[(\d+)\]")


def field_error(text: str, *, root: str = "", root_type: Any = None) -> FieldError:
    """Word one decoder message; `root` prefixes the path (a query parameter's name)."""
    path = root
    if located := _LOCATION.search(text):
        text = text[: located.start()]
        inner = located["path"].lstrip(".")
        path = f"{root}.{inner}" if root and inner else (root or inner)
    wording: Wording = ("invalid", "input.invalid", {})
    for pattern, word in _RULES:
        if match := pattern.search(text):
            if "name" in pattern.groupindex:
                path = f"{path}.{match['name']}" if path else match["name"]
            wording = word(match)
            break
    else:
        if text.startswith("Invalid enum value"):
            wording = _enum_error(root_type, path.removeprefix(root).lstrip("."))
    return refused(path or "body", wording)


def refused(field: str, wording: Wording) -> FieldError:
    """The field error a wording gives for `field`."""
    code, key, values = wording
    return MESSAGES.field(field, key, code=code, f=field, **values)


def _enum_error(root_type: Any, path: str) -> Wording:
    allowed = _allowed_values(type_at(root_type, path))
    if not allowed:
        return "invalid_choice", "input.choice_any", {}
    return "invalid_choice", "input.choice", {"listed": ", ".join(allowed)}


def type_at(tp: Any, path: str) -> Any:
    """The declared type at a decoder path such as `items[3].kind`, or None."""
    for name, _index in _PART.findall("." + path if path else ""):
        tp = _descend(tp, name or None)
        if tp is None:
            return None
    return tp


def _descend(tp: Any, name: str | None) -> Any:
    tp = _unwrap(tp)
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        for member in typing.get_args(tp):
            if (found := _descend(member, name)) is not None:
                return found
        return None
    if name is None:
        args = typing.get_args(tp)
        return args[-1] if typing.get_origin(tp) in (list, tuple, set, frozenset, dict) else None
    if isinstance(tp, type) and issubclass(tp, msgspec.Struct):
        for field in msgspec.structs.fields(tp):
            if field.encode_name == name:
                return field.type
    if dataclasses.is_dataclass(tp):
        try:
            return typing.get_type_hints(tp, include_extras=True).get(name)
        except (NameError, TypeError):  # an annotation that cannot be resolved here
            return None
    return None


def _unwrap(tp: Any) -> Any:
    while typing.get_origin(tp) is typing.Annotated:
        tp = typing.get_args(tp)[0]
    return tp


def _allowed_values(tp: Any) -> list[str]:
    tp = _unwrap(tp)
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        return [v for member in typing.get_args(tp) for v in _allowed_values(member)]
    if typing.get_origin(tp) is typing.Literal:
        return [str(v) for v in typing.get_args(tp)]
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return [str(m.value) for m in tp]
    return []
