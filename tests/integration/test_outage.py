"""Database outages fail fast and clean: 503 problem+json with Retry-After, never a 500 or a
30-second hang, and the service recovers by itself once the database is back.

A second app instance reaches the test database through a TCP relay the test can cut
(connections dropped, the port closed) and restore; a pool of one connection held busy
stands for an exhausted pool.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import httpx
from litestar import Litestar
from sqlalchemy.engine import make_url

from infra.settings import Settings
from tests.conftest import ADMIN_PASSWORD, Api, serve


class Relay:
    """Forwards TCP connections to PostgreSQL; `cut` drops them all and closes the port."""

    def __init__(self, database_url: str) -> None:
        url = make_url(database_url)
        host = str(url.query.get("host") or url.host or "127.0.0.1")
        port = url.port or 5432
        self._unix = f"{host}/.s.PGSQL.{port}" if host.startswith("/") else None
        self._target = (host, port)
        self._server: asyncio.Server | None = None
        self._pipes: set[asyncio.StreamWriter] = set()
        self.port = 0

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._relay, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def cut(self) -> None:
        assert self._server is not None
        self._server.close()
        for writer in list(self._pipes):
            writer.transport.abort()
        await self._server.wait_closed()

    async def _relay(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        if self._unix:
            server_r, server_w = await asyncio.open_unix_connection(self._unix)
        else:
            server_r, server_w = await asyncio.open_connection(*self._target)
        self._pipes.update((client_w, server_w))

        async def pump(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
            with contextlib.suppress(ConnectionError, OSError):
                while data := await source.read(65536):
                    sink.write(data)
                    await sink.drain()
            sink.transport.abort()
            self._pipes.discard(sink)

        await asyncio.gather(pump(client_r, server_w), pump(server_r, client_w))


def through(settings: Settings, relay: Relay, **changes: object) -> Settings:
    url = make_url(settings.app_database_url or "")
    query = {k: v for k, v in url.query.items() if k != "host"}
    relayed = url.set(host="127.0.0.1", port=relay.port, query=query)
    return settings.model_copy(
        update={
            "app_database_url": relayed.render_as_string(hide_password=False),
            "db_acquire_timeout_seconds": 1.0,
            **changes,
        }
    )


@contextlib.asynccontextmanager
async def instance(app: Litestar) -> AsyncIterator[httpx.AsyncClient]:
    async with serve(app) as url, httpx.AsyncClient(base_url=url, timeout=30) as client:
        yield client


def assert_unavailable(r: httpx.Response) -> None:
    assert r.status_code == 503, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["code"] == "service_unavailable"
    assert int(r.headers["retry-after"]) > 0


async def test_a_database_that_goes_away_gives_503_and_the_service_recovers(
    settings: Settings, futian: Api
) -> None:
    from api.app import create_app

    relay = Relay(settings.app_database_url or "")
    await relay.start()
    auth = {"Authorization": f"Bearer {futian.token}"}
    login = {"username": "futian_admin", "password": ADMIN_PASSWORD}
    async with instance(create_app(through(settings, relay))) as client:
        assert (await client.get("/api/v1/me", headers=auth)).status_code == 200
        assert (await client.get("/api/v1/members", headers=auth)).status_code == 200

        await relay.cut()
        for _ in range(2):  # a dropped connection first, then no connection at all
            assert_unavailable(await client.get("/api/v1/me", headers=auth))
            assert_unavailable(await client.get("/api/v1/members", headers=auth))
            assert_unavailable(await client.post("/api/v1/auth/login", json=login))
        r = await client.get("/ready")
        assert r.status_code == 503
        assert r.json()["checks"]["database"] == "unavailable"

        await relay.start()
        for _ in range(100):
            r = await client.get("/api/v1/me", headers=auth)
            if r.status_code == 200:
                break
            assert_unavailable(r)
            await asyncio.sleep(0.1)
        assert r.status_code == 200, r.text
        assert (await client.get("/api/v1/members", headers=auth)).status_code == 200
        assert (await client.post("/api/v1/auth/login", json=login)).status_code == 200
        assert (await client.get("/ready")).status_code == 200
    await relay.cut()


async def test_an_exhausted_pool_gives_503_not_a_long_wait(settings: Settings, futian: Api) -> None:
    from api.app import create_app

    relay = Relay(settings.app_database_url or "")
    await relay.start()
    app = create_app(through(settings, relay, db_pool_size=1))
    auth = {"Authorization": f"Bearer {futian.token}"}
    async with instance(app) as client:
        assert (await client.get("/api/v1/members", headers=auth)).status_code == 200
        async with app.state.db.engine.connect():  # the pool's only connection, held busy
            assert_unavailable(await client.get("/api/v1/members", headers=auth))
        assert (await client.get("/api/v1/members", headers=auth)).status_code == 200
    await relay.cut()
