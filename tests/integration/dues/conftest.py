"""A database handle for tests that call the dues use cases directly, an admin connection
to look at what they wrote, and the sandbox provider calling back the test server."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import psycopg
import pytest

from infra.db.bootstrap import DatabaseUrls, conninfo_of
from infra.db.session import Database
from infra.dues import SandboxCallbacks
from infra.dues.providers import sandbox_callbacks
from infra.settings import Settings


@pytest.fixture(scope="module")
async def db(settings: Settings) -> AsyncIterator[Database]:
    database = Database(settings.app_database_url or "", pool_size=4)
    yield database
    await database.dispose()


@pytest.fixture
def admin_db(database: DatabaseUrls) -> Iterator[psycopg.Connection[Any]]:
    with psycopg.connect(conninfo_of(database.admin), autocommit=True) as conn:
        yield conn


@pytest.fixture(scope="module")
def sandbox(app: Any, server: str) -> SandboxCallbacks:
    callbacks: SandboxCallbacks = app.state.dues_sandbox
    callbacks.url = server + sandbox_callbacks.PATH
    return callbacks
