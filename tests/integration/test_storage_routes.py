"""The local storage routes: the API itself plays the bucket when no S3 is configured.

URLs are signed here with the server's own settings (what an upload slot or a download
link hands out), then used over real HTTP without a bearer token, as a phone would.
"""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx
import pytest
import uvicorn

from infra.evidence.storage import LOCAL_OBJECTS_PATH, storage_from_settings
from infra.settings import Settings
from infra.storage import LocalStorage

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"
    b"\x90wS\xde\x00\x00\x00\x0cIDATx\x9cc\xf8\xcf\xc0\x00\x00\x03\x01\x01\x00\xc9\xfe\x92\xef"
    b"\x00\x00\x00\x00IEND\xaeB`\x82"
)


def variant(settings: Settings, **overrides: Any) -> Settings:
    """The test settings (same database, data dir, secrets, MFA switch and rate limits) with
    storage overridden; the S3 variables are cleared unless given, so the environment cannot
    leak in."""
    storage: dict[str, Any] = {
        "S3_ENDPOINT": None,
        "S3_ACCESS_KEY": None,
        "S3_SECRET_KEY": None,
        "ZHIBU_MFA_REQUIRED_FOR_ADMINS": settings.mfa_required_for_admins,
        "ZHIBU_AUTH_RATE_PER_MINUTE": settings.auth_rate_per_minute,
        "ZHIBU_USER_RATE_PER_MINUTE": settings.user_rate_per_minute,
    }
    return Settings(
        ZHIBU_DATA_DIR=settings.data_dir,
        APP_DATABASE_URL=settings.app_database_url,
        DB_POOL_SIZE=3,
        **{**storage, **overrides},
    )


