"""One cursor format: what a page hands out comes back as the same sort key."""

from __future__ import annotations

import uuid

import pytest

from domain.shared import DomainError, ErrorKind, decode_cursor, encode_cursor


def test_a_cursor_returns_the_keys_it_was_made_from() -> None:
    row = uuid.uuid4()
    cursor = encode_cursor(id=str(row), seq=41)
    assert "=" not in cursor
    assert "/" not in cursor
    assert "+" not in cursor
    assert decode_cursor(cursor) == {"id": str(row), "seq": 41}


@pytest.mark.parametrize("garbage", ["!!", "bm90IGpzb24", "WzFd", "//8"])
def test_anything_else_is_refused_as_malformed(garbage: str) -> None:
    with pytest.raises(DomainError) as refused:
        decode_cursor(garbage)
    assert (refused.value.code, refused.value.kind) == ("invalid_cursor", ErrorKind.MALFORMED)
