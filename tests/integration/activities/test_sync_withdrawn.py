"""A check-in the secretary removed stays removed when the phone uploads its batch again."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from infra.settings import Settings
from tests.integration.activities.test_sync import _attendance, _item, _meeting
from tests.integration.activities.world import World


async def test_a_replayed_withdrawn_checkin_is_answered_withdrawn_and_not_recorded(
    futian_world: World, settings: Settings
) -> None:
    w = futian_world
    secret = settings.secret_bytes("checkin_secret")
    b = await w.branch(1)
    (me,) = b.members
    assert me.api is not None
    now = datetime.now(UTC)
    meeting = await _meeting(w.admin, b.id, now - timedelta(hours=1))
    batch = {"items": [_item(meeting["id"], now - timedelta(minutes=40), secret)]}
    r = await me.api.post("/api/v1/checkins/sync", json=batch)
    (first,) = r.json()["results"]
    assert first["outcome"] == "accepted"
    url = f"/api/v1/activities/{meeting['id']}/checkins"
    r = await w.admin.delete(f"{url}/{first['checkin_id']}")
    assert r.status_code == 204, r.text
    for _ in range(2):
        r = await me.api.post("/api/v1/checkins/sync", json=batch)
        assert r.status_code == 200, r.text
        (again,) = r.json()["results"]
        assert (again["outcome"], again["code"]) == ("withdrawn", "withdrawn")
        assert again["checkin_id"] == first["checkin_id"]
        assert "撤销" in again["message"]
    assert (await w.admin.get(url)).json() == []
    assert (await _attendance(w.admin, meeting["id"]))[me.member_id] == "absent"
    # a check-in made afresh (a new client id) is judged as any other
    fresh = {"items": [_item(meeting["id"], now - timedelta(minutes=30), secret)]}
    r = await me.api.post("/api/v1/checkins/sync", json=fresh)
    assert r.json()["results"][0]["outcome"] == "accepted"
