"""The access log's redaction of query strings."""

from __future__ import annotations

import logging

import pytest

from api.logs import RedactQuery, redact_target


@pytest.mark.parametrize(
    ("target", "logged"),
    [
        ("/api/v1/members?q=440304199003071234&limit=5", "/api/v1/members?q=***&limit=5"),
        ("/api/v1/members?q=%E5%BC%A0%E4%B8%89", "/api/v1/members?q=***"),
        ("/s/o/a.jpg?method=GET&expires=9&sig=ab12", "/s/o/a.jpg?method=GET&expires=9&sig=***"),
        ("/x?X-Amz-Signature=ff&X-Amz-Credential=k", "/x?X-Amz-Signature=***&X-Amz-Credential=***"),
        ("/api/v1/members?name=13912345678", "/api/v1/members?name=***"),
        ("/api/v1/members?status=full&limit=50", "/api/v1/members?status=full&limit=50"),
        ("/api/v1/members", "/api/v1/members"),
    ],
)
def test_sensitive_query_values_are_masked(target: str, logged: str) -> None:
    assert redact_target(target) == logged


def test_the_filter_rewrites_uvicorn_access_records() -> None:
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", "/api/v1/members?q=13912345678", "1.1", 200),
        None,
    )
    assert RedactQuery().filter(record)
    assert record.getMessage() == '127.0.0.1:5000 - "GET /api/v1/members?q=*** HTTP/1.1" 200'
