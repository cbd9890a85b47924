"""Why an input field was refused, in words a person can act on (zh-CN and en).

The JSON decoder's messages have a stable form ("Expected `int`, got `str` - at
`$.items[3].radius_m`"); they are parsed into (field path, kind) and worded from the
catalogue below, so the parser's English never reaches a user.
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

from domain.shared import FieldError, Message

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


def _bound(op: str, value: str) -> tuple[str, Message]:
    wording = {
        "<=": ("too_large", "不能大于", "must be at most"),
        "<": ("too_large", "须小于", "must be less than"),
        ">=": ("too_small", "不能小于", "must be at least"),
        ">": ("too_small", "须大于", "must be greater than"),
    }
    code, zh, en = wording[op]
    return code, Message(f"{{f}} {zh} {value}。", f"{{f}} {en} {value}.")


_LENGTH_UNITS = {"str": (" 个字符", " characters"), "array": (" 项", " item(s)")}


def _length(kind: str, op: str, value: str) -> tuple[str, Message]:
    unit = _LENGTH_UNITS.get(kind, (" 项", " entry(ies)"))
    if op == "<=":
        return "too_long", Message(
            f"{{f}} 过长，最多 {value}{unit[0]}。", f"{{f}} is too long: at most {value}{unit[1]}."
        )
    if kind == "str" and op == ">=" and value == "1":
        return "blank", Message("{f} 不能为空。", "{f} must not be empty.")
    return "too_short", Message(
        f"{{f}} 过短，至少 {value}{unit[0]}。", f"{{f}} is too short: at least {value}{unit[1]}."
    )


def _pattern(regex: str) -> tuple[str, Message]:
    if regex == r"\S":
        return "blank", Message("{f} 不能为空白。", "{f} must not be blank.")
    return "invalid_format", Message(
        f"{{f}} 格式不正确（须匹配 {regex}）。", f"{{f}} is not in the expected format ({regex})."
    )


_TIME = Message(
    f"{{f}} 须为带时区偏移的 RFC 3339 时间，如 {TIME_EXAMPLE}。",
    f"{{f}} must be an RFC 3339 time with an offset, e.g. {TIME_EXAMPLE}.",
)

# (pattern over the message without its location, how to word it)
_Rule = Callable[[re.Match[str]], tuple[str, Message]]
_RULES: list[tuple[re.Pattern[str], _Rule]] = [
    (
        re.compile(r"Object missing required field `(?P<name>[^`]+)`"),
        lambda m: ("missing", Message("缺少必填字段 {f}。", "{f} is required.")),
    ),
    (
        re.compile(r"Object contains unknown field `(?P<name>[^`]+)`"),
        lambda m: (
            "unknown_field",
            Message(
                "不认识的字段 {f}，请检查拼写。", "{f} is not a known field; check its spelling."
            ),
        ),
    ),
    (
        re.compile(r"Expected `datetime` with a timezone component"),
        lambda m: ("time_without_offset", _TIME),
    ),
    (re.compile(r"Invalid RFC3339 encoded datetime"), lambda m: ("invalid_time", _TIME)),
    (
        re.compile(r"Invalid RFC3339 encoded date"),
        lambda m: (
            "invalid_date",
            Message("{f} 须为日期，格式 YYYY-MM-DD。", "{f} must be a date, YYYY-MM-DD."),
        ),
    ),
    (
        re.compile(r"Invalid UUID"),
        lambda m: ("invalid_uuid", Message("{f} 须为 UUID。", "{f} must be a UUID.")),
    ),
    (
        re.compile(r"Expected `(?P<want>[^`]+)`, got `(?P<got>[^`]+)`"),
        lambda m: (
            "wrong_type",
            Message(
                f"{{f}} 应为{_names(m['want'])[0]}，收到的是{_names(m['got'])[0]}。",
                f"{{f}} must be {_names(m['want'])[1]}, not {_names(m['got'])[1]}.",
            ),
        ),
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
    (
        re.compile(r"Number out of range"),
        lambda m: ("out_of_range", Message("{f} 超出范围。", "{f} is out of range.")),
    ),
]
_INVALID = Message("{f} 的值无效。", "{f} is not valid.")
_LOCATION = re.compile(r" - at `\$(?P<path>[^`]*)`$")
_PART = re.compile(r"\.([^.\[\]]+)|\[(\d+)\]")


def field_error(text: str, *, root: str = "", root_type: Any = None) -> FieldError:
    """Word one decoder message; `root` prefixes the path (a query parameter's name)."""
    path = root
    if located := _LOCATION.search(text):
        text = text[: located.start()]
        inner = located["path"].lstrip(".")
        path = f"{root}.{inner}" if root and inner else (root or inner)
    code, message = "invalid", _INVALID
    for pattern, word in _RULES:
        if match := pattern.search(text):
            if "name" in pattern.groupindex:
                path = f"{path}.{match['name']}" if path else match["name"]
            code, message = word(match)
            break
    else:
        if text.startswith("Invalid enum value"):
            code, message = _enum_error(root_type, path.removeprefix(root).lstrip("."))
    field = path or "body"
    return FieldError(field, code, naming(message, field))


def naming(message: Message, field: str) -> Message:
    """A catalogue message with its `{f}` replaced by the field path."""
    return Message(message.zh.replace("{f}", field), message.en.replace("{f}", field))


def _enum_error(root_type: Any, path: str) -> tuple[str, Message]:
    allowed = _allowed_values(type_at(root_type, path))
    if not allowed:
        return "invalid_choice", Message(
            "{f} 的取值无效。", "{f} is not one of the allowed values."
        )
    listed = ", ".join(allowed)
    return "invalid_choice", Message(
        f"{{f}} 的取值无效，可选：{listed}。", f"{{f}} must be one of: {listed}."
    )


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
