"""Offline check-in sync: per-item results, replays and overlapping batches, concurrency."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from domain.activities import mint_checkin_token
from infra.settings import Settings
from tests.conftest import Api
from tests.integration.activities.world import World


async def _meeting(admin: Api, org_id: str, start: datetime, **extra: Any) -> dict[str, Any]:
    r = await admin.post(
        "/api/v1/activities",
        json={
            "kind": "group_meeting",
            "organization_id": org_id,
            "title": "党小组会",
            "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=2)).isoformat(),
            **extra,
        },
    )
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    assert (await admin.post(f"/api/v1/activities/{body['id']}/start")).status_code == 200
    return body


def _item(activity_id: str, at: datetime, secret: bytes, **extra: Any) -> dict[str, Any]:
    return {
        "client_id": str(uuid.uuid4()),
        "activity_id": activity_id,
        "occurred_at": at.isoformat(),
        "token": mint_checkin_token(uuid.UUID(activity_id), secret=secret, now=at),
        **extra,
    }


async def _attendance(admin: Api, activity_id: str) -> dict[str, str]:
    r = await admin.get(f"/api/v1/activities/{activity_id}/attendance")
    assert r.status_code == 200, r.text
    return {line["member_id"]: line["status"] for line in r.json()["lines"]}


async def test_each_item_gets_its_own_result(futian_world: World, settings: Settings) -> None:
    w = futian_world
    secret = settings.secret_bytes("checkin_secret")
    b = await w.branch(2)
    me = b.members[0]
    assert me.api is not None
    now = datetime.now(UTC)
    # Offline check-ins made this morning, scanned from the code on display at the time.
    morning = await _meeting(w.admin, b.id, now - timedelta(hours=3))
    during = now - timedelta(hours=2, minutes=50)
    later = await _meeting(w.admin, b.id, now - timedelta(minutes=20))
    other_branch = await w.branch(1)
    foreign = await _meeting(w.admin, other_branch.id, now - timedelta(hours=1))
    good = _item(morning["id"], during, secret)
    stale = _item(morning["id"], during, secret)
    stale["token"] = mint_checkin_token(
        uuid.UUID(morning["id"]), secret=secret, now=during - timedelta(minutes=5)
    )
    items = [
        good,
        {**good},  # the same item twice in one batch
        stale,  # a second check-in for the same meeting: duplicate after `good`
        _item(later["id"], now + timedelta(hours=1), secret),  # the phone's clock runs ahead
        _item(foreign["id"], now - timedelta(minutes=30), secret),  # not my branch
        _item(str(uuid.uuid4()), now, secret),  # no such activity
    ]
    r = await me.api.post("/api/v1/checkins/sync", json={"items": items})
    assert r.status_code == 200, r.text
    body = r.json()
    got = [(x["outcome"], x["code"]) for x in body["results"]]
    assert got == [
        ("accepted", "accepted"),
        ("accepted", "accepted"),
        ("duplicate", "duplicate"),
        ("rejected", "occurred_in_future"),
        ("rejected", "activity_not_found"),
        ("rejected", "activity_not_found"),
    ]
    assert body["results"][0]["checkin_id"] == body["results"][1]["checkin_id"]
    assert (body["accepted"], body["duplicate"], body["rejected"]) == (2, 1, 3)
    # The check-in counts at the time it happened, not at upload.
    rows = (await w.admin.get(f"/api/v1/activities/{morning['id']}/checkins")).json()
    assert len(rows) == 1
    assert rows[0]["source"] == "offline_sync"
    assert datetime.fromisoformat(rows[0]["occurred_at"]) == during


async def test_stale_code_rejected_offline(futian_world: World, settings: Settings) -> None:
    w = futian_world
    secret = settings.secret_bytes("checkin_secret")
    b = await w.branch(1)
    me = b.members[0]
    assert me.api is not None
    now = datetime.now(UTC)
    meeting = await _meeting(w.admin, b.id, now - timedelta(hours=1))
    item = _item(meeting["id"], now - timedelta(minutes=40), secret)
    # A photo of the code taken 5 minutes earlier, "scanned" later.
    item["token"] = mint_checkin_token(
        uuid.UUID(meeting["id"]), secret=secret, now=now - timedelta(minutes=45)
    )
    r = await me.api.post("/api/v1/checkins/sync", json={"items": [item]})
    assert r.json()["results"][0]["code"] == "token_expired"
    outside = _item(meeting["id"], now - timedelta(hours=3), secret)
    r = await me.api.post("/api/v1/checkins/sync", json={"items": [outside]})
    assert r.json()["results"][0]["code"] in ("outside_window", "activity_not_open")


async def test_replays_and_overlaps_give_the_same_attendance(
    futian_world: World, settings: Settings
) -> None:
    w = futian_world
    secret = settings.secret_bytes("checkin_secret")
    b = await w.branch(3)
    now = datetime.now(UTC)
    meetings = [await _meeting(w.admin, b.id, now - timedelta(hours=1)) for _ in range(3)]
    batches: dict[str, list[dict[str, Any]]] = {}
    for person in b.members:
        batches[person.member_id] = [
            _item(m["id"], now - timedelta(minutes=50 - i), secret) for i, m in enumerate(meetings)
        ]
    first: dict[str, Any] = {}
    for person in b.members:
        assert person.api is not None
        items = batches[person.member_id][:2]  # the first upload carries two
        r = await person.api.post("/api/v1/checkins/sync", json={"items": items})
        assert r.status_code == 200, r.text
        first[person.member_id] = r.json()["results"]
    before = [await _attendance(w.admin, m["id"]) for m in meetings]
    # Upload again: everything (overlapping the first upload), twice concurrently.
    again = []
    for person in b.members:
        assert person.api is not None
        body = {"items": batches[person.member_id]}
        again += [
            person.api.post("/api/v1/checkins/sync", json=body),
            person.api.post("/api/v1/checkins/sync", json=body),
        ]
    responses = await asyncio.gather(*again)
    for index, person in enumerate(b.members):
        for r in responses[2 * index : 2 * index + 2]:
            assert r.status_code == 200, r.text
            results = r.json()["results"]
            # Same client_id → same answer and the same check-in.
            assert results[:2] == first[person.member_id]
            assert results[2]["outcome"] == "accepted"
        a, c = (r.json()["results"][2] for r in responses[2 * index : 2 * index + 2])
        assert a["checkin_id"] == c["checkin_id"]
    after = [await _attendance(w.admin, m["id"]) for m in meetings]
    assert before[:2] == after[:2]
    for statuses in after:
        assert set(statuses.values()) == {"present"}
    for m in meetings:
        rows = (await w.admin.get(f"/api/v1/activities/{m['id']}/checkins")).json()
        assert len(rows) == 3


async def test_client_id_belongs_to_one_checkin(futian_world: World, settings: Settings) -> None:
    w = futian_world
    secret = settings.secret_bytes("checkin_secret")
    b = await w.branch(2)
    now = datetime.now(UTC)
    m1 = await _meeting(w.admin, b.id, now - timedelta(hours=1))
    m2 = await _meeting(w.admin, b.id, now - timedelta(hours=1))
    alice, bob = b.members
    assert alice.api is not None
    assert bob.api is not None
    item = _item(m1["id"], now - timedelta(minutes=30), secret)
    r = await alice.api.post("/api/v1/checkins/sync", json={"items": [item]})
    assert r.json()["results"][0]["outcome"] == "accepted"
    # Bob's phone happens to reuse the id, or Alice's reuses it for another meeting.
    r = await bob.api.post("/api/v1/checkins/sync", json={"items": [item]})
    assert r.json()["results"][0]["code"] == "client_id_conflict"
    reused = {
        **_item(m2["id"], now - timedelta(minutes=30), secret),
        "client_id": item["client_id"],
    }
    r = await alice.api.post("/api/v1/checkins/sync", json={"items": [reused]})
    assert r.json()["results"][0]["code"] == "client_id_conflict"
    assert (await _attendance(w.admin, m1["id"]))[bob.member_id] == "absent"


async def test_batch_limits_and_malformed_items(futian_world: World, settings: Settings) -> None:
    w = futian_world
    secret = settings.secret_bytes("checkin_secret")
    b = await w.branch(1)
    me = b.members[0]
    assert me.api is not None
    now = datetime.now(UTC)
    meeting = await _meeting(w.admin, b.id, now - timedelta(hours=1))
    too_many = [_item(meeting["id"], now, secret) for _ in range(501)]
    r = await me.api.post("/api/v1/checkins/sync", json={"items": too_many})
    assert r.status_code == 400
    r = await me.api.post("/api/v1/checkins/sync", json={"items": [{"client_id": "x"}]})
    assert r.status_code == 400
    naive = _item(meeting["id"], now, secret)
    naive["occurred_at"] = "2026-05-20T14:31:07"
    r = await me.api.post("/api/v1/checkins/sync", json={"items": [naive]})
    assert r.status_code in (200, 400)
    if r.status_code == 200:
        assert r.json()["results"][0]["code"] == "timezone_required"
    # A staff account with no member record has nothing to sync.
    r = await w.admin.post(
        "/api/v1/checkins/sync", json={"items": [_item(meeting["id"], now, secret)]}
    )
    assert (r.status_code, r.json()["code"]) == (403, "not_a_member")
