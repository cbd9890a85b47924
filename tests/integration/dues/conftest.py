"""A database handle for tests that call the dues use cases directly."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from infra.db.session import Database
from infra.settings import Settings


@pytest.fixture(scope="module")
async def db(settings: Settings) -> AsyncIterator[Database]:
    database = Database(settings.app_database_url or "", pool_size=4)
    yield database
    await database.dispose()
