"""Members' own check-ins while the database is unreachable: 503 for the whole group at
once (not one connection timeout after another), and check-in works again afterwards."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from infra.settings import Settings
from tests.conftest import Api
from tests.integration.activities.world import World
from tests.integration.test_outage import Relay, assert_unavailable, instance, through


async def test_a_crowd_checking_in_during_an_outage_gets_503_then_checks_in(
    futian_world: World, settings: Settings
) -> None:
    from api.app import create_app

    w = futian_world
    b = await w.branch(6)
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
    url = f"/api/v1/activities/{r.json()['id']}/checkins"

    relay = Relay(settings.app_database_url or "")
    await relay.start()
    async with instance(create_app(through(settings, relay))) as client:
        members = [Api(client, m.api.token, m.username or "") for m in b.members if m.api]
        r = await w.admin.get(url.replace("checkins", "checkin-token"))
        token = r.json()["token"]
        await relay.cut()
        answers = await asyncio.gather(*(m.post(url, json={"token": token}) for m in members))
        for answer in answers:
            assert_unavailable(answer)

        await relay.start()
        for _ in range(100):
            token = (await w.admin.get(url.replace("checkins", "checkin-token"))).json()["token"]
            r = await members[0].post(url, json={"token": token})
            if r.status_code != 503:
                break
            await asyncio.sleep(0.1)
        assert r.status_code == 201, r.text
    await relay.cut()
