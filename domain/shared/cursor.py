"""The one cursor format every list uses: opaque to clients, validated like any input.

A cursor is the sort key of the last row a page showed, as URL-safe base64 of compact
JSON, so one codec serves uuid keysets, sequence numbers and composite sort keys alike.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from domain.shared.errors import DomainError, ErrorKind
from domain.shared.messages import MESSAGES


def encode_cursor(**keys: Any) -> str:
    text = json.dumps(keys, separators=(",", ":"), sort_keys=True, default=str)
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def invalid_cursor() -> DomainError:
    """A cursor this server did not hand out, or one whose keys do not fit the list."""
    return MESSAGES.error("invalid_cursor", ErrorKind.MALFORMED)


def decode_cursor(cursor: str) -> dict[str, Any]:
    """The keys `encode_cursor` was given (as JSON values); a refusal for anything else."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        keys = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise invalid_cursor() from exc
    if not isinstance(keys, dict):
        raise invalid_cursor()
    return keys
