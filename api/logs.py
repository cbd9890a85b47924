"""The access log shows paths, never identifiers or credentials.

Member search takes a 身份证号 or a phone number in `q=`, and signed storage URLs carry their
signature in `sig=`; uvicorn's access log would print both. Its records pass through
`RedactQuery`, which replaces the values of sensitive parameters, and any value that looks
like a 身份证号 or a mobile number, with `***`.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import parse_qsl, quote

SENSITIVE_PARAMETERS = frozenset(
    {
        "q",
        "sig",
        "signature",
        "token",
        "access_token",
        "refresh_token",
        "password",
        "id_number",
        "phone",
        "mobile",
        "code",
        "x-amz-signature",
        "x-amz-credential",
        "x-amz-security-token",
    }
)
# 18- or 15-digit 身份证号 and 11-digit mobile numbers, wherever they appear in a value.
_IDENTIFIER = re.compile(r"\d{17}[\dXx]|\d{15}|1\d{10}")
MASK = "***"


def redact_target(target: str) -> str:
    """A request target (path and query) with sensitive query values masked."""
    path, sep, query = target.partition("?")
    if not sep:
        return target
    parts = []
    for name, value in parse_qsl(query, keep_blank_values=True):
        if name.lower() in SENSITIVE_PARAMETERS or _IDENTIFIER.search(value):
            value = MASK
        parts.append(f"{quote(name, safe='')}={quote(value, safe='*')}")
    return f"{path}?{'&'.join(parts)}"


class RedactQuery(logging.Filter):
    """For uvicorn.access records: (client, method, target, http version, status)."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            record.args = (*args[:2], redact_target(args[2]), *args[3:])
        return True


def redact_access_log() -> None:
    """Put `RedactQuery` on uvicorn's access logger (once), however the app is served."""
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, RedactQuery) for f in access.filters):
        access.addFilter(RedactQuery())
