"""LocalStorage's signed URLs and uploads: what the API route relies on to take bytes from a
client it cannot otherwise authenticate."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
import storage_samples as samples
from storage_backends import LOCAL_BASE_URL, SECRET, Clock

from domain.shared import ErrorKind
from domain.shared.errors import DomainError
from infra.storage import LocalStorage, StorageUnavailableError

MINUTE = timedelta(minutes=1)
PREFIX = urlsplit(LOCAL_BASE_URL).path + "/"


def split(url: str) -> tuple[str, dict[str, str]]:
    parts = urlsplit(url)
    return parts.path.removeprefix(PREFIX), dict(parse_qsl(parts.query))


async def body(*chunks: bytes) -> AsyncIterator[bytes]:
    for chunk in chunks:
        yield chunk


async def put_url(storage: LocalStorage, key: str = "t1/evidence/a.png", size: int = 10) -> str:
    slot = await storage.presign_put(key, content_type="image/png", size=size, expires=MINUTE)
    return slot.url


def refused(storage: LocalStorage, method: str, key: str, query: dict[str, str]) -> str:
    with pytest.raises(DomainError) as error:
        storage.verify_signature(method, key, query)
    assert error.value.kind is ErrorKind.FORBIDDEN
    return error.value.code


async def test_valid_upload_url_grants_declared_size_and_type(local_storage: LocalStorage) -> None:
    key, query = split(await put_url(local_storage, size=1234))

    grant = local_storage.verify_signature("PUT", key, query, content_type="image/png")

    assert (grant.method, grant.key, grant.size, grant.content_type) == (
        "PUT",
        "t1/evidence/a.png",
        1234,
        "image/png",
    )


async def test_expired_url_is_refused_as_expired(local_storage: LocalStorage, clock: Clock) -> None:
    key, query = split(await put_url(local_storage))
    clock.advance(MINUTE + timedelta(seconds=1))

    assert refused(local_storage, "PUT", key, query) == "storage_url_expired"


async def test_url_is_still_good_just_before_expiry(
    local_storage: LocalStorage, clock: Clock
) -> None:
    key, query = split(await local_storage.presign_get("t1/a.png", expires=MINUTE))
    clock.advance(MINUTE - timedelta(seconds=1))

    assert local_storage.verify_signature("GET", key, query).key == "t1/a.png"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("sig", "0" * 64),
        ("size", "99999999"),
        ("content_type", "application/x-msdownload"),
        ("expires", "9999999999"),
    ],
)
async def test_altered_upload_url_is_refused(
    local_storage: LocalStorage, field: str, value: str
) -> None:
    key, query = split(await put_url(local_storage))
    query[field] = value

    assert refused(local_storage, "PUT", key, query) == "storage_signature_invalid"


async def test_url_for_one_key_does_not_open_another(local_storage: LocalStorage) -> None:
    _, query = split(await put_url(local_storage, key="t1/evidence/a.png"))

    assert refused(local_storage, "PUT", "t2/evidence/a.png", query) == "storage_signature_invalid"


async def test_download_url_cannot_be_used_to_upload(local_storage: LocalStorage) -> None:
    key, query = split(await local_storage.presign_get("t1/a.png", expires=MINUTE))

    assert refused(local_storage, "PUT", key, {**query, "method": "PUT"}) == (
        "storage_signature_invalid"
    )


async def test_download_name_cannot_be_changed(local_storage: LocalStorage) -> None:
    url = await local_storage.presign_get("t1/a.png", expires=MINUTE, download_name="照片.png")
    key, query = split(url)

    assert local_storage.verify_signature("GET", key, query).download_name == "照片.png"
    query["name"] = "evil.html"
    assert refused(local_storage, "GET", key, query) == "storage_signature_invalid"


async def test_url_signed_with_another_secret_is_refused(
    local_storage: LocalStorage, tmp_path: Path
) -> None:
    other = LocalStorage(tmp_path, base_url=LOCAL_BASE_URL, secret=b"x" * 32)
    key, query = split(await put_url(other))

    assert refused(local_storage, "PUT", key, query) == "storage_signature_invalid"


@pytest.mark.parametrize(
    "query", [{}, {"method": "PUT", "expires": "soon", "size": "1", "sig": ""}]
)
async def test_malformed_query_is_refused(
    local_storage: LocalStorage, query: dict[str, str]
) -> None:
    assert refused(local_storage, "PUT", "t1/a.png", query) == "storage_signature_invalid"


async def test_upload_with_other_content_type_than_declared_is_refused(
    local_storage: LocalStorage,
) -> None:
    key, query = split(await put_url(local_storage))

    local_storage.verify_signature("PUT", key, query, content_type="IMAGE/PNG; charset=binary")
    with pytest.raises(DomainError) as error:
        local_storage.verify_signature("PUT", key, query, content_type="text/html")
    assert error.value.code == "storage_content_type_mismatch"


@pytest.mark.parametrize(
    "key",
    ["../escape", "t1/../../escape", "/etc/passwd", "t1\\..\\escape", "t1/a\x00.png", "", ".tmp/x"],
)
async def test_path_traversal_keys_are_refused_everywhere(
    local_storage: LocalStorage, key: str
) -> None:
    attempts = [
        local_storage.presign_put(key, content_type="image/png", size=1, expires=MINUTE),
        local_storage.write_upload(key, body(b"x"), max_size=1),
        local_storage.stat(key),
        local_storage.open_download(key),
    ]
    for attempt in attempts:
        with pytest.raises(DomainError) as error:
            await attempt
        assert error.value.code == "storage_key_invalid"
    with pytest.raises(DomainError):
        local_storage.verify_signature("GET", key, {})
    assert not (local_storage.root.parent / "escape").exists()


async def test_upload_lands_under_the_root(local_storage: LocalStorage) -> None:
    info = await local_storage.write_upload("t1/evidence/a.png", body(b"ab", b"cd"), max_size=4)

    assert info.size == 4
    assert (local_storage.root / "t1/evidence/a.png").read_bytes() == b"abcd"


async def test_more_bytes_than_declared_are_refused_and_nothing_is_kept(
    local_storage: LocalStorage,
) -> None:
    with pytest.raises(DomainError) as error:
        await local_storage.write_upload("t1/a.bin", body(b"12345", b"678"), max_size=6)

    assert error.value.code == "storage_upload_too_large"
    assert error.value.kind is ErrorKind.TOO_LARGE
    assert await local_storage.stat("t1/a.bin") is None
    assert list((local_storage.root / ".tmp").iterdir()) == []


async def test_broken_upload_leaves_the_previous_object_whole(local_storage: LocalStorage) -> None:
    await local_storage.write_upload("t1/a.bin", body(b"first version"), max_size=100)

    async def dropped_connection() -> AsyncIterator[bytes]:
        yield b"second "
        raise ConnectionResetError("client went away")

    with pytest.raises(ConnectionResetError):
        await local_storage.write_upload("t1/a.bin", dropped_connection(), max_size=100)

    assert (local_storage.root / "t1/a.bin").read_bytes() == b"first version"
    assert list((local_storage.root / ".tmp").iterdir()) == []


async def test_download_is_typed_by_its_bytes_not_its_name(local_storage: LocalStorage) -> None:
    png = samples.png()
    await local_storage.write_upload("t1/looks-like.pdf", body(png), max_size=len(png))
    await local_storage.write_upload("t1/unknown.bin", body(bytes(range(256))), max_size=256)

    download = await local_storage.open_download("t1/looks-like.pdf")
    unknown = await local_storage.open_download("t1/unknown.bin")

    assert (download.content_type, download.size) == ("image/png", len(png))
    assert b"".join([chunk async for chunk in download.chunks(chunk_size=7)]) == png
    assert unknown.content_type == "application/octet-stream"


async def test_download_of_missing_object_is_not_found(local_storage: LocalStorage) -> None:
    with pytest.raises(DomainError) as error:
        await local_storage.open_download("t1/nothing.png")

    assert (error.value.code, error.value.kind) == ("storage_object_not_found", ErrorKind.NOT_FOUND)


async def test_root_that_cannot_hold_files_fails_readiness(tmp_path: Path) -> None:
    blocker = tmp_path / "objects"
    blocker.write_text("a file where the directory should be")
    storage = LocalStorage(blocker, base_url=LOCAL_BASE_URL, secret=SECRET)

    with pytest.raises(StorageUnavailableError):
        await storage.ensure_ready()


def test_short_signing_secret_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        LocalStorage(tmp_path, base_url=LOCAL_BASE_URL, secret=b"short")
