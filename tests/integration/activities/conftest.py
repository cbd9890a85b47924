"""Fixtures for the activity tests (the builders live in world.py)."""

from __future__ import annotations

import httpx
import pytest

from infra.db.bootstrap import DatabaseUrls
from infra.protection import FieldProtector
from infra.settings import Settings
from tests.conftest import Api
from tests.integration.activities.world import World


@pytest.fixture(scope="session")
def protector(settings: Settings) -> FieldProtector:
    return FieldProtector.from_settings(settings)


@pytest.fixture(scope="session")
async def futian_world(
    http: httpx.AsyncClient,
    futian: Api,
    tenant_ids: dict[str, str],
    database: DatabaseUrls,
    protector: FieldProtector,
) -> World:
    return World(http, futian, tenant_ids["440304"], database, protector)


@pytest.fixture(scope="session")
async def nanshan_world(
    http: httpx.AsyncClient,
    nanshan: Api,
    tenant_ids: dict[str, str],
    database: DatabaseUrls,
    protector: FieldProtector,
) -> World:
    return World(http, nanshan, tenant_ids["440305"], database, protector)
