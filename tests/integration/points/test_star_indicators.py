"""The measured indicators of a branch star run agree with the records they summarize:
meeting compliance with the compliance calendar each branch shows, over joint, cancelled
and boundary-time meetings and a branch set up during the year."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from tests.conftest import Api
from tests.integration.points.conftest import V1, Place
from tests.integration.points.test_star_ratings import rated, ratings

SHANGHAI = ZoneInfo("Asia/Shanghai")
LAST_YEAR = datetime.now(SHANGHAI).year - 1


async def _held(admin: Api, org_id: str, kind: str, start: datetime, **extra: Any) -> str:
    r = await admin.post(
        f"{V1}/activities",
        json={
            "kind": kind,
            "organization_id": org_id,
            "title": f"{kind} {start:%Y-%m-%d %H:%M}",
            "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=1)).isoformat(),
            **extra,
        },
    )
    assert r.status_code == 201, r.text
    activity_id = str(r.json()["id"])
    assert (await admin.post(f"{V1}/activities/{activity_id}/start")).status_code == 200
    assert (await admin.post(f"{V1}/activities/{activity_id}/finish")).status_code == 200
    return activity_id


def _day(month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(LAST_YEAR, month, day, hour, minute, tzinfo=SHANGHAI)


async def _calendar_share(admin: Api, org_id: str) -> float:
    """Held periods over owed ones in the branch's compliance calendar for last year; the
    year's last period of a kind is owed only once held, as a run counts it."""
    r = await admin.get(f"{V1}/organizations/{org_id}/compliance", params={"year": LAST_YEAR})
    assert r.status_code == 200, r.text
    held = owed = 0
    for kind in r.json()["kinds"]:
        statuses = [p["status"] for p in kind["periods"]]
        if statuses and statuses[-1] != "held":
            statuses = statuses[:-1]
        held += statuses.count("held")
        owed += len(statuses)
    return held / owed if owed else 1.0


async def test_meeting_compliance_is_the_calendars_share_of_periods_held(place: Place) -> None:
    county = await place.county()
    admin = county.admin
    committee = await county.world.org("party_committee")
    founded = date(LAST_YEAR - 3, 7, 1)
    diligent = await county.world.branch(0, parent_id=committee, established_on=founded)
    patchy = await county.world.branch(0, parent_id=committee, established_on=founded)
    late = await county.world.branch(0, parent_id=committee, established_on=date(LAST_YEAR, 8, 20))
    idle = await county.world.branch(0, parent_id=committee, established_on=founded)

    for month in (1, 2, 3, 12):
        await _held(admin, diligent.id, "committee_meeting", _day(month, 10))
    await _held(admin, diligent.id, "party_lecture", _day(6, 30))
    await _held(admin, diligent.id, "branch_congress", _day(11, 15))
    # 00:30 on 1 April in Shanghai is still 31 March in UTC: April and Q2 hold it
    await _held(admin, patchy.id, "committee_meeting", _day(3, 15))
    await _held(admin, patchy.id, "committee_meeting", _day(4, 1, 0, 30))
    await _held(admin, patchy.id, "branch_congress", _day(2, 15))
    await _held(admin, patchy.id, "branch_congress", _day(4, 1, 0, 30))
    # a joint 主题党日 counts for the branch set up in August too; so does its August
    # congress, held before the day it was established but in the same quarter
    await _held(admin, patchy.id, "theme_day", _day(9, 1), joint_organization_ids=[late.id])
    await _held(admin, late.id, "branch_congress", _day(8, 2))
    # a cancelled meeting never counts
    r = await admin.post(
        f"{V1}/activities",
        json={"kind": "committee_meeting", "organization_id": idle.id, "title": "取消的支委会",
              "starts_at": _day(5, 6).isoformat(), "ends_at": _day(5, 6, 10).isoformat()},
    )  # fmt: skip
    assert r.status_code == 201, r.text
    cancelled = r.json()["id"]
    r = await admin.post(f"{V1}/activities/{cancelled}/cancel", json={"reason": "改期"})
    assert r.status_code == 200, r.text

    scheme = {
        "method": "thresholds",
        "bands": [{"stars": 5, "min_score": 90}, {"stars": 3, "min_score": 10}],
        "indicators": [{"code": "meeting_compliance", "weight": 100}],
    }
    run = await rated(county, subject="branch", period=str(LAST_YEAR), scheme=scheme)
    measured = {
        r["subject_id"]: r["breakdown"]["indicators"]["meeting_compliance"]["value"]
        for r in await ratings(admin, run_id=run["id"])
    }
    expected = {b.id: round(await _calendar_share(admin, b.id), 4)
                for b in (diligent, patchy, late, idle)}  # fmt: skip
    assert measured == expected
    assert len(set(expected.values())) == 4, expected  # the four differ: each case counts
    assert expected[idle.id] == 0.0
