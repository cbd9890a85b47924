"""Rate limits of API clients (issue 13 item 3): per client and per tenant across its
clients, shared by worker processes through PostgreSQL, with RateLimit-* headers on every
answer and 429 problem+json with Retry-After."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import dataclass

import httpx
import pytest

from api.ratelimit import STORE
from infra.rate_store import PostgresStore
from infra.settings import Settings
from tests.conftest import Api, serve
from tests.integration.api_clients import V1, client_api, register

PER_CLIENT, PER_TENANT = 4, 6


@dataclass
class Worker:
    url: str
    store: PostgresStore


@pytest.fixture(scope="module")
async def workers(settings: Settings) -> AsyncIterator[list[Worker]]:
    """Two servers on one database, as two worker processes are, with small limits."""
    from api.app import create_app

    low = settings.model_copy(
        update={
            "client_rate_per_minute": PER_CLIENT,
            "tenant_clients_rate_per_minute": PER_TENANT,
        }
    )
    async with AsyncExitStack() as stack:
        found = []
        for _ in range(2):
            app = create_app(low)
            store = app.stores.get(STORE)
            assert isinstance(store, PostgresStore)
            found.append(Worker(await stack.enter_async_context(serve(app)), store))
        yield found


async def _as_client(http: httpx.AsyncClient, admin: Api, base: str) -> Api:
    """A token from the shared server, used against `base`. The store is shared by every
    server on the database: each test uses a tenant whose clients no other test runs."""
    token = (await client_api(http, await register(admin, ["organizations:read"]))).token
    return Api(httpx.AsyncClient(base_url=base, timeout=30), token, "client")


async def test_each_client_is_limited_across_workers_with_headers(
    http: httpx.AsyncClient, workers: list[Worker], province: Api
) -> None:
    client = await _as_client(http, province, workers[0].url)
    answers = [await client.get(f"{V1}/organizations") for _ in range(PER_CLIENT + 1)]
    assert [r.status_code for r in answers] == [200] * PER_CLIENT + [429]
    assert all(r.headers["ratelimit-limit"] == str(PER_CLIENT) for r in answers)
    assert [r.headers["ratelimit-remaining"] for r in answers] == ["3", "2", "1", "0", "0"]
    assert all(r.headers["ratelimit-policy"] == f"{PER_CLIENT};w=60" for r in answers)
    refused = answers[-1]
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["code"] == "rate_limited"
    assert 0 < int(refused.headers["retry-after"]) <= 60
    # The other worker learns the shared count when it first adds its own (each store
    # flushes every 0.2 s; here at once): at most one more request gets through there.
    other = Api(httpx.AsyncClient(base_url=workers[1].url, timeout=30), client.token, "c")
    await workers[0].store.flush()
    first = await other.get(f"{V1}/organizations")
    await workers[1].store.flush()
    second = await other.get(f"{V1}/organizations")
    assert first.status_code in (200, 429)
    assert second.status_code == 429
    await client.http.aclose()
    await other.http.aclose()


async def test_a_tenants_clients_share_one_limit(
    http: httpx.AsyncClient, workers: list[Worker], city: Api
) -> None:
    first = await _as_client(http, city, workers[0].url)
    second = await _as_client(http, city, workers[0].url)
    statuses = [(await first.get(f"{V1}/organizations")).status_code for _ in range(PER_CLIENT)]
    statuses += [(await second.get(f"{V1}/organizations")).status_code for _ in range(3)]
    assert statuses == [200] * PER_TENANT + [429], statuses
    await first.http.aclose()
    await second.http.aclose()
