"""The ledger, fed through the real outbox relay by the check-ins' events.

Check-ins are marked over HTTP; nothing here calls the points context's handler: the
app's relay hands it `checkin.recorded` and `checkin.withdrawn`, and the tests wait for
the ledger to show it. Caps, reversals, idempotence, stored balances and events.
"""

from __future__ import annotations

import uuid
from typing import Any

import psycopg

from infra.db.bootstrap import DatabaseUrls, conninfo_of
from tests.integration.points.conftest import V1, County, Place, eventually, meeting_rules


async def entries(county: County, member_id: str, **params: Any) -> list[dict[str, Any]]:
    r = await county.admin.get(f"{V1}/members/{member_id}/points", params=params)
    assert r.status_code == 200, r.text
    items: list[dict[str, Any]] = r.json()["items"]
    return items


async def summary(county: County, member_id: str, period: str = "") -> dict[str, Any]:
    from datetime import date

    r = await county.admin.get(
        f"{V1}/members/{member_id}/points/summary",
        params={"period": period or str(date.today().year)},
    )
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def owner_rows(database: DatabaseUrls, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    with psycopg.connect(conninfo_of(database.admin)) as conn:
        conn.execute("SET ROLE zhibu_owner")
        return conn.execute(sql, params).fetchall()


async def test_attendance_accrues_through_the_relay_within_the_cap(place: Place) -> None:
    county = await place.county()
    assert (await county.rules(**meeting_rules())).status_code == 201
    branch = await county.world.branch(1)
    member = branch.members[0].member_id
    for _ in range(5):
        await county.mark(await county.activity(branch.id), member)
    found = await eventually(lambda: entries(county, member), lambda e: len(e) == 5)
    assert sorted(e["points"] for e in found) == [0, 3, 3, 3, 3]  # the fifth is capped
    assert {(e["kind"], e["item_code"], e["rule_version"]) for e in found} == {
        ("accrual", "congress", 1)
    }
    assert found[0]["points"] == 0  # newest first: the last one arrived over the cap
    total = await summary(county, member)
    assert (total["base_score"], total["earned"], total["total"]) == (60, 12, 72)
    # another kind of activity earns nothing under this scheme
    await county.mark(await county.activity(branch.id, "theme_day"), member)
    await county.mark(await county.activity(branch.id), branch.members[0].member_id)
    found = await eventually(lambda: entries(county, member), lambda e: len(e) == 6)
    assert (await summary(county, member))["earned"] == 12


async def test_a_withdrawn_checkin_is_reversed_and_the_cap_applied_again(
    place: Place, database: DatabaseUrls
) -> None:
    county = await place.county()
    assert (await county.rules(**meeting_rules())).status_code == 201
    branch = await county.world.branch(1)
    member = branch.members[0].member_id
    marked = []
    for _ in range(5):
        activity = await county.activity(branch.id)
        marked.append((activity, await county.mark(activity, member)))
    await eventually(lambda: entries(county, member), lambda e: len(e) == 5)

    activity, checkin = marked[1]
    r = await county.admin.delete(f"{V1}/activities/{activity}/checkins/{checkin}")
    assert r.status_code == 204, r.text
    found = await eventually(lambda: entries(county, member), lambda e: len(e) == 7)
    newest = sorted(found[:2], key=lambda e: e["kind"])
    assert [(e["kind"], e["points"], e["cause_id"]) for e in newest] == [
        ("adjustment", 3, marked[4][1]),  # the fifth meeting now counts
        ("reversal", -3, checkin),
    ]
    assert (await summary(county, member))["earned"] == 12
    # the first entries were never edited
    assert sorted(e["points"] for e in found[2:]) == [0, 3, 3, 3, 3]

    rows = owner_rows(
        database,
        "SELECT topic, payload->>'kind', (payload->>'points')::int FROM outbox_event"
        " WHERE tenant_id = %s AND topic LIKE 'points.%%' AND aggregate_id = %s ORDER BY seq",
        county.id,
        member,
    )
    assert [r for r in rows if r[0] == "points.reversed"] == [("points.reversed", "reversal", -3)]
    assert sorted(r[2] for r in rows if r[0] == "points.awarded") == [3, 3, 3, 3, 3]


async def test_stored_balances_equal_their_entries_and_are_put_right(
    place: Place, database: DatabaseUrls
) -> None:
    county = await place.county()
    assert (await county.rules(**meeting_rules())).status_code == 201
    branch = await county.world.branch(2)
    for person in branch.members:
        await county.mark(await county.activity(branch.id), person.member_id)
    for person in branch.members:
        await eventually(lambda p=person: entries(county, p.member_id), lambda e: len(e) == 1)
    stored = owner_rows(
        database,
        "SELECT b.member_id, b.period, b.points, b.entries,"
        " (SELECT sum(points) FROM point_entry e WHERE e.tenant_id = b.tenant_id"
        "  AND e.member_id = b.member_id AND e.period = b.period)"
        " FROM point_balance b WHERE b.tenant_id = %s",
        county.id,
    )
    assert len(stored) == 2
    assert all(points == total for _, _, points, _, total in stored)

    r = await county.admin.post(f"{V1}/point-balances/recompute", json={})
    assert r.status_code == 200, r.text
    assert (r.json()["balances"], r.json()["mismatches"]) == (2, [])

    tampered = branch.members[0].member_id
    with psycopg.connect(conninfo_of(database.admin)) as conn:
        conn.execute("SET ROLE zhibu_owner")
        conn.execute(
            "UPDATE point_balance SET points = points + 5 WHERE tenant_id = %s AND member_id = %s",
            (county.id, tampered),
        )
    r = await county.admin.post(f"{V1}/point-balances/recompute", json={"tenant_id": county.id})
    assert [(m["member_id"], m["stored"], m["entries_sum"]) for m in r.json()["mismatches"]] == [
        (tampered, 8, 3)
    ]
    r = await county.admin.post(f"{V1}/point-balances/recompute", json={})
    assert r.json()["mismatches"] == []
    assert (await summary(county, tampered))["earned"] == 3


async def test_replaying_every_event_to_the_handler_adds_nothing(
    place: Place, database: DatabaseUrls, settings: Any
) -> None:
    """A second relay, beside the app's, hands the points handler the whole outbox again
    under another name (so the relay's own record of processed events does not stop it):
    the ledger must not change."""
    from infra.db.session import Database
    from infra.points import register_relay_handlers
    from tests.integration.activities.test_evidence_relay import OwnRelay
    from tests.integration.test_outbox_relay import running

    county = await place.county()
    assert (await county.rules(**meeting_rules())).status_code == 201
    branch = await county.world.branch(1)
    member = branch.members[0].member_id
    marked = []
    for _ in range(3):
        activity = await county.activity(branch.id)
        marked.append((activity, await county.mark(activity, member)))
    await county.admin.delete(f"{V1}/activities/{marked[0][0]}/checkins/{marked[0][1]}")
    before = await eventually(lambda: entries(county, member), lambda e: len(e) == 4)

    db = Database(settings.app_database_url or "", pool_size=2)
    relay = OwnRelay(
        db,
        conninfo_of(settings.app_database_url or ""),
        name=f"replay-{uuid.uuid4().hex[:8]}",
        poll_seconds=0.02,
    )
    # from the beginning of this county's events, not the suite's whole outbox
    register_relay_handlers(relay)
    handler = f"{relay.name}/points.accrue_attendance"
    with psycopg.connect(conninfo_of(database.admin), autocommit=True) as conn:
        conn.execute(
            "UPDATE outbox_relay_position SET xid = (SELECT min(xid) FROM outbox_event"
            " WHERE tenant_id = %s), seq = 0 WHERE handler = %s",
            (county.id, handler),
        )
    try:
        async with running(relay):
            await eventually(  # three check-ins and a withdrawal, all handed on again
                lambda: _caught_up(database, county.id, handler), lambda done: done
            )
    finally:
        await db.dispose()
    assert await entries(county, member) == before
    assert (await summary(county, member))["earned"] == 6


async def _caught_up(database: DatabaseUrls, tenant_id: str, handler: str) -> bool:
    """The handler's position has passed the tenant's last event."""
    rows = owner_rows(
        database,
        "SELECT (p.xid, p.seq) >= (e.xid, e.seq) FROM outbox_relay_position p,"
        " (SELECT xid, seq FROM outbox_event WHERE tenant_id = %s"
        "  ORDER BY xid DESC, seq DESC LIMIT 1) e WHERE p.handler = %s",
        tenant_id,
        handler,
    )
    return bool(rows and rows[0][0])
