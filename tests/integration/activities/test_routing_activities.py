"""A county's activity, check-in and evidence requests touch one shard on Citus (see
tests/integration/test_routing.py for how the statements are captured and judged)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bench.shards import statements_in_scope
from infra.db.bootstrap import DatabaseUrls
from tests.integration.activities.world import World
from tests.integration.test_routing import FUTIAN_PATH, assert_routed


async def test_an_activity_its_checkins_and_evidence_touch_one_shard(
    futian_world: World, database: DatabaseUrls
) -> None:
    w = futian_world
    b = await w.branch(2)
    now = datetime.now(UTC)
    r = await w.admin.post(
        "/api/v1/activities",
        json={
            "kind": "theme_day",
            "organization_id": b.id,
            "title": "主题党日",
            "starts_at": (now - timedelta(minutes=5)).isoformat(),
            "ends_at": (now + timedelta(hours=2)).isoformat(),
        },
    )
    assert r.status_code == 201, r.text
    act = r.json()["id"]
    with statements_in_scope(FUTIAN_PATH) as statements:
        r = await w.admin.get(f"/api/v1/activities/{act}")
        assert r.status_code == 200, r.text
        r = await w.admin.post(
            f"/api/v1/activities/{act}/checkins", json={"member_id": b.members[0].member_id}
        )
        assert r.status_code == 201, r.text
        for listing in ("checkins", "evidence"):
            r = await w.admin.get(f"/api/v1/activities/{act}/{listing}")
            assert r.status_code == 200, r.text
    assert any(" checkin" in sql for sql, _ in statements)
    await assert_routed(database, FUTIAN_PATH, w.tenant_id, statements)
