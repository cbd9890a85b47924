"""Both check-in write paths leave the same rows behind.

A member's own check-in takes the hot path (`fast_checkin`, the SQL function
`zhibu_record_self_checkins`) unless it names the member, when it takes the unit of work
(`service.check_in`), as a secretary's mark does. The same check-ins go through both, and
the rows written (check-in, outbox event, audit event, stored Idempotency-Key response)
must be equal but for ids, positions and timestamps. Every path's rows must also be the
ones `domain.activities.checkin_records` defines.
"""

from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import psycopg
from psycopg.rows import dict_row

from domain.activities import mint_checkin_token
from domain.activities.checkin_records import RecordedCheckin, creation_audit, recorded_event
from infra.db.bootstrap import DatabaseUrls, conninfo_of
from infra.settings import Settings
from tests.conftest import Api
from tests.integration.activities.world import World

_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
# ids, positions in the outbox's order, and when
_IGNORED = {"id", "xid", "seq", "created_at", "published_at", "occurred_at", "recorded_at"}


async def _activity(admin: Api, org_id: str) -> str:
    now = datetime.now(UTC)
    r = await admin.post(
        "/api/v1/activities",
        json={
            "kind": "theme_day",
            "organization_id": org_id,
            "title": "主题党日",
            "starts_at": (now - timedelta(minutes=5)).isoformat(),
            "ends_at": (now + timedelta(hours=2)).isoformat(),
        },
    )
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


async def _token(admin: Api, activity_id: str) -> str:
    r = await admin.get(f"/api/v1/activities/{activity_id}/checkin-token")
    assert r.status_code == 200, r.text
    return str(r.json()["token"])


def _rows(database: DatabaseUrls, checkin_id: str, key: str | None = None) -> dict[str, Any]:
    """Everything written for one check-in, as the database holds it."""
    with psycopg.connect(conninfo_of(database.admin), row_factory=dict_row) as conn:
        conn.execute("SET ROLE zhibu_owner")
        checkin = conn.execute("SELECT * FROM checkin WHERE id = %s", (checkin_id,)).fetchall()
        outbox = conn.execute(
            "SELECT * FROM outbox_event WHERE payload->>'checkin_id' = %s", (checkin_id,)
        ).fetchall()
        audit = conn.execute(
            "SELECT * FROM audit_event WHERE resource_type = 'checkin' AND resource_id = %s",
            (checkin_id,),
        ).fetchall()
        stored = (
            conn.execute("SELECT * FROM idempotency_key WHERE key = %s", (key,)).fetchall()
            if key is not None
            else []
        )
    return {"checkin": checkin, "outbox": outbox, "audit": audit, "idempotency": stored}


def _comparable(value: Any, names: dict[str, str]) -> Any:
    """`value` with ids, positions and timestamps out of the way, named ids by role."""
    if isinstance(value, dict):
        return {k: _comparable(v, names) for k, v in value.items() if k not in _IGNORED}
    if isinstance(value, list):
        return [_comparable(v, names) for v in value]
    if isinstance(value, uuid.UUID):
        return names.get(str(value), str(value))
    if isinstance(value, bytes):  # a stored response body
        return _comparable(json.loads(value), names)
    if isinstance(value, str):
        return names.get(value, "<time>" if _TIME.match(value) else value)
    return value


def _without_fingerprint(rows: dict[str, Any]) -> dict[str, Any]:
    """The fingerprint hashes the request, which names the member on one path only; that it
    still recognises the same request is checked by replaying it."""
    for row in rows["idempotency"]:
        assert len(row.pop("fingerprint")) == 32
    return rows


def _assert_as_defined(rows: dict[str, Any], *, audited: bool) -> None:
    """The event and the audit record are the contract's, to the byte of the payload."""
    (checkin,) = rows["checkin"]
    fact = RecordedCheckin(
        checkin_id=checkin["id"],
        activity_id=checkin["activity_id"],
        member_id=checkin["member_id"],
        source=checkin["source"],
        occurred_at=checkin["occurred_at"].astimezone(UTC),
    )
    event = recorded_event(fact)
    assert [
        (e["tenant_id"], e["topic"], e["aggregate_type"], e["aggregate_id"], e["payload"])
        for e in rows["outbox"]
    ] == [
        (checkin["tenant_id"], event.topic, event.aggregate_type, event.aggregate_id, event.payload)
    ]
    if not audited:
        assert rows["audit"] == []
        return
    entry = creation_audit(fact)
    assert [
        (
            a["tenant_id"],
            a["actor_id"],
            a["action"],
            a["resource_type"],
            a["resource_id"],
            a["outcome"],
            a["detail"],
        )
        for a in rows["audit"]
    ] == [
        (
            checkin["tenant_id"],
            checkin["recorded_by"],
            entry.action,
            entry.resource_type,
            entry.resource_id,
            entry.outcome,
            entry.detail,
        )
    ]


