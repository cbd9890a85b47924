"""The contract every ObjectStorage adapter keeps, run against each backend in BACKENDS."""

from __future__ import annotations

import hashlib
import os
import socket
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import pytest
import storage_samples as samples
from storage_backends import Backend

from domain.shared import ErrorKind
from domain.shared.errors import DomainError
from infra.storage import (
    EXECUTABLE_TYPES,
    HEAD_BYTES,
    S3Storage,
    StorageUnavailableError,
    detect_content_type,
)

MINUTE = timedelta(minutes=1)


async def upload(backend: Backend, key: str, body: bytes, content_type: str) -> None:
    slot = await backend.storage.presign_put(
        key, content_type=content_type, size=len(body), expires=MINUTE
    )
    response = await backend.http.request(slot.method, slot.url, content=body, headers=slot.headers)
    assert response.status_code == 200, response.text


async def test_presigned_put_then_stat_reports_the_size(backend: Backend) -> None:
    key = backend.key("photo.png")
    body = samples.png()
    await upload(backend, key, body, "image/png")

    info = await backend.storage.stat(key)

    assert info is not None
    assert info.key == key
    assert info.size == len(body)
    assert info.etag


async def test_presign_put_tells_the_client_what_to_send(backend: Backend) -> None:
    before = datetime.now(UTC)
    slot = await backend.storage.presign_put(
        backend.key("minutes.pdf"), content_type="application/pdf", size=10, expires=MINUTE
    )

    assert slot.method == "PUT"
    assert slot.headers == {"Content-Type": "application/pdf"}
    assert slot.expires_at is not None
    assert before + MINUTE - timedelta(seconds=5) <= slot.expires_at <= before + 2 * MINUTE


async def test_sha256_streams_the_whole_object(backend: Backend) -> None:
    key = backend.key("big.bin")
    body = os.urandom(700 * 1024)  # several read chunks
    await upload(backend, key, body, "application/octet-stream")

    assert await backend.storage.sha256(key) == hashlib.sha256(body).hexdigest()


async def test_read_head_returns_only_the_leading_bytes(backend: Backend) -> None:
    key = backend.key("photo.jpg")
    body = samples.jpeg() + os.urandom(5000)
    await upload(backend, key, body, "image/jpeg")

    assert await backend.storage.read_head(key, 16) == body[:16]
    assert await backend.storage.read_head(key, HEAD_BYTES) == body


async def test_empty_object_has_empty_head_and_the_empty_digest(backend: Backend) -> None:
    key = backend.key("empty.txt")
    await upload(backend, key, b"", "text/plain")

    assert await backend.storage.read_head(key, HEAD_BYTES) == b""
    assert await backend.storage.sha256(key) == hashlib.sha256(b"").hexdigest()


async def test_presigned_get_returns_the_bytes(backend: Backend) -> None:
    key = backend.key("minutes.pdf")
    body = b"%PDF-1.7\n" + os.urandom(2048)
    await upload(backend, key, body, "application/pdf")

    url = await backend.storage.presign_get(key, expires=MINUTE)
    response = await backend.http.get(url)

    assert response.status_code == 200
    assert response.content == body


async def test_presigned_get_offers_the_chinese_download_name(backend: Backend) -> None:
    key = backend.key("photo.png")
    await upload(backend, key, samples.png(), "image/png")

    url = await backend.storage.presign_get(key, expires=MINUTE, download_name="支部会议 照片.png")
    response = await backend.http.get(url)

    assert response.status_code == 200
    disposition = response.headers["content-disposition"]
    assert disposition.startswith("attachment;")
    assert f"filename*=UTF-8''{quote('支部会议 照片.png', safe='')}" in disposition


async def test_missing_object_has_no_stat_head_or_digest(backend: Backend) -> None:
    key = backend.key("never-uploaded.jpg")

    assert await backend.storage.stat(key) is None
    with pytest.raises(DomainError) as head_error:
        await backend.storage.read_head(key, 16)
    with pytest.raises(DomainError) as digest_error:
        await backend.storage.sha256(key)

    assert head_error.value.code == digest_error.value.code == "storage_object_not_found"
    assert head_error.value.kind is ErrorKind.NOT_FOUND


