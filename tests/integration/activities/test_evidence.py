"""Evidence (佐证材料) through HTTP, against each storage the app can be configured with.

Every test runs on a real server per backend: the embedded default (local files, URLs the
API signs and serves), moto's S3 server with the app configured through S3_ENDPOINT, and a
real MinIO when S3_ENDPOINT is set in the environment. A phone's view: ask for a slot,
PUT the bytes to the URL it names, confirm, list, download, delete.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx
import psycopg
import pytest
from moto.server import ThreadedMotoServer

from infra.db.bootstrap import DatabaseUrls, conninfo_of
from infra.db.session import Database
from infra.evidence.sealing import final_key
from infra.evidence.storage import LOCAL_OBJECTS_PATH, open_storage
from infra.evidence.sweeps import sweep_abandoned, sweep_late_uploads
from infra.settings import Settings
from tests.conftest import Api
from tests.integration.activities.world import Branch, World
from tests.integration.storage.storage_samples import exif_tiff, jpeg, pe, png
from tests.integration.test_storage_routes import serve, signer, variant

BACKENDS = ["local", "moto", *(["minio"] if os.environ.get("S3_ENDPOINT") else [])]

# Taken 2026-05-20 15:00 Beijing time, about 1.6 km from the meeting room below.
PHOTO = jpeg(
    exif_tiff(
        taken="2026:05:20 15:00:00",
        offset="+08:00",
        gps=("N", ((22, 1), (32, 1), (3000, 100)), "E", ((114, 1), (3, 1), (3000, 100))),
    )
)
MEETING_ROOM = (22.5333, 114.0500)


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass
class Backend:
    name: str
    base: str
    http: httpx.AsyncClient
    raw: httpx.AsyncClient  # no base URL, no token: what a phone uses for the storage URL
    settings: Settings

    def as_(self, api: Api) -> Api:
        return Api(self.http, api.token, api.username)


@dataclass
class Scene:
    branch: Branch
    other: Branch
    activity_id: str
    other_activity_id: str


@pytest.fixture(scope="module")
def moto_endpoint() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def _settings_for(name: str, settings: Settings, request: pytest.FixtureRequest) -> Settings:
    if name == "local":
        return variant(settings)
    if name == "moto":
        return variant(
            settings,
            S3_ENDPOINT=request.getfixturevalue("moto_endpoint"),
            S3_ACCESS_KEY="testing",
            S3_SECRET_KEY="testing",
            S3_BUCKET=f"zhibu-evidence-{uuid.uuid4().hex[:12]}",
        )
    return variant(
        settings,
        S3_ENDPOINT=os.environ["S3_ENDPOINT"],
        S3_ACCESS_KEY=os.environ["S3_ACCESS_KEY"],
        S3_SECRET_KEY=os.environ["S3_SECRET_KEY"],
        S3_BUCKET=os.environ.get("S3_BUCKET", "zhibu-test"),
        S3_REGION=os.environ.get("S3_REGION", "us-east-1"),
        S3_SECURE=os.environ.get("S3_SECURE", "false"),
    )


@pytest.fixture(scope="module", params=BACKENDS)
async def backend(request: pytest.FixtureRequest, settings: Settings) -> AsyncIterator[Backend]:
    name: str = request.param
    configured = _settings_for(name, settings, request)
    async with (
        serve(configured) as base,
        httpx.AsyncClient(base_url=base, timeout=30) as http,
        httpx.AsyncClient(timeout=30) as raw,
    ):
        yield Backend(name, base, http, raw, configured)


@pytest.fixture(scope="module")
async def scene(futian_world: World, futian: Api) -> Scene:
    branch = await futian_world.branch(n_full=2)
    other = await futian_world.branch(n_full=1)

    async def activity(org_id: str) -> str:
        r = await futian.post(
            "/api/v1/activities",
            json={
                "kind": "theme_day",
                "organization_id": org_id,
                "title": "主题党日：学习党章",
                "starts_at": "2026-05-20T14:30:00+08:00",
                "ends_at": "2026-05-20T16:30:00+08:00",
                "place": "三楼会议室",
                "latitude": MEETING_ROOM[0],
                "longitude": MEETING_ROOM[1],
            },
        )
        assert r.status_code == 201, r.text
        return str(r.json()["id"])

    return Scene(branch, other, await activity(branch.id), await activity(other.id))


def member_api(b: Backend, branch: Branch, index: int = 0) -> Api:
    person = branch.members[index]
    assert person.api is not None
    return b.as_(person.api)


async def ask(
    api: Api,
    activity_id: str,
    body: bytes,
    *,
    kind: str = "photo",
    filename: str = "现场照片.jpg",
    content_type: str = "image/jpeg",
    size: int | None = None,
    checksum: str | None = None,
) -> httpx.Response:
    return await api.post(
        f"/api/v1/activities/{activity_id}/evidence",
        json={
            "kind": kind,
            "filename": filename,
            "content_type": content_type,
            "size_bytes": len(body) if size is None else size,
            "sha256": sha(body) if checksum is None else checksum,
        },
    )


async def put_bytes(b: Backend, upload: dict[str, Any], body: bytes) -> httpx.Response:
    return await b.raw.request(
        upload["method"], upload["url"], headers=upload["headers"], content=body
    )


async def uploaded(
    b: Backend,
    api: Api,
    activity_id: str,
    declared: bytes,
    sent: bytes | None = None,
    **kw: Any,
) -> dict[str, Any]:
    """Ask for a slot for `declared` and upload `sent` (default: the same bytes)."""
    r = await ask(api, activity_id, declared, **kw)
    assert r.status_code == 201, r.text
    slot = r.json()
    put = await put_bytes(b, slot["upload"], declared if sent is None else sent)
    assert put.status_code == 200, put.text
    return dict(slot)


async def confirm(api: Api, evidence_id: str) -> httpx.Response:
    return await api.post(f"/api/v1/evidence/{evidence_id}/confirm")


async def listed(api: Api, activity_id: str, **params: Any) -> list[str]:
    r = await api.get(f"/api/v1/activities/{activity_id}/evidence", params=params)
    assert r.status_code == 200, r.text
    return [e["id"] for e in r.json()["items"]]


# ---------------------------------------------------------------- the happy path


async def test_a_photo_is_uploaded_confirmed_listed_and_downloaded(
    backend: Backend, scene: Scene, futian: Api
) -> None:
    member = member_api(backend, scene.branch)
    slot = await uploaded(backend, member, scene.activity_id, PHOTO)
    evidence = slot["evidence"]
    assert evidence["status"] == "pending"
    assert slot["upload"]["method"] == "PUT"
    assert evidence["id"] not in await listed(member, scene.activity_id)

    r = await confirm(member, evidence["id"])
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["status"] == "attached"
    assert body["confirmed_at"] is not None
    photo = body["photo"]
    assert photo["taken_at"].startswith("2026-05-20T15:00:00")
    assert photo["taken_during_activity"] is True
    assert 1000 < photo["distance_m"] < 3000
    assert photo["activity_place"] == "三楼会议室"

    secretary = backend.as_(futian)
    assert evidence["id"] in await listed(secretary, scene.activity_id)
    assert evidence["id"] in await listed(member_api(backend, scene.branch, 1), scene.activity_id)

    r = await secretary.get(f"/api/v1/evidence/{evidence['id']}")
    assert r.status_code == 200
    download = r.json()["download"]
    assert download is not None
    assert download["expires_at"]
    file = await backend.raw.get(download["url"])
    assert file.status_code == 200
    assert file.content == PHOTO
    if backend.name == "local":
        assert file.headers["content-type"] == "image/jpeg"
        assert "filename*=UTF-8''" in file.headers["content-disposition"]


async def test_confirming_twice_is_idempotent_and_emits_one_event(
    backend: Backend, scene: Scene, database: DatabaseUrls, futian: Api
) -> None:
    member = member_api(backend, scene.branch)
    body = png()
    slot = await uploaded(
        backend, member, scene.activity_id, body, filename="合影.png", content_type="image/png"
    )
    evidence_id = slot["evidence"]["id"]
    first = await confirm(member, evidence_id)
    second = await confirm(member, evidence_id)
    assert first.status_code == second.status_code == 200
    assert first.json() == second.json()
    assert (await listed(member, scene.activity_id)).count(evidence_id) == 1
    with psycopg.connect(conninfo_of(database.admin)) as conn:
        events = conn.execute(
            "SELECT count(*) FROM outbox_event"
            " WHERE topic = 'evidence.attached' AND payload->>'evidence_id' = %s",
            (evidence_id,),
        ).fetchone()
    assert events == (1,)
    r = await backend.as_(futian).get(
        "/api/v1/audit-events", params={"action": "evidence.attach", "limit": 200}
    )
    assert [e["resource_id"] for e in r.json()["items"]].count(evidence_id) == 1


# ---------------------------------------------------------------- refusals


async def refused(
    b: Backend, api: Api, activity_id: str, evidence_id: str, code: str
) -> dict[str, Any]:
    r = await confirm(api, evidence_id)
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["code"] == code
    assert evidence_id not in await listed(api, activity_id)
    detail = await api.get(f"/api/v1/evidence/{evidence_id}")
    assert detail.status_code == 200
    assert detail.json()["status"] == "pending"
    assert detail.json()["last_error_code"] == code
    assert detail.json()["download"] is None
    return dict(detail.json())


async def test_wrong_size_is_refused_and_can_be_retried(backend: Backend, scene: Scene) -> None:
    member = member_api(backend, scene.branch)
    slot = await uploaded(backend, member, scene.activity_id, PHOTO, sent=PHOTO[:-10])
    evidence_id = slot["evidence"]["id"]
    await refused(backend, member, scene.activity_id, evidence_id, "size_mismatch")
    # Nothing was deleted that the user needs: the same URL takes the right bytes.
    assert (await put_bytes(backend, slot["upload"], PHOTO)).status_code == 200
    r = await confirm(member, evidence_id)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "attached"
    assert r.json()["last_error_code"] is None
    assert evidence_id in await listed(member, scene.activity_id)


async def test_wrong_checksum_is_refused(backend: Backend, scene: Scene) -> None:
    member = member_api(backend, scene.branch)
    tampered = PHOTO[:-3] + b"\x00\x00\x00"
    slot = await uploaded(backend, member, scene.activity_id, PHOTO, sent=tampered)
    await refused(backend, member, scene.activity_id, slot["evidence"]["id"], "checksum_mismatch")


async def test_a_disguised_executable_is_refused(backend: Backend, scene: Scene) -> None:
    member = member_api(backend, scene.branch)
    program = pe()
    slot = await uploaded(backend, member, scene.activity_id, program, filename="photo.jpg")
    detail = await refused(
        backend, member, scene.activity_id, slot["evidence"]["id"], "content_type_not_allowed"
    )
    assert detail["filename"] == "photo.jpg"


async def test_bytes_of_another_type_than_declared_are_refused(
    backend: Backend, scene: Scene
) -> None:
    member = member_api(backend, scene.branch)
    slot = await uploaded(
        backend, member, scene.activity_id, PHOTO, filename="a.png", content_type="image/png"
    )
    await refused(
        backend, member, scene.activity_id, slot["evidence"]["id"], "content_type_mismatch"
    )


async def test_confirming_before_uploading_attaches_nothing(backend: Backend, scene: Scene) -> None:
    member = member_api(backend, scene.branch)
    r = await ask(member, scene.activity_id, PHOTO)
    evidence_id = r.json()["evidence"]["id"]
    r = await confirm(member, evidence_id)
    assert (r.status_code, r.json()["code"]) == (409, "evidence_not_uploaded")
    assert evidence_id not in await listed(member, scene.activity_id)


async def test_declarations_outside_the_limits_get_no_slot(backend: Backend, scene: Scene) -> None:
    member = member_api(backend, scene.branch)
    r = await ask(member, scene.activity_id, PHOTO, size=500 * 1024 * 1024)
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "size_bytes"
    r = await ask(member, scene.activity_id, PHOTO, content_type="application/x-msdownload")
    assert (r.status_code, r.json()["code"]) == (422, "content_type_not_allowed")
    r = await ask(member, scene.activity_id, PHOTO, checksum="not-a-checksum" * 4 + "abcdefgh")
    assert r.status_code in (400, 422)
    r = await ask(member, scene.activity_id, PHOTO, kind="video")
    assert r.status_code == 400


async def test_a_put_retried_after_confirmation_changes_nothing(
    backend: Backend, scene: Scene, database: DatabaseUrls
) -> None:
    member = member_api(backend, scene.branch)
    slot = await uploaded(backend, member, scene.activity_id, PHOTO)
    evidence_id = slot["evidence"]["id"]
    assert (await confirm(member, evidence_id)).status_code == 200
    # The same bytes again (a retry), then other bytes: the confirmed photo stays as it was.
    other = PHOTO[:-3] + b"\x01\x02\x03"
    for body in (PHOTO, other):
        put = await put_bytes(backend, slot["upload"], body)
        if backend.name == "local":
            assert (put.status_code, put.json()["code"]) == (409, "storage_upload_closed")
        else:  # a presigned S3 URL cannot be revoked: the PUT lands where nothing reads
            assert put.status_code == 200
    r = await member.get(f"/api/v1/evidence/{evidence_id}")
    assert r.status_code == 200, r.text
    assert (await backend.raw.get(r.json()["download"]["url"])).content == PHOTO
    assert (await confirm(member, evidence_id)).json()["status"] == "attached"

    # Once the upload URL has expired, the sweep removes whatever a late PUT left.
    with psycopg.connect(conninfo_of(database.admin)) as conn:
        conn.execute("SET ROLE zhibu_owner")
        (upload_key,) = conn.execute(
            "UPDATE evidence SET upload_expires_at = now() - interval '1 minute'"
            " WHERE id = %s RETURNING upload_key",
            (evidence_id,),
        ).fetchone()  # type: ignore[misc]
    storage = await open_storage(backend.settings)
    late = await storage.stat(upload_key)
    assert (late is None) == (backend.name == "local")
    db = Database(backend.settings.app_database_url or "")
    try:
        assert await sweep_late_uploads(db, storage, now=datetime.now(UTC)) >= 1
    finally:
        await db.dispose()
    assert await storage.stat(upload_key) is None
    r = await member.get(f"/api/v1/evidence/{evidence_id}")
    assert (await backend.raw.get(r.json()["download"]["url"])).content == PHOTO


async def test_a_confirmation_that_sealed_but_did_not_commit_is_completed(
    backend: Backend, scene: Scene, database: DatabaseUrls
) -> None:
    member = member_api(backend, scene.branch)
    slot = await uploaded(backend, member, scene.activity_id, PHOTO)
    evidence_id = slot["evidence"]["id"]
    with psycopg.connect(conninfo_of(database.admin)) as conn:
        conn.execute("SET ROLE zhibu_owner")
        (key,) = conn.execute(
            "SELECT object_key FROM evidence WHERE id = %s", (evidence_id,)
        ).fetchone()  # type: ignore[misc]
    # The object was moved, then the transaction that recorded it rolled back.
    storage = await open_storage(backend.settings)
    info = await storage.stat(key)
    assert info is not None
    assert await storage.seal(key, final_key(key), etag=info.etag) is not None
    r = await confirm(member, evidence_id)
    assert (r.status_code, r.json()["status"]) == (200, "attached")
    r = await member.get(f"/api/v1/evidence/{evidence_id}")
    assert (await backend.raw.get(r.json()["download"]["url"])).content == PHOTO


# ---------------------------------------------------------------- local URLs


def _with_query(url: str, **changes: str) -> str:
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    query.update(changes)
    return urlunsplit(parts._replace(query=urlencode(query)))


async def test_a_tampered_upload_url_is_refused(backend: Backend, scene: Scene) -> None:
    if backend.name == "moto":
        pytest.skip("moto's server accepts presigned requests with a tampered signature")
    member = member_api(backend, scene.branch)
    r = await ask(member, scene.activity_id, PHOTO)
    upload = r.json()["upload"]
    query = dict(parse_qsl(urlsplit(upload["url"]).query))
    name = "sig" if "sig" in query else "X-Amz-Signature"
    signature = query[name]
    forged = signature[:-1] + ("0" if signature[-1] != "0" else "1")
    put = await put_bytes(
        backend, {**upload, "url": _with_query(upload["url"], **{name: forged})}, PHOTO
    )
    assert put.status_code == 403
    if backend.name == "local":
        assert put.json()["code"] == "storage_signature_invalid"
    r = await confirm(member, r.json()["evidence"]["id"])
    assert (r.status_code, r.json()["code"]) == (409, "evidence_not_uploaded")


async def test_expired_local_urls_are_refused(
    backend: Backend, scene: Scene, settings: Settings
) -> None:
    if backend.name != "local":
        pytest.skip("S3 expiry is the storage's own business; the local route is ours")
    member = member_api(backend, scene.branch)
    slot = await uploaded(backend, member, scene.activity_id, PHOTO)
    evidence_id = slot["evidence"]["id"]
    assert (await confirm(member, evidence_id)).status_code == 200
    key = urlsplit(slot["upload"]["url"]).path.removeprefix(LOCAL_OBJECTS_PATH + "/")
    # The same URLs the API hands out, minted by a clock two hours behind: expired.
    past = signer(settings, shift=-timedelta(hours=2))
    stale_get = await past.presign_get(key, expires=timedelta(hours=1), download_name="a.jpg")
    r = await backend.raw.get(backend.base + stale_get)
    assert (r.status_code, r.json()["code"]) == (403, "storage_url_expired")
    stale_put = await past.presign_put(
        key, content_type="image/jpeg", size=len(PHOTO), expires=timedelta(hours=1)
    )
    r = await backend.raw.put(backend.base + stale_put.url, content=pe(), headers=stale_put.headers)
    assert (r.status_code, r.json()["code"]) == (403, "storage_url_expired")
    # A link that is still valid, with its expiry moved, is a forgery.
    url = (await member.get(f"/api/v1/evidence/{evidence_id}")).json()["download"]["url"]
    expires = int(dict(parse_qsl(urlsplit(url).query))["expires"])
    r = await backend.raw.get(_with_query(url, expires=str(expires + 3600)))
    assert (r.status_code, r.json()["code"]) == (403, "storage_signature_invalid")
    assert (await backend.raw.get(url)).content == PHOTO


# ---------------------------------------------------------------- who may see it


async def test_other_branches_and_tenants_cannot_fetch_evidence(
    backend: Backend, scene: Scene, nanshan: Api, secretary: Api, inspector: Api
) -> None:
    member = member_api(backend, scene.branch)
    slot = await uploaded(backend, member, scene.activity_id, PHOTO)
    evidence_id = slot["evidence"]["id"]
    assert (await confirm(member, evidence_id)).status_code == 200

    for outsider in (
        member_api(backend, scene.other),  # a member of another branch
        backend.as_(secretary),  # the secretary of another branch
        backend.as_(nanshan),  # another tenant's administrator
    ):
        r = await outsider.get(f"/api/v1/evidence/{evidence_id}")
        assert r.status_code == 404, (outsider.username, r.text)
        r = await outsider.get(f"/api/v1/activities/{scene.activity_id}/evidence")
        assert r.status_code == 404, (outsider.username, r.text)
        r = await confirm(outsider, evidence_id)
        assert r.status_code == 404
        r = await outsider.delete(f"/api/v1/evidence/{evidence_id}")
        assert r.status_code == 404
        r = await ask(outsider, scene.activity_id, PHOTO)
        assert r.status_code == 404

    # The province's inspector reads the subtree (read-only supervision).
    r = await backend.as_(inspector).get(f"/api/v1/evidence/{evidence_id}")
    assert r.status_code == 200
    assert r.json()["download"] is not None
    r = await backend.as_(inspector).delete(f"/api/v1/evidence/{evidence_id}")
    assert r.status_code == 403


async def test_pending_uploads_are_the_uploaders_business(
    backend: Backend, scene: Scene, futian: Api
) -> None:
    uploader = member_api(backend, scene.branch)
    colleague = member_api(backend, scene.branch, 1)
    r = await ask(uploader, scene.activity_id, PHOTO)
    evidence_id = r.json()["evidence"]["id"]
    assert evidence_id in await listed(uploader, scene.activity_id, include_pending="true")
    assert evidence_id in await listed(
        backend.as_(futian), scene.activity_id, include_pending="true"
    )
    assert evidence_id not in await listed(colleague, scene.activity_id, include_pending="true")
    assert (await colleague.get(f"/api/v1/evidence/{evidence_id}")).status_code == 404


# ---------------------------------------------------------------- deletion


async def test_deleting_needs_the_permission_and_removes_the_file(
    backend: Backend, scene: Scene, futian: Api
) -> None:
    member = member_api(backend, scene.branch)
    slot = await uploaded(backend, member, scene.activity_id, PHOTO)
    evidence_id = slot["evidence"]["id"]
    assert (await confirm(member, evidence_id)).status_code == 200
    url = (await member.get(f"/api/v1/evidence/{evidence_id}")).json()["download"]["url"]

    r = await member.delete(f"/api/v1/evidence/{evidence_id}")
    assert (r.status_code, r.json()["code"]) == (403, "forbidden")

    admin = backend.as_(futian)
    r = await admin.delete(f"/api/v1/evidence/{evidence_id}")
    assert r.status_code == 204
    assert (await admin.get(f"/api/v1/evidence/{evidence_id}")).status_code == 404
    assert evidence_id not in await listed(admin, scene.activity_id)
    assert (await backend.raw.get(url)).status_code in (403, 404)
    r = await admin.get("/api/v1/audit-events", params={"action": "evidence.delete"})
    assert evidence_id in [e["resource_id"] for e in r.json()["items"]]
    assert (await admin.delete(f"/api/v1/evidence/{evidence_id}")).status_code == 404


async def test_uploaders_may_withdraw_their_own_pending_slot(
    backend: Backend, scene: Scene
) -> None:
    member = member_api(backend, scene.branch)
    r = await ask(member, scene.activity_id, PHOTO)
    evidence_id = r.json()["evidence"]["id"]
    assert (await member.delete(f"/api/v1/evidence/{evidence_id}")).status_code == 204
    assert (await confirm(member, evidence_id)).status_code == 404


async def test_a_retried_slot_request_with_the_same_key_gets_the_same_slot(
    backend: Backend, scene: Scene
) -> None:
    member = member_api(backend, scene.branch)
    key = f"evidence-{uuid.uuid4()}"
    body = {
        "kind": "minutes",
        "filename": "会议记录.pdf",
        "content_type": "application/pdf",
        "size_bytes": 1024,
        "sha256": sha(b"minutes"),
    }
    url = f"/api/v1/activities/{scene.activity_id}/evidence"
    first = await member.post(url, json=body, headers={"Idempotency-Key": key})
    second = await member.post(url, json=body, headers={"Idempotency-Key": key})
    assert first.status_code == second.status_code == 201
    assert second.headers.get("idempotent-replayed") == "true"
    assert first.json() == second.json()
    pending = await listed(member, scene.activity_id, include_pending="true")
    assert pending.count(first.json()["evidence"]["id"]) == 1


async def test_abandoned_upload_slots_are_cleared(
    backend: Backend, scene: Scene, futian: Api, database: DatabaseUrls
) -> None:
    member = member_api(backend, scene.branch)
    abandoned = (await uploaded(backend, member, scene.activity_id, PHOTO))["evidence"]["id"]
    r = await ask(member, scene.activity_id, PHOTO, filename="刚申请的照片.jpg")
    live = r.json()["evidence"]["id"]
    with psycopg.connect(conninfo_of(database.admin)) as conn:
        conn.execute("SET ROLE zhibu_owner")
        (key,) = conn.execute(  # its upload URL expired eight days ago
            "UPDATE evidence SET upload_expires_at = now() - interval '8 days'"
            " WHERE id = %s RETURNING object_key",
            (abandoned,),
        ).fetchone()  # type: ignore[misc]
    storage = await open_storage(backend.settings)
    assert await storage.stat(key) is not None
    db = Database(backend.settings.app_database_url or "")
    try:
        assert await sweep_abandoned(db, storage, now=datetime.now(UTC)) >= 1
    finally:
        await db.dispose()

    assert await storage.stat(key) is None
    assert (await member.get(f"/api/v1/evidence/{abandoned}")).status_code == 404
    assert (await confirm(member, abandoned)).status_code == 404
    assert (await member.get(f"/api/v1/evidence/{live}")).status_code == 200
    events = await backend.as_(futian).get(
        "/api/v1/audit-events", params={"action": "evidence.expire"}
    )
    assert abandoned in [e["resource_id"] for e in events.json()["items"]]
