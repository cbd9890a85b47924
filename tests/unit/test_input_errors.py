"""Decoder messages become catalogue wording with the field path; no parser text leaks."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
import pytest

from api.input_errors import CODES, field_error


class Item(msgspec.Struct, forbid_unknown_fields=True):
    kind: Literal["photo", "minutes"]
    size: Annotated[int, msgspec.Meta(ge=1, le=100)]


class Body(msgspec.Struct, forbid_unknown_fields=True):
    items: Annotated[list[Item], msgspec.Meta(max_length=2)]
    code: Annotated[str, msgspec.Meta(pattern=r"^\d{6}$")] = "440304"


def _error(raw: str) -> tuple[str, str, str, str]:
    with pytest.raises(msgspec.ValidationError) as caught:
        msgspec.json.decode(raw, type=Body, strict=True)
    error = field_error(str(caught.value), root_type=Body)
    return error.field, error.code, error.message.zh, error.message.en


@pytest.mark.parametrize(
    ("raw", "field", "code", "en"),
    [
        ("{}", "items", "missing", "items is required."),
        (
            '{"items": [], "x": 1}',
            "x",
            "unknown_field",
            "x is not a known field; check its spelling.",
        ),
        (
            '{"items": [{"kind": "photo"}]}',
            "items[0].size",
            "missing",
            "items[0].size is required.",
        ),
        (
            '{"items": [{"kind": "photo", "size": "5"}]}',
            "items[0].size",
            "wrong_type",
            "items[0].size must be an integer, not a string.",
        ),
        (
            '{"items": [{"kind": "photo", "size": 500}]}',
            "items[0].size",
            "too_large",
            "items[0].size must be at most 100.",
        ),
        (
            '{"items": [{"kind": "video", "size": 5}]}',
            "items[0].kind",
            "invalid_choice",
            "items[0].kind must be one of: photo, minutes.",
        ),
        ('{"items": [], "code": "44{0}"}', "code", "invalid_format", None),
        ("[]", "body", "wrong_type", "body must be an object, not an array."),
    ],
)
def test_decoder_messages_are_worded_from_the_catalogue(
    raw: str, field: str, code: str, en: str | None
) -> None:
    got_field, got_code, zh, got_en = _error(raw)
    assert (got_field, got_code) == (field, code)
    assert code in CODES
    if en is not None:
        assert got_en == en
    assert field in zh
    assert "`" not in zh
    assert "Expected" not in zh


def test_query_parameter_errors_are_named_by_the_parameter() -> None:
    error = field_error("Expected `datetime` with a timezone component", root="starts_from")
    assert error.field == "starts_from"
    assert error.code == "time_without_offset"
    assert "+08:00" in error.message.zh
    assert field_error("something new from the parser", root="limit").message.en == (
        "limit is not valid."
    )