async def test_delete_removes_the_object_and_tolerates_a_missing_one(backend: Backend) -> None:
    key = backend.key("photo.png")
    await upload(backend, key, samples.png(), "image/png")

    await backend.storage.delete(key)
    await backend.storage.delete(key)

    assert await backend.storage.stat(key) is None


async def test_seal_moves_only_the_verified_object_out_of_the_upload_urls_reach(
    backend: Backend,
) -> None:
    key, final = backend.key("photo.png"), backend.key("photo.png.final")
    body = samples.png()
    slot = await backend.storage.presign_put(
        key, content_type="image/png", size=len(body), expires=MINUTE
    )
    put = await backend.http.request(slot.method, slot.url, content=body, headers=slot.headers)
    assert put.status_code == 200
    info = await backend.storage.stat(key)
    assert info is not None

    # Not the object that was verified: nothing moves.
    assert await backend.storage.seal(key, final, etag='"someone-else"') is None
    assert await backend.storage.stat(key) is not None
    assert await backend.storage.stat(final) is None

    sealed = await backend.storage.seal(key, final, etag=info.etag)
    assert sealed is not None
    assert (sealed.key, sealed.size) == (final, len(body))
    assert await backend.storage.stat(key) is None
    assert await backend.storage.sha256(final) == hashlib.sha256(body).hexdigest()

    again = await backend.http.request(slot.method, slot.url, content=b"x", headers=slot.headers)
    if backend.name == "local":
        assert (again.status_code, again.json()["code"]) == (409, "storage_upload_closed")
    assert await backend.storage.sha256(final) == hashlib.sha256(body).hexdigest()


async def test_ensure_ready_can_run_on_every_probe(backend: Backend) -> None:
    await backend.storage.ensure_ready()
    await backend.storage.ensure_ready()
    key = backend.key("after-ready.txt")
    await upload(backend, key, "会议纪要".encode(), "text/plain")

    assert await backend.storage.stat(key) is not None


async def test_executable_declared_as_photo_is_recognised(backend: Backend) -> None:
    key = backend.key("photo.jpg")
    await upload(backend, key, samples.pe(), "image/jpeg")

    sniffed = detect_content_type(await backend.storage.read_head(key, HEAD_BYTES))

    assert sniffed in EXECUTABLE_TYPES


@pytest.mark.parametrize("key", ["../etc/passwd", "/abs/key", "a\\b", "a\x00b", "a/../b"])
async def test_unsafe_keys_are_refused(backend: Backend, key: str) -> None:
    with pytest.raises(DomainError) as error:
        await backend.storage.presign_put(key, content_type="image/png", size=1, expires=MINUTE)

    assert error.value.code == "storage_key_invalid"


@pytest.mark.parametrize("expires", [timedelta(0), timedelta(days=7, seconds=1)])
async def test_expiry_outside_what_s3_allows_is_a_programming_error(
    backend: Backend, expires: timedelta
) -> None:
    with pytest.raises(ValueError, match="expiry"):
        await backend.storage.presign_get(backend.key("x.png"), expires=expires)


async def test_unreachable_s3_fails_readiness() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    storage = S3Storage(
        endpoint=f"http://127.0.0.1:{port}", access_key="a", secret_key="b", bucket="zhibu"
    )

    with pytest.raises(StorageUnavailableError):
        await storage.ensure_ready()


async def test_presigned_urls_name_the_public_endpoint_without_contacting_it() -> None:
    storage = S3Storage(
        endpoint="http://minio:9000",
        public_endpoint="https://files.example.invalid",
        access_key="a",
        secret_key="b",
        bucket="zhibu",
    )

    slot = await storage.presign_put("t1/a.png", content_type="image/png", size=1, expires=MINUTE)
    download = await storage.presign_get("t1/a.png", expires=MINUTE)

    assert slot.url.startswith("https://files.example.invalid/zhibu/t1/a.png?")
    assert download.startswith("https://files.example.invalid/zhibu/t1/a.png?")
