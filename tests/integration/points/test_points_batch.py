"""A relay round of mixed check-in events, booked at once: several members, a cap reached
inside the round, withdrawals after their check-ins in the same round.

The county's check-ins and withdrawals are made over HTTP while its rules earn nothing for
them (the app's relay books nothing); then a version that does is written, in force since
before them, and a second relay, beside the
app's and registered before the events, hands the points handler every one of them in one
round. Expectations are worked out by hand from the order of the events.
"""

from __future__ import annotations

import uuid
from typing import Any

import psycopg

from infra.db.bootstrap import DatabaseUrls, conninfo_of
from infra.db.session import Database
from infra.points import register_relay_handlers
from tests.integration.activities.test_evidence_relay import OwnRelay
from tests.integration.points.conftest import V1, County, Place, eventually, meeting_rules
from tests.integration.points.test_point_ledger import _caught_up, owner_rows
from tests.integration.test_outbox_relay import running

UPLOADS = {"effective_from": "2020-01-01", "base_score": 60,
           "items": [{"code": "upload", "name": "上传材料", "points": 1,
                      "source": "evidence_upload"}]}  # fmt: skip
THEME_DAY = {"code": "theme_day", "name": "参加主题党日", "points": 2, "source": "attendance",
             "activity_kind": "theme_day"}  # fmt: skip


async def withdraw(county: County, activity: str, checkin: str) -> None:
    r = await county.admin.delete(f"{V1}/activities/{activity}/checkins/{checkin}")
    assert r.status_code == 204, r.text


def ledger(database: DatabaseUrls, tenant_id: str) -> dict[str, list[tuple[Any, ...]]]:
    """Each member's entries in the order they were written: (kind, points, cause)."""
    rows = owner_rows(
        database,
        "SELECT member_id::text, kind, points, cause_id::text FROM point_entry"
        " WHERE tenant_id = %s ORDER BY id",
        tenant_id,
    )
    found: dict[str, list[tuple[Any, ...]]] = {}
    for member, kind, points, cause in rows:
        found.setdefault(member, []).append((kind, points, cause))
    return found


async def test_a_round_of_mixed_events_caps_and_reverses_in_event_order(
    place: Place, database: DatabaseUrls, settings: Any
) -> None:
    db = Database(settings.app_database_url or "", pool_size=2)
    relay = OwnRelay(
        db,
        conninfo_of(settings.app_database_url or ""),
        name=f"batch-{uuid.uuid4().hex[:8]}",
        poll_seconds=0.02,
        batch=5000,
    )
    register_relay_handlers(relay)  # its position: before the events below
    handler = f"{relay.name}/points.accrue_attendance"
    county = await place.county()
    assert (await county.rules(**UPLOADS)).status_code == 201
    branch = await county.world.branch(3)
    a, b, c = (m.member_id for m in branch.members)
    meetings = [await county.activity(branch.id) for _ in range(5)]
    theme_day = await county.activity(branch.id, "theme_day")
    # in this order: A's five meetings (the fifth over the cap of 12) with B's first meeting
    # among them, B's and C's theme day, A's second meeting and C's theme day withdrawn
    a1 = await county.mark(meetings[0], a)
    b1 = await county.mark(meetings[0], b)
    a2, a3, a4, a5 = [await county.mark(m, a) for m in meetings[1:]]
    b_theme = await county.mark(theme_day, b)
    c_theme = await county.mark(theme_day, c)
    await withdraw(county, meetings[1], a2)
    await withdraw(county, theme_day, c_theme)
    # the app's relay has seen every one of them under rules that earn nothing for them
    await eventually(
        lambda: _caught_up(database, county.id, "points.accrue_attendance"), lambda done: done
    )
    assert ledger(database, county.id) == {}
    rules = meeting_rules("2020-01-02")
    rules["items"].append(THEME_DAY)
    assert (await county.rules(**rules)).status_code == 201

    try:
        async with running(relay):
            await eventually(lambda: _caught_up(database, county.id, handler), lambda done: done)
        booked = ledger(database, county.id)
        assert booked == {
            a: [
                ("accrual", 3, a1),
                ("accrual", 3, a2),
                ("accrual", 3, a3),
                ("accrual", 3, a4),
                ("accrual", 0, a5),  # 12 reached inside the round
                ("reversal", -3, a2),
                ("adjustment", 3, a5),  # the cap applied again once a2 is withdrawn
            ],
            b: [("accrual", 3, b1), ("accrual", 2, b_theme)],
            c: [("accrual", 2, c_theme), ("reversal", -2, c_theme)],
        }
        # one round, one transaction: every entry was written by the same one
        written_by = owner_rows(
            database,
            "SELECT count(DISTINCT xmin::text) FROM point_entry WHERE tenant_id = %s",
            county.id,
        )
        assert written_by == [(1,)]
        balances = owner_rows(
            database,
            "SELECT member_id::text, points, entries FROM point_balance WHERE tenant_id = %s",
            county.id,
        )
        assert sorted(balances) == sorted([(a, 12, 7), (b, 5, 2), (c, 0, 2)])

        # the whole round handed over again adds nothing
        before = relay.rounds
        with psycopg.connect(conninfo_of(database.admin), autocommit=True) as conn:
            conn.execute(
                "UPDATE outbox_relay_position SET xid = %s::xid8, seq = 0 WHERE handler = %s",
                (relay.start_at, handler),
            )
        async with running(relay):
            await eventually(lambda: _rounds(relay), lambda n: n > before + 1)
    finally:
        await db.dispose()
    assert ledger(database, county.id) == booked
    r = await county.admin.post(f"{V1}/point-balances/recompute", json={})
    assert (r.json()["balances"], r.json()["mismatches"]) == (3, [])


async def _rounds(relay: OwnRelay) -> int:
    return relay.rounds
