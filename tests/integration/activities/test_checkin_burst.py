"""A whole branch checking in at once: check-ins written together, each with its own result.

Members' own check-ins that arrive together share a transaction (infra/activities/
fast_checkin.py). What a member sees must not depend on that: every check-in counts
once, retries with the same Idempotency-Key get the first answer, and one bad request
in the crowd spoils nobody else's.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg

from infra.db.bootstrap import DatabaseUrls, conninfo_of
from tests.conftest import Api
from tests.integration.activities.world import Person, World


async def _open_activity(w: World, org_id: str) -> tuple[str, str]:
    now = datetime.now(UTC)
    r = await w.admin.post(
        "/api/v1/activities",
        json={
            "kind": "theme_day",
            "organization_id": org_id,
            "title": "主题党日集中签到",
            "starts_at": (now - timedelta(minutes=5)).isoformat(),
            "ends_at": (now + timedelta(hours=2)).isoformat(),
        },
    )
    assert r.status_code == 201, r.text
    activity_id = str(r.json()["id"])
    token = await w.admin.get(f"/api/v1/activities/{activity_id}/checkin-token")
    assert token.status_code == 200, token.text
    return activity_id, str(token.json()["token"])


def _owner_rows(database: DatabaseUrls, query: str, *params: Any) -> list[tuple[Any, ...]]:
    with psycopg.connect(conninfo_of(database.admin)) as conn:
        conn.execute("SET ROLE zhibu_owner")
        return conn.execute(query, params).fetchall()


def _apis(people: list[Person]) -> list[Api]:
    apis = []
    for m in people:
        assert m.api is not None
        apis.append(m.api)
    return apis


async def test_a_branch_checking_in_at_once_counts_everyone_once(
    futian_world: World, database: DatabaseUrls
) -> None:
    w = futian_world
    b = await w.branch(16)
    activity_id, token = await _open_activity(w, b.id)
    url = f"/api/v1/activities/{activity_id}/checkins"
    apis = _apis(b.members)
    keys = ["burst-" + uuid.uuid4().hex for _ in apis]
    # Every phone sends its check-in twice at once (a retry on a flaky network), same key.
    answers = await asyncio.gather(
        *(
            api.post(url, json={"token": token}, headers={"Idempotency-Key": key})
            for api, key in zip(apis, keys, strict=True)
            for _ in range(2)
        )
    )
    for first, second in zip(answers[::2], answers[1::2], strict=True):
        assert (first.status_code, second.status_code) == (201, 201), (first.text, second.text)
        assert first.content == second.content
    by_member = {a.json()["member_id"] for a in answers}
    assert by_member == {m.member_id for m in b.members}

    att = (await w.admin.get(f"/api/v1/activities/{activity_id}/attendance")).json()
    assert (att["present"], att["absent"], att["expected"]) == (16, 0, 16)
    # One check-in, one outbox event and one audit event per member, and they were written
    # in fewer transactions than there were members: the crowd shared them.
    checkins = _owner_rows(
        database, "SELECT id, xmin::text FROM checkin WHERE activity_id = %s", activity_id
    )
    assert len(checkins) == 16
    assert len({xmin for _, xmin in checkins}) < 16
    ids = [str(i) for i, _ in checkins]
    (events,) = _owner_rows(
        database,
        "SELECT count(*) FROM outbox_event WHERE topic = 'checkin.recorded'"
        " AND payload->>'checkin_id' = ANY(%s)",
        ids,
    )
    (audits,) = _owner_rows(
        database,
        "SELECT count(*) FROM audit_event WHERE action = 'checkin.create'"
        " AND resource_id = ANY(%s)",
        ids,
    )
    assert (events[0], audits[0]) == (16, 16)


async def test_a_bad_check_in_in_a_crowd_spoils_nobody_elses(
    futian_world: World, database: DatabaseUrls
) -> None:
    w = futian_world
    b = await w.branch(8)
    stranger = await w.branch(1)  # a member of another branch: not on this roster
    activity_id, token = await _open_activity(w, b.id)
    _, other_token = await _open_activity(w, stranger.id)
    url = f"/api/v1/activities/{activity_id}/checkins"
    good = _apis(b.members[:6])
    (wrong_code,) = _apis(b.members[6:7])
    (far_away,) = _apis(b.members[7:8])
    (outsider,) = _apis(stranger.members)
    requests = [api.post(url, json={"token": token}) for api in good] + [
        wrong_code.post(url, json={"token": other_token}),  # another activity's code
        far_away.post(url, json={"token": token, "latitude": 91, "longitude": 0}),
        outsider.post(url, json={"token": token}),
        w.admin.post(url, json={"token": token}),  # staff account, no member record
    ]
    answers = await asyncio.gather(*requests)
    assert [a.status_code for a in answers[:6]] == [201] * 6, [a.text for a in answers]
    refused = [(a.status_code, a.json().get("code")) for a in answers[6:]]
    assert refused[0] == (422, "token_invalid")
    assert refused[1][0] == 400  # latitude out of range: refused before any rule
    assert refused[2] == (404, "activity_not_found")
    assert refused[3] == (403, "not_a_member")
    rows = _owner_rows(
        database, "SELECT member_id::text FROM checkin WHERE activity_id = %s", activity_id
    )
    assert {r[0] for r in rows} == {m.member_id for m in b.members[:6]}


async def test_one_key_for_two_activities_in_a_crowd_checks_in_once(
    futian_world: World, database: DatabaseUrls
) -> None:
    w = futian_world
    b = await w.branch(9)
    first, first_token = await _open_activity(w, b.id)
    second, second_token = await _open_activity(w, b.id)
    me, *others = _apis(b.members)
    key = "reused-" + uuid.uuid4().hex
    answers = await asyncio.gather(
        me.post(
            f"/api/v1/activities/{first}/checkins",
            json={"token": first_token},
            headers={"Idempotency-Key": key},
        ),
        me.post(
            f"/api/v1/activities/{second}/checkins",
            json={"token": second_token},
            headers={"Idempotency-Key": key},
        ),
        *(
            api.post(f"/api/v1/activities/{act}/checkins", json={"token": tok})
            for api in others
            for act, tok in ((first, first_token), (second, second_token))
        ),
    )
    mine = sorted((a.status_code, a.json().get("code")) for a in answers[:2])
    assert mine[0][0] == 201
    assert mine[1] == (422, "idempotency_key_reused")
    assert all(a.status_code == 201 for a in answers[2:]), [a.text for a in answers[2:]]
    rows = _owner_rows(
        database,
        "SELECT count(*) FROM checkin WHERE member_id = %s",
        b.members[0].member_id,
    )
    assert rows[0][0] == 1


async def test_a_crowd_whose_write_fails_is_written_again_one_by_one(
    futian_world: World, database: DatabaseUrls
) -> None:
    """A key taken by another request while the crowd's write waits for it.

    Two owner transactions stage it: one holds the activity row so that the first
    check-ins wait and the rest (mine among them) gather into one group; the other holds
    my Idempotency-Key, uncommitted, so that the group reads no stored response, then
    finds the key taken when it writes.
    """
    w = futian_world
    b = await w.branch(9)
    activity_id, token = await _open_activity(w, b.id)
    url = f"/api/v1/activities/{activity_id}/checkins"
    me, *others = _apis(b.members)
    key = "taken-" + uuid.uuid4().hex
    admin = conninfo_of(database.admin)
    with (
        psycopg.connect(admin) as gate,
        psycopg.connect(admin) as taker,
        psycopg.connect(admin, autocommit=True) as probe,
    ):
        for conn in (gate, taker):
            conn.execute("SET ROLE zhibu_owner")
        gate.execute(
            "SELECT 1 FROM activity WHERE tenant_id = %s AND id = %s FOR UPDATE",
            (w.tenant_id, activity_id),
        )
        taker.execute(
            "INSERT INTO idempotency_key (tenant_id, user_id, key, fingerprint)"
            " VALUES (%s, %s, %s, %s)",
            (w.tenant_id, b.members[0].user_id, key, b"another request"),
        )

        citus = probe.execute("SELECT 1 FROM pg_extension WHERE extname = 'citus'").fetchone()
        # On Citus the writers wait on the workers, where their statements are the shards'.
        waits = (
            "SELECT count(*) FROM citus_lock_waits"
            " WHERE blocked_statement LIKE '%%zhibu_record_self_checkins%%'"
            if citus
            else "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            " AND wait_event_type = 'Lock'"
            " AND query LIKE '%%zhibu_record_self_checkins%%'"
        )

        async def writers_waiting(at_least: int) -> None:
            for _ in range(750):  # 15 s at most
                (waiting,) = probe.execute(waits).fetchone()  # type: ignore[misc]
                if waiting >= at_least:
                    return
                await asyncio.sleep(0.02)
            raise AssertionError("no check-in waited")

        crowd = [asyncio.ensure_future(api.post(url, json={"token": token})) for api in others]
        await writers_waiting(1)  # the first groups wait for the activity row
        mine = asyncio.ensure_future(
            me.post(url, json={"token": token}, headers={"Idempotency-Key": key})
        )
        await asyncio.sleep(0.1)
        gate.commit()
        await writers_waiting(1)  # the next group, mine in it, waits for my key
        taker.commit()
    answers = await asyncio.gather(*crowd)
    assert [a.status_code for a in answers] == [201] * 8, [a.text for a in answers]
    refused = await mine
    assert (refused.status_code, refused.json()["code"]) == (422, "idempotency_key_reused")
    rows = _owner_rows(
        database, "SELECT member_id::text FROM checkin WHERE activity_id = %s", activity_id
    )
    assert {r[0] for r in rows} == {m.member_id for m in b.members[1:]}
