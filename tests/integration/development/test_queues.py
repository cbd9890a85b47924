"""Queues per organization, rolled up the tree: what is due, overdue, and which notices run."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import Api
from tests.integration.development.helpers import (
    V1,
    create_applicant,
    evidence,
    meeting,
    org,
)

pytestmark = pytest.mark.asyncio(loop_scope="session")

TODAY = datetime.now(ZoneInfo("Asia/Shanghai")).date()


async def _apply(api: Api, branch_id: str, on: date, scan: str) -> dict:
    applicant = await create_applicant(api, branch_id)
    r = await api.post(
        f"{V1}/applicants/{applicant['id']}/steps/1",
        json={
            "occurred_on": on.isoformat(),
            "documents": [{"kind": "application_letter", "evidence_id": scan}],
        },
    )
    assert r.status_code == 201, r.text
    return dict(r.json()["applicant"])


async def test_overdue_talks_due_steps_and_open_notices_roll_up(futian: Api) -> None:
    committee = await org(futian, "party_committee", approval_authority=True)
    branch = await org(futian, "branch", committee["id"])
    scan = await evidence(futian, await meeting(futian, branch["id"], "theme_day", TODAY))
    late = await _apply(futian, branch["id"], TODAY - timedelta(days=40), scan)
    fresh = await _apply(futian, branch["id"], TODAY - timedelta(days=3), scan)
    assert late["overdue"] is True
    assert (fresh["overdue"], fresh["next_steps"]) == (False, [2])
    assert fresh["due_by"] is not None
    assert date.fromisoformat(fresh["due_by"]) >= TODAY

    # an activist whose notice runs past today
    applied = TODAY - timedelta(days=200)
    noticed = await _apply(futian, branch["id"], applied, scan)
    url = f"{V1}/applicants/{noticed['id']}/steps"
    r = await futian.post(
        f"{url}/2",
        json={
            "occurred_on": (applied + timedelta(days=10)).isoformat(),
            "documents": [{"kind": "talk_record", "evidence_id": scan}],
        },
    )
    assert r.status_code == 201, r.text
    selected_on = TODAY - timedelta(days=1)
    r = await futian.post(
        f"{url}/3",
        json={
            "occurred_on": selected_on.isoformat(),
            "documents": [{"kind": "recommendation", "evidence_id": scan}],
            "meeting_id": await meeting(futian, branch["id"], "committee_meeting", selected_on),
            "notice": {
                "starts_on": selected_on.isoformat(),
                "ends_on": (TODAY + timedelta(days=10)).isoformat(),
            },
        },
    )
    assert r.status_code == 201, r.text
    assert r.json()["applicant"]["possible_from"] == (TODAY + timedelta(days=11)).isoformat()

    rolled_up = {"organization_id": committee["id"], "include_descendants": "true"}
    r = await futian.get(f"{V1}/applicants", params={**rolled_up, "overdue": "true"})
    assert [a["id"] for a in r.json()["items"]] == [late["id"]]
    r = await futian.get(
        f"{V1}/applicants",
        params={**rolled_up, "due_by": (TODAY + timedelta(days=40)).isoformat()},
    )
    assert {a["id"] for a in r.json()["items"]} == {late["id"], fresh["id"]}
    r = await futian.get(f"{V1}/applicants", params={**rolled_up, "notice_open": "true"})
    assert [a["id"] for a in r.json()["items"]] == [noticed["id"]]
    r = await futian.get(
        f"{V1}/applicants", params={"organization_id": branch["id"], "overdue": "true"}
    )
    assert [a["id"] for a in r.json()["items"]] == [late["id"]]
