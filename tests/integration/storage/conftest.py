"""Backends the storage contract runs against: local files, moto's S3, and MinIO when
S3_ENDPOINT is set (the `minio` id then appears in the test ids)."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from moto.server import ThreadedMotoServer
from storage_backends import BACKENDS, LOCAL_BASE_URL, SECRET, Backend, Clock, local_route

from infra.storage import LocalStorage, ObjectStorage, S3Storage


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def local_storage(tmp_path: Path, clock: Clock) -> LocalStorage:
    return LocalStorage(tmp_path / "objects", base_url=LOCAL_BASE_URL, secret=SECRET, clock=clock)


def _s3(name: str, request: pytest.FixtureRequest) -> S3Storage:
    if name == "moto":
        return S3Storage(
            endpoint=request.getfixturevalue("moto_endpoint"),
            access_key="testing",
            secret_key="testing",
            bucket=f"zhibu-test-{uuid.uuid4().hex[:12]}",
        )
    return S3Storage(
        endpoint=os.environ["S3_ENDPOINT"],
        access_key=os.environ["S3_ACCESS_KEY"],
        secret_key=os.environ["S3_SECRET_KEY"],
        bucket=os.environ.get("S3_BUCKET", "zhibu-test"),
        region=os.environ.get("S3_REGION", "us-east-1"),
        secure=os.environ.get("S3_SECURE", "false").lower() == "true",
    )


@pytest.fixture(params=BACKENDS)
async def backend(request: pytest.FixtureRequest) -> AsyncIterator[Backend]:
    name: str = request.param
    if name == "local":
        local = request.getfixturevalue("local_storage")
        transport = httpx.MockTransport(local_route(local))  # type: ignore[arg-type]
        storage: ObjectStorage = local
        http = httpx.AsyncClient(transport=transport)
    else:
        storage = _s3(name, request)
        http = httpx.AsyncClient()
    await storage.ensure_ready()
    backend = Backend(name=name, storage=storage, http=http)
    async with http:
        yield backend
    for key in backend.created:
        await storage.delete(key)
