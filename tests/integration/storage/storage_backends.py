"""Test doubles shared by the storage tests: a settable clock, the backend under test, and
the LocalStorage route the API will have, played by an httpx transport."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import httpx

from api.errors import STATUS_OF_KIND
from domain.shared.errors import DomainError
from infra.storage import LocalStorage, ObjectStorage, content_disposition

LOCAL_BASE_URL = "http://zhibu.test/api/v1/storage/objects"
SECRET = b"local-storage-test-secret-32-bytes!!"
BACKENDS = ["local", "moto", *(["minio"] if os.environ.get("S3_ENDPOINT") else [])]


@dataclass
class Clock:
    """A settable clock, so expiry is tested without sleeping."""

    now: datetime = field(default_factory=lambda: datetime.now(UTC))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


@dataclass
class Backend:
    name: str
    storage: ObjectStorage
    http: httpx.AsyncClient
    created: list[str] = field(default_factory=list)

    def key(self, name: str) -> str:
        """A key unique to this test, removed afterwards (matters on a shared MinIO)."""
        key = f"test/{uuid.uuid4().hex}/{name}"
        self.created.append(key)
        return key


def local_route(storage: LocalStorage) -> Callable[[httpx.Request], object]:
    """What the API's storage route does with LocalStorage, as an httpx transport."""

    prefix = urlsplit(LOCAL_BASE_URL).path + "/"

    async def handle(request: httpx.Request) -> httpx.Response:
        key = request.url.path.removeprefix(prefix)
        try:
            grant = storage.verify_signature(
                request.method,
                key,
                dict(request.url.params),
                content_type=request.headers.get("content-type"),
            )
            if grant.method == "PUT":
                assert grant.size is not None
                await storage.write_upload(key, request.stream, max_size=grant.size)
                return httpx.Response(200)
            download = await storage.open_download(key)
            headers = {"content-type": download.content_type}
            if grant.download_name:
                headers["content-disposition"] = content_disposition(grant.download_name)
            body = b"".join([chunk async for chunk in download.chunks()])
            return httpx.Response(200, headers=headers, content=body)
        except DomainError as exc:
            return httpx.Response(STATUS_OF_KIND[exc.kind], json={"code": exc.code})

    return handle