async def _check_in(
    api: Api, activity_id: str, body: dict[str, Any], key: str, request_id: str
) -> httpx.Response:
    return await api.post(
        f"/api/v1/activities/{activity_id}/checkins",
        json=body,
        headers={"Idempotency-Key": key, "X-Request-ID": request_id},
    )


async def test_a_self_checkin_writes_the_same_rows_on_both_paths(
    futian_world: World, database: DatabaseUrls
) -> None:
    w = futian_world
    b = await w.branch(1)
    me = b.members[0]
    assert me.api is not None
    place = {"latitude": 22.5431, "longitude": 114.0579, "accuracy_m": 12.5}
    written = {}
    for path, naming in (("fast", {}), ("unit_of_work", {"member_id": me.member_id})):
        activity_id = await _activity(w.admin, b.id)
        body = {"token": await _token(w.admin, activity_id), **place, **naming}
        key, request_id = f"paths-{uuid.uuid4()}", f"paths-{uuid.uuid4().hex[:12]}"
        r = await _check_in(me.api, activity_id, body, key, request_id)
        assert r.status_code == 201, r.text
        checkin_id = r.json()["id"]
        # replayed with the same key: the same answer; another request under it: refused
        again = await _check_in(me.api, activity_id, body, key, request_id)
        assert (again.status_code, again.content) == (201, r.content)
        assert again.headers["Idempotent-Replayed"] == "true"
        other = await _check_in(me.api, activity_id, {**body, "accuracy_m": 99.0}, key, request_id)
        assert (other.status_code, other.json()["code"]) == (422, "idempotency_key_reused")
        # a second check-in without the key is a duplicate and writes nothing more
        dup = await me.api.post(f"/api/v1/activities/{activity_id}/checkins", json=body)
        assert (dup.status_code, dup.json()["code"]) == (409, "already_checked_in")
        rows = _rows(database, checkin_id, key)
        _assert_as_defined(rows, audited=True)
        names = {
            checkin_id: "<checkin>",
            activity_id: "<activity>",
            key: "<key>",
            request_id: "<request>",
        }
        written[path] = _comparable(_without_fingerprint(rows), names)
    assert written["fast"] == written["unit_of_work"]
    assert len(written["fast"]["idempotency"]) == 1
    assert written["fast"]["checkin"][0]["source"] == "self_qr"
    assert written["fast"]["outbox"][0]["organization_id"] == str(b.id)  # the organizer


async def test_marked_and_synced_checkins_write_the_defined_records(
    futian_world: World, database: DatabaseUrls, settings: Settings
) -> None:
    w = futian_world
    b = await w.branch(2)
    marked, synced = b.members
    assert synced.api is not None
    activity_id = await _activity(w.admin, b.id)
    r = await w.admin.post(
        f"/api/v1/activities/{activity_id}/checkins", json={"member_id": marked.member_id}
    )
    assert r.status_code == 201, r.text
    rows = _rows(database, r.json()["id"])
    _assert_as_defined(rows, audited=True)
    assert rows["checkin"][0]["source"] == "secretary"

    at = datetime.now(UTC) - timedelta(minutes=1)
    secret = settings.secret_bytes("checkin_secret")
    item = {
        "client_id": str(uuid.uuid4()),
        "activity_id": activity_id,
        "occurred_at": at.isoformat(),
        "token": mint_checkin_token(uuid.UUID(activity_id), secret=secret, now=at),
    }
    r = await synced.api.post("/api/v1/checkins/sync", json={"items": [item]})
    assert r.status_code == 200, r.text
    (result,) = r.json()["results"]
    assert result["outcome"] == "accepted", result
    rows = _rows(database, result["checkin_id"])
    _assert_as_defined(rows, audited=False)  # the batch is audited as `checkin.sync`
    assert rows["checkin"][0]["source"] == "offline_sync"
