"""Test harness: a real PostgreSQL (embedded unless DATABASE_URL), a real HTTP server.

Each xdist worker gets its own database, migrated and seeded exactly as `make run` does,
and its own uvicorn server on a free loopback port. Tests talk HTTP to it with httpx.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from infra.db.bootstrap import (
    DatabaseUrls,
    drop_database,
    fresh_database,
    server_url,
)
from infra.protection import FieldProtector
from infra.seed import seed
from infra.settings import Settings

ADMIN_PASSWORD = "Test-Admin-Pass-2026"
ROOT = Path(__file__).resolve().parent.parent


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


@pytest.fixture(scope="session")
def data_dir() -> Path:
    path = ROOT / "var" / "test" / _worker()
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="session")
def database(data_dir: Path) -> Iterator[DatabaseUrls]:
    settings = Settings(ZHIBU_DATA_DIR=data_dir)
    password = settings.app_db_password_value
    root = server_url(os.environ.get("DATABASE_URL"), ROOT / "var" / "test")
    name = f"zhibu_test_{_worker()}_{os.getpid()}"
    urls = fresh_database(root, name, password)
    seed(
        urls.admin,
        admin_password=ADMIN_PASSWORD,
        demo=True,
        protector=FieldProtector.from_settings(settings),
    )
    yield urls
    drop_database(root, name)


@pytest.fixture(scope="session")
def settings(database: DatabaseUrls, data_dir: Path) -> Settings:
    """The shared server's settings. Its demo admins log in with a password alone
    (`ZHIBU_MFA_REQUIRED_FOR_ADMINS` off); tests/integration/test_mfa.py runs its own
    server with the shipped default, which asks them for a second factor."""
    # Every test logs in from 127.0.0.1 as a few users: the shared server's rate limits
    # are out of reach; tests of the limits start a server of their own with small ones.
    return Settings(
        ZHIBU_DATA_DIR=data_dir,
        APP_DATABASE_URL=database.app,
        DB_POOL_SIZE=5,
        ZHIBU_AUTH_RATE_PER_MINUTE=1_000_000,
        ZHIBU_USER_RATE_PER_MINUTE=1_000_000,
        ZHIBU_CLIENT_RATE_PER_MINUTE=1_000_000,
        ZHIBU_TENANT_CLIENTS_RATE_PER_MINUTE=1_000_000,
        ZHIBU_MFA_REQUIRED_FOR_ADMINS=False,
        # Logins are shared by a whole worker's tests; on a crowded machine a run outlasts
        # the 15-minute default, and an expired token there tests nothing.
        ZHIBU_ACCESS_TOKEN_MINUTES=120,
        # Webhook receivers in tests listen on loopback; the retry schedule is compressed
        # (5 s → 2.5 ms, 5 min → 0.15 s, 30 min → 0.9 s …), a hung receiver costs 1 s, and a
        # dozen failures in a row disable an endpoint.
        ZHIBU_WEBHOOK_ALLOW_PRIVATE=True,
        ZHIBU_WEBHOOK_RETRY_SCALE=0.0005,
        ZHIBU_WEBHOOK_TIMEOUT_SECONDS=1,
        ZHIBU_WEBHOOK_POLL_SECONDS=0.05,
        ZHIBU_WEBHOOK_DISABLE_AFTER_FAILURES=12,
        ZHIBU_WEBHOOK_DISABLE_AFTER_SECONDS=0,
        # The sandbox payment provider's callbacks (15 s → 0.15 s) and our order queries
        # (1 min → 0.6 s) are compressed alike.
        ZHIBU_DUES_TIME_SCALE=0.01,
    )


@asynccontextmanager
async def serve(app: Any) -> AsyncIterator[str]:
    """Serve an ASGI app with uvicorn on a free loopback port, in this event loop."""
    # The server keeps idle connections longer than httpx's pool does (5 s): otherwise a
    # request can go out on a connection the server is closing, and fail with ReadError.
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=0,
        log_level="warning",
        lifespan="on",
        timeout_keep_alive=30,
    )
    srv = uvicorn.Server(config)
    task = asyncio.create_task(srv.serve())
    while not srv.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.02)
    port = srv.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        srv.should_exit = True
        await task


@pytest.fixture(scope="session")
def app(settings: Settings) -> Any:
    """The shared server's application: tests reach its background services on its state
    (e.g. stopping the webhook dispatcher mid-delivery, as a crash would)."""
    from api.app import create_app

    return create_app(settings)


@pytest.fixture(scope="session")
async def server(app: Any) -> AsyncIterator[str]:
    async with serve(app) as url:
        yield url


@pytest.fixture(scope="session")
async def http(server: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=server, timeout=30) as client:
        yield client


class Api:
    """A logged-in caller: `await api.get(...)` with its bearer token."""

    def __init__(self, http: httpx.AsyncClient, token: str, username: str) -> None:
        self.http = http
        self.token = token
        self.username = username

    def _headers(self, extra: dict[str, str] | None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", **(extra or {})}

    async def request(
        self, method: str, url: str, headers: dict[str, str] | None = None, **kw: Any
    ) -> httpx.Response:
        return await self.http.request(method, url, headers=self._headers(headers), **kw)

    async def get(self, url: str, **kw: Any) -> httpx.Response:
        return await self.request("GET", url, **kw)

    async def post(self, url: str, **kw: Any) -> httpx.Response:
        return await self.request("POST", url, **kw)

    async def patch(self, url: str, **kw: Any) -> httpx.Response:
        return await self.request("PATCH", url, **kw)

    async def delete(self, url: str, **kw: Any) -> httpx.Response:
        return await self.request("DELETE", url, **kw)


async def login(http: httpx.AsyncClient, username: str, password: str = ADMIN_PASSWORD) -> Api:
    r = await http.post("/api/v1/auth/login", json={"username": username, "password": password})
    assert r.status_code == 200, r.text
    return Api(http, r.json()["access_token"], username)


@pytest.fixture(scope="session")
async def admin(http: httpx.AsyncClient) -> Api:
    return await login(http, "admin")


@pytest.fixture(scope="session")
async def province(http: httpx.AsyncClient) -> Api:
    return await login(http, "gd_admin")


@pytest.fixture(scope="session")
async def city(http: httpx.AsyncClient) -> Api:
    return await login(http, "sz_admin")


@pytest.fixture(scope="session")
async def futian(http: httpx.AsyncClient) -> Api:
    return await login(http, "futian_admin")


@pytest.fixture(scope="session")
async def nanshan(http: httpx.AsyncClient) -> Api:
    return await login(http, "nanshan_admin")


@pytest.fixture(scope="session")
async def inspector(http: httpx.AsyncClient) -> Api:
    return await login(http, "gd_inspector")


@pytest.fixture(scope="session")
async def secretary(http: httpx.AsyncClient) -> Api:
    return await login(http, "futian_secretary")


def unique(prefix: str = "t") -> str:
    return f"{prefix}{uuid.uuid4().hex[:10]}"


@pytest.fixture(scope="session")
async def tenant_ids(admin: Api) -> dict[str, str]:
    """Demo tenant ids by division code."""
    r = await admin.get("/api/v1/tenants", params={"limit": 200})
    return {t["code"]: t["id"] for t in r.json()["items"]}