@asynccontextmanager
async def serve(settings: Settings) -> AsyncIterator[str]:
    """Another real server over the same database, e.g. one configured for S3."""
    from api.app import create_app

    config = uvicorn.Config(
        create_app(settings), host="127.0.0.1", port=0, log_level="warning", lifespan="on"
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


@pytest.fixture(scope="module")
async def local_server(settings: Settings, server: str) -> AsyncIterator[str]:
    """The default server, unless S3_ENDPOINT in the environment made it an S3 one."""
    if settings.s3_endpoint is None:
        yield server
        return
    async with serve(variant(settings)) as base:
        yield base


@pytest.fixture(scope="module")
def storage(settings: Settings) -> LocalStorage:
    local = storage_from_settings(variant(settings))
    assert isinstance(local, LocalStorage)
    return local


def signer(settings: Settings, *, shift: timedelta) -> LocalStorage:
    """The server's storage with a clock moved by `shift`, to mint already-expired URLs."""
    return LocalStorage(
        settings.data_dir / "objects",
        base_url=LOCAL_OBJECTS_PATH,
        secret=settings.secret_bytes("storage_secret"),
        clock=lambda: datetime.now(UTC) + shift,
    )


@pytest.fixture
async def anonymous(local_server: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=local_server, timeout=30) as client:
        yield client


def new_key(name: str = "file.bin") -> str:
    return f"test/{uuid.uuid4().hex}/{name}"


def with_query(url: str, **changes: str) -> str:
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    query.update(changes)
    return urlunsplit(parts._replace(query=urlencode(query)))


async def put(storage: LocalStorage, http: httpx.AsyncClient, key: str, body: bytes) -> str:
    slot = await storage.presign_put(
        key, content_type="image/png", size=len(body), expires=timedelta(minutes=5)
    )
    r = await http.put(slot.url, content=body, headers=slot.headers)
    assert r.status_code == 200, r.text
    return key


async def test_upload_then_download_with_the_signed_urls(
    storage: LocalStorage, anonymous: httpx.AsyncClient
) -> None:
    key = await put(storage, anonymous, new_key("photo.png"), PNG)
    url = await storage.presign_get(key, expires=timedelta(minutes=5), download_name="支部照片.png")
    r = await anonymous.get(url)
    assert r.status_code == 200
    assert r.content == PNG
    assert r.headers["content-type"].startswith("image/png")
    assert r.headers["content-length"] == str(len(PNG))
    assert r.headers["x-content-type-options"] == "nosniff"
    disposition = r.headers["content-disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''%E6%94%AF%E9%83%A8%E7%85%A7%E7%89%87.png" in disposition
    assert hashlib.sha256(r.content).hexdigest() == await storage.sha256(key)


async def test_content_type_comes_from_the_bytes_not_the_name(
    storage: LocalStorage, anonymous: httpx.AsyncClient
) -> None:
    body = b"MZ" + b"\x90\x00" * 100
    slot = await storage.presign_put(
        new_key("photo.jpg"),
        content_type="image/jpeg",
        size=len(body),
        expires=timedelta(minutes=5),
    )
    assert (await anonymous.put(slot.url, content=body, headers=slot.headers)).status_code == 200
    key = urlsplit(slot.url).path.removeprefix(LOCAL_OBJECTS_PATH + "/")
    r = await anonymous.get(await storage.presign_get(key, expires=timedelta(minutes=5)))
    assert r.status_code == 200
    assert not r.headers["content-type"].startswith("image/")


async def test_a_tampered_signature_is_refused(
    storage: LocalStorage, anonymous: httpx.AsyncClient
) -> None:
    slot = await storage.presign_put(
        new_key(), content_type="image/png", size=len(PNG), expires=timedelta(minutes=5)
    )
    sig = dict(parse_qsl(urlsplit(slot.url).query))["sig"]
    forged = with_query(slot.url, sig=("0" if sig[0] != "0" else "1") + sig[1:])
    r = await anonymous.put(forged, content=PNG, headers=slot.headers)
    assert r.status_code == 403
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["code"] == "storage_signature_invalid"


async def test_a_url_with_a_raised_size_or_later_expiry_is_refused(
    storage: LocalStorage, anonymous: httpx.AsyncClient
) -> None:
    slot = await storage.presign_put(
        new_key(), content_type="image/png", size=10, expires=timedelta(minutes=5)
    )
    bigger = with_query(slot.url, size=str(10_000_000))
    r = await anonymous.put(bigger, content=PNG, headers=slot.headers)
    assert (r.status_code, r.json()["code"]) == (403, "storage_signature_invalid")
    expires = int(dict(parse_qsl(urlsplit(slot.url).query))["expires"])
    later = with_query(slot.url, expires=str(expires + 86_400))
    r = await anonymous.put(later, content=PNG[:10], headers=slot.headers)
    assert (r.status_code, r.json()["code"]) == (403, "storage_signature_invalid")


async def test_an_upload_url_does_not_download_and_another_key_is_refused(
    storage: LocalStorage, anonymous: httpx.AsyncClient
) -> None:
    key = await put(storage, anonymous, new_key("a.png"), PNG)
    slot = await storage.presign_put(
        key, content_type="image/png", size=len(PNG), expires=timedelta(minutes=5)
    )
    r = await anonymous.get(slot.url)
    assert (r.status_code, r.json()["code"]) == (403, "storage_signature_invalid")
    download = await storage.presign_get(key, expires=timedelta(minutes=5))
    other = download.replace("/a.png?", "/b.png?")
    r = await anonymous.get(other)
    assert (r.status_code, r.json()["code"]) == (403, "storage_signature_invalid")


async def test_an_expired_url_is_refused_with_its_own_code(
    settings: Settings, storage: LocalStorage, anonymous: httpx.AsyncClient
) -> None:
    past = signer(settings, shift=-timedelta(hours=2))
    key = await put(storage, anonymous, new_key("old.png"), PNG)
    slot = await past.presign_put(
        new_key(), content_type="image/png", size=len(PNG), expires=timedelta(hours=1)
    )
    r = await anonymous.put(slot.url, content=PNG, headers=slot.headers)
    assert (r.status_code, r.json()["code"]) == (403, "storage_url_expired")
    r = await anonymous.get(await past.presign_get(key, expires=timedelta(hours=1)))
    assert (r.status_code, r.json()["code"]) == (403, "storage_url_expired")
    assert "过期" in r.json()["detail"]


async def test_more_bytes_than_declared_are_refused_and_nothing_is_kept(
    storage: LocalStorage, anonymous: httpx.AsyncClient
) -> None:
    key = new_key("big.png")
    slot = await storage.presign_put(
        key, content_type="image/png", size=len(PNG) - 1, expires=timedelta(minutes=5)
    )
    r = await anonymous.put(slot.url, content=PNG, headers=slot.headers)
    assert (r.status_code, r.json()["code"]) == (413, "storage_upload_too_large")
    assert await storage.stat(key) is None

    async def chunked() -> AsyncIterator[bytes]:  # no Content-Length: counted while streaming
        for start in range(0, len(PNG), 16):
            yield PNG[start : start + 16]

    r = await anonymous.put(slot.url, content=chunked(), headers=slot.headers)
    assert r.status_code == 413
    assert await storage.stat(key) is None
    r = await anonymous.get(await storage.presign_get(key, expires=timedelta(minutes=5)))
    assert (r.status_code, r.json()["code"]) == (404, "storage_object_not_found")


async def test_a_failed_overwrite_keeps_the_earlier_object(
    storage: LocalStorage, anonymous: httpx.AsyncClient
) -> None:
    key = await put(storage, anonymous, new_key("keep.png"), PNG)
    slot = await storage.presign_put(
        key, content_type="image/png", size=4, expires=timedelta(minutes=5)
    )
    r = await anonymous.put(slot.url, content=b"12345678", headers=slot.headers)
    assert r.status_code == 413
    assert await storage.sha256(key) == hashlib.sha256(PNG).hexdigest()


async def test_the_declared_content_type_must_be_sent(
    storage: LocalStorage, anonymous: httpx.AsyncClient
) -> None:
    slot = await storage.presign_put(
        new_key(), content_type="image/png", size=len(PNG), expires=timedelta(minutes=5)
    )
    r = await anonymous.put(slot.url, content=PNG, headers={"Content-Type": "application/pdf"})
    assert (r.status_code, r.json()["code"]) == (422, "storage_content_type_mismatch")
    r = await anonymous.put(slot.url, content=PNG)
    assert r.status_code == 422


async def test_a_url_without_signature_is_refused(anonymous: httpx.AsyncClient) -> None:
    r = await anonymous.get(f"{LOCAL_OBJECTS_PATH}/test/nothing.png")
    assert (r.status_code, r.json()["code"]) == (403, "storage_signature_invalid")
    r = await anonymous.put(f"{LOCAL_OBJECTS_PATH}/test/nothing.png", content=b"x")
    assert r.status_code == 403
