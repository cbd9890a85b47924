"""A database that is down, restarting or out of connections is a 503, never a 500.

The wait for a connection is short (ZHIBU_DB_ACQUIRE_TIMEOUT_SECONDS), so a caller learns
within seconds that it should try again later, and `Retry-After` says when. Nothing needs
resetting once the database is back: broken connections are dropped by the pools.
"""

from __future__ import annotations

import logging
from typing import Any

import psycopg
from litestar import Request, Response
from sqlalchemy import exc as sa

from api.errors import problem
from api.messages import sentence

log = logging.getLogger("zhibu.api")
RETRY_AFTER_SECONDS = 5


def handle_database_unavailable(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    log.warning(
        "database unavailable on %s %s (request %s): %s",
        request.method,
        request.url.path,
        request.scope.get("state", {}).get("request_id"),
        type(getattr(exc, "orig", None) or exc).__name__,
    )
    return problem(
        request,
        503,
        "service_unavailable",
        sentence("service_unavailable"),
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


# What SQLAlchemy and psycopg raise when the server cannot be reached, drops the
# connection, refuses new ones, or no pooled connection frees up in time.
OUTAGE_HANDLERS: dict[Any, Any] = {
    sa.OperationalError: handle_database_unavailable,
    sa.InterfaceError: handle_database_unavailable,
    sa.TimeoutError: handle_database_unavailable,
    psycopg.OperationalError: handle_database_unavailable,
    psycopg.InterfaceError: handle_database_unavailable,
}
