"""Check-in through HTTP: QR tokens, geofence, time window, secretary marks, idempotency."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg

from domain.activities import TOKEN_STEP_SECONDS, mint_checkin_token
from infra.db.bootstrap import DatabaseUrls, conninfo_of
from infra.settings import Settings
from tests.conftest import Api
from tests.integration.activities.world import World


def _iso(t: datetime) -> str:
    return t.isoformat()


async def _activity(
    admin: Api, org_id: str, *, start: timedelta = timedelta(minutes=-5), **extra: Any
) -> dict[str, Any]:
    now = datetime.now(UTC)
    body: dict[str, Any] = {
        "kind": "theme_day",
        "organization_id": org_id,
        "title": "主题党日",
        "starts_at": _iso(now + start),
        "ends_at": _iso(now + start + timedelta(hours=2)),
        **extra,
    }
    r = await admin.post("/api/v1/activities", json=body)
    assert r.status_code == 201, r.text
    return dict(r.json())


async def _token(admin: Api, activity_id: str) -> str:
    r = await admin.get(f"/api/v1/activities/{activity_id}/checkin-token")
    assert r.status_code == 200, r.text
    return str(r.json()["token"])


async def test_member_checks_in_with_the_current_code(futian_world: World) -> None:
    w = futian_world
    b = await w.branch(3)
    act = await _activity(w.admin, b.id)
    assert act["expected_count"] == 3
    assert act["status"] == "planned"
    token = await _token(w.admin, act["id"])
    me = b.members[0]
    assert me.api is not None
    r = await me.api.post(f"/api/v1/activities/{act['id']}/checkins", json={"token": token})
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["member_id"] == me.member_id
    assert body["source"] == "self_qr"
    # Checking in twice is refused as a duplicate, and nothing is counted twice.
    again = await me.api.post(f"/api/v1/activities/{act['id']}/checkins", json={"token": token})
    assert again.status_code == 409
    assert again.json()["code"] == "already_checked_in"
    att = (await w.admin.get(f"/api/v1/activities/{act['id']}/attendance")).json()
    assert (att["present"], att["absent"], att["expected"]) == (1, 2, 3)


async def _well_inside_a_step() -> datetime:
    """Now, or the start of the next 30 s step when this one ends within 5 s, so that a
    code minted for the step before is still one step old when the server checks it."""
    now = datetime.now(UTC)
    left = TOKEN_STEP_SECONDS - now.timestamp() % TOKEN_STEP_SECONDS
    if left < 5:
        await asyncio.sleep(left)
        now = datetime.now(UTC)
    return now


async def test_refused_codes(futian_world: World, settings: Settings) -> None:
    w = futian_world
    b = await w.branch(2)
    act = await _activity(w.admin, b.id)
    other = await _activity(w.admin, b.id)
    me = b.members[0]
    assert me.api is not None
    url = f"/api/v1/activities/{act['id']}/checkins"
    secret = settings.secret_bytes("checkin_secret")
    now = datetime.now(UTC)
    cases = {
        "token_required": None,
        "token_invalid": await _token(w.admin, other["id"]),  # another activity's code
        "token_expired": mint_checkin_token(
            uuid.UUID(act["id"]), secret=secret, now=now - timedelta(seconds=2 * TOKEN_STEP_SECONDS)
        ),
    }
    good = await _token(w.admin, act["id"])
    tampered = good[:-2] + ("AA" if not good.endswith("AA") else "BB")
    for expected, token in [*cases.items(), ("token_invalid", tampered)]:
        body = {} if token is None else {"token": token}
        r = await me.api.post(url, json=body)
        assert r.status_code == 422, (expected, r.text)
        assert r.json()["code"] == expected
    # A code one step old (rotated while the camera focused) still works.
    now = await _well_inside_a_step()
    previous = mint_checkin_token(
        uuid.UUID(act["id"]), secret=secret, now=now - timedelta(seconds=TOKEN_STEP_SECONDS)
    )
    r = await me.api.post(url, json={"token": previous})
    assert r.status_code == 201, r.text


async def test_geofence(futian_world: World) -> None:
    w = futian_world
    b = await w.branch(1)
    act = await _activity(
        w.admin,
        b.id,
        qr_required=False,
        geofence_enabled=True,
        latitude=22.5431,
        longitude=114.0579,
        radius_m=200,
    )
    me = b.members[0]
    assert me.api is not None
    url = f"/api/v1/activities/{act['id']}/checkins"
    r = await me.api.post(url, json={})
    assert (r.status_code, r.json()["code"]) == (422, "location_required")
    far = await me.api.post(url, json={"latitude": 22.5531, "longitude": 114.0579})
    assert (far.status_code, far.json()["code"]) == (422, "outside_geofence")
    near = await me.api.post(url, json={"latitude": 22.5440, "longitude": 114.0579})
    assert near.status_code == 201, near.text
    assert near.json()["source"] == "self"
    assert 90 < near.json()["distance_m"] < 110


async def test_geofence_needs_a_place(futian_world: World) -> None:
    w = futian_world
    b = await w.branch(0)
    now = datetime.now(UTC)
    r = await w.admin.post(
        "/api/v1/activities",
        json={
            "kind": "study",
            "organization_id": b.id,
            "title": "学习",
            "starts_at": _iso(now),
            "ends_at": _iso(now + timedelta(hours=1)),
            "geofence_enabled": True,
        },
    )
    assert r.status_code == 422
    assert r.json()["code"] == "geofence_needs_place"


async def test_time_window(futian_world: World) -> None:
    w = futian_world
    b = await w.branch(1)
    me = b.members[0]
    assert me.api is not None
    # Not open yet: starts in three hours (the window opens 30 minutes before by default).
    later = await _activity(w.admin, b.id, start=timedelta(hours=3), qr_required=False)
    r = await me.api.post(f"/api/v1/activities/{later['id']}/checkins", json={})
    assert (r.status_code, r.json()["code"]) == (422, "activity_not_open")
    # Opens earlier when the activity says so.
    early = await _activity(
        w.admin, b.id, start=timedelta(minutes=50), qr_required=False, window_minutes=60
    )
    r = await me.api.post(f"/api/v1/activities/{early['id']}/checkins", json={})
    assert r.status_code == 201, r.text
    # Over: ended more than the grace period ago, though never marked finished.
    past = await _activity(w.admin, b.id, start=timedelta(hours=-5), qr_required=False)
    assert (await w.admin.post(f"/api/v1/activities/{past['id']}/start")).status_code == 200
    r = await me.api.post(f"/api/v1/activities/{past['id']}/checkins", json={})
    assert (r.status_code, r.json()["code"]) == (422, "outside_window")
    # The secretary may still record attendance afterwards (补录).
    r = await w.admin.post(
        f"/api/v1/activities/{past['id']}/checkins", json={"member_id": me.member_id}
    )
    assert r.status_code == 201, r.text
    assert r.json()["source"] == "secretary"


async def test_secretary_marks_and_not_on_roster(futian_world: World) -> None:
    w = futian_world
    b = await w.branch(2)
    act = await _activity(w.admin, b.id)
    url = f"/api/v1/activities/{act['id']}/checkins"
    outsider = await w.person(b.id)  # joined the branch after the activity was planned
    assert outsider.api is not None
    token = await _token(w.admin, act["id"])
    r = await outsider.api.post(url, json={"token": token})
    assert (r.status_code, r.json()["code"]) == (422, "not_on_roster")
    # The secretary adds them to the list; then they can check in.
    added = await w.admin.post(
        f"/api/v1/activities/{act['id']}/attendees", json={"member_id": outsider.member_id}
    )
    assert added.status_code == 201, added.text
    assert outsider.member_id in {a["member_id"] for a in added.json()}
    r = await outsider.api.post(url, json={"token": token})
    assert r.status_code == 201, r.text
    # A member cannot mark someone else.
    peer = b.members[0]
    assert peer.api is not None
    r = await peer.api.post(url, json={"member_id": b.members[1].member_id})
    assert r.status_code == 403
    r = await w.admin.post(url, json={"member_id": b.members[1].member_id})
    assert r.status_code == 201
    att = (await w.admin.get(f"/api/v1/activities/{act['id']}/attendance")).json()
    assert (att["expected"], att["present"], att["absent"]) == (3, 2, 1)


async def test_self_checkin_required_setting_refuses_marks(
    futian_world: World, city: Api, tenant_ids: dict[str, str]
) -> None:
    w = futian_world
    b = await w.branch(1)
    act = await _activity(w.admin, b.id)
    tenant = tenant_ids["440304"]
    r = await city.patch(
        f"/api/v1/tenants/{tenant}", json={"settings": {"self_checkin_required": True}}
    )
    assert r.status_code == 200, r.text
    try:
        r = await w.admin.post(
            f"/api/v1/activities/{act['id']}/checkins", json={"member_id": b.members[0].member_id}
        )
        assert (r.status_code, r.json()["code"]) == (422, "self_checkin_required")
    finally:
        r = await city.patch(f"/api/v1/tenants/{tenant}", json={"settings": {}})
        assert r.status_code == 200


async def test_idempotency_key_replays_the_first_response(futian_world: World) -> None:
    w = futian_world
    b = await w.branch(1)
    act = await _activity(w.admin, b.id)
    me = b.members[0]
    assert me.api is not None
    token = await _token(w.admin, act["id"])
    headers = {"Idempotency-Key": "ck-" + uuid.uuid4().hex}
    url = f"/api/v1/activities/{act['id']}/checkins"
    first = await me.api.post(url, json={"token": token}, headers=headers)
    assert first.status_code == 201, first.text
    replay = await me.api.post(url, json={"token": token}, headers=headers)
    assert replay.status_code == 201
    assert replay.content == first.content
    assert replay.headers.get("idempotent-replayed") == "true"
    # The same key with a different body is refused.
    other = await me.api.post(url, json={"token": token, "accuracy_m": 5}, headers=headers)
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_key_reused"
    checkins = (await w.admin.get(f"/api/v1/activities/{act['id']}/checkins")).json()
    assert len(checkins) == 1


async def test_cancelled_activity_refuses_checkins(futian_world: World) -> None:
    w = futian_world
    b = await w.branch(1)
    act = await _activity(w.admin, b.id, qr_required=False)
    r = await w.admin.post(f"/api/v1/activities/{act['id']}/cancel", json={"reason": ""})
    assert r.status_code == 400
    r = await w.admin.post(f"/api/v1/activities/{act['id']}/cancel", json={"reason": "台风停工"})
    assert r.status_code == 200, r.text
    assert r.json()["cancel_reason"] == "台风停工"
    me = b.members[0]
    assert me.api is not None
    r = await me.api.post(f"/api/v1/activities/{act['id']}/checkins", json={})
    assert (r.status_code, r.json()["code"]) == (422, "activity_not_open")
    r = await w.admin.post(f"/api/v1/activities/{act['id']}/start")
    assert (r.status_code, r.json()["code"]) == (409, "invalid_transition")


async def test_a_self_checkin_commits_its_audit_and_outbox_events(
    futian_world: World, database: DatabaseUrls
) -> None:
    w = futian_world
    b = await w.branch(1)
    act = await _activity(w.admin, b.id)
    me = b.members[0]
    assert me.api is not None
    request_id = "ck-audit-" + uuid.uuid4().hex[:12]
    r = await me.api.post(
        f"/api/v1/activities/{act['id']}/checkins",
        json={"token": await _token(w.admin, act["id"])},
        headers={"X-Request-ID": request_id},
    )
    assert r.status_code == 201, r.text
    events = await w.admin.get("/api/v1/audit-events", params={"action": "checkin.create"})
    mine = [e for e in events.json()["items"] if e["request_id"] == request_id]
    assert [e["resource_id"] for e in mine] == [r.json()["id"]]
    with psycopg.connect(conninfo_of(database.admin)) as conn:
        conn.execute("SET ROLE zhibu_owner")
        row = conn.execute(
            "SELECT payload->>'checkin_id' FROM outbox_event WHERE topic = 'checkin.recorded'"
            " AND payload->>'checkin_id' = %s",
            (r.json()["id"],),
        ).fetchone()
    assert row is not None
    # A second attempt is refused and leaves no second event behind.
    again = await me.api.post(
        f"/api/v1/activities/{act['id']}/checkins",
        json={"token": await _token(w.admin, act["id"])},
    )
    assert again.status_code in (409, 422)
    with psycopg.connect(conninfo_of(database.admin)) as conn:
        conn.execute("SET ROLE zhibu_owner")
        (count,) = conn.execute(
            "SELECT count(*) FROM outbox_event WHERE topic = 'checkin.recorded'"
            " AND payload->>'activity_id' = %s",
            (act["id"],),
        ).fetchone()  # type: ignore[misc]
    assert count == 1


async def test_concurrent_checkins_of_one_member_count_once_and_release_the_loser_key(
    futian_world: World,
) -> None:
    w = futian_world
    b = await w.branch(1)
    act = await _activity(w.admin, b.id)
    me = b.members[0]
    assert me.api is not None
    url = f"/api/v1/activities/{act['id']}/checkins"
    token = await _token(w.admin, act["id"])
    keys = ["race-a-" + uuid.uuid4().hex, "race-b-" + uuid.uuid4().hex]
    answers = await asyncio.gather(
        *(me.api.post(url, json={"token": token}, headers={"Idempotency-Key": k}) for k in keys)
    )
    assert sorted(a.status_code for a in answers)[0] == 201
    assert sum(a.status_code == 201 for a in answers) == 1
    loser = next(k for k, a in zip(keys, answers, strict=True) if a.status_code != 201)
    retry = await me.api.post(url, json={"token": token}, headers={"Idempotency-Key": loser})
    assert retry.status_code != 201
    assert retry.json()["code"] != "idempotency_in_flight"
    checkins = (await w.admin.get(url)).json()
    assert len(checkins) == 1
