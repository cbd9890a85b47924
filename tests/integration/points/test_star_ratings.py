"""Member and branch stars over HTTP: runs as jobs, the appeal window (before, during,
after), publicity switched off by default, the next level's manual scores, a parent
tenant's aggregates and isolation between siblings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tests.conftest import Api
from tests.integration.points.conftest import V1, County, Place, eventually, meeting_rules
from tests.integration.points.test_point_awards import problem, secretary_of

THIS_YEAR = str(datetime.now(UTC).year)
THRESHOLDS = {
    "method": "thresholds",
    "bands": [
        {"stars": 5, "min_score": 63},
        {"stars": 4, "min_score": 61},
        {"stars": 3, "min_score": 60},
    ],
}


async def rated(county: County, api: Api | None = None, **body: Any) -> dict[str, Any]:
    """Queue a run and wait for its job to publish it."""
    r = await (api or county.admin).post(f"{V1}/star-ratings", json=body)
    assert r.status_code == 202, r.text
    run = r.json()
    assert (run["status"], run["period"]) == ("queued", body["period"])

    async def job() -> dict[str, Any]:
        found: dict[str, Any] = (await county.admin.get(f"{V1}/jobs/{run['job_id']}")).json()
        return found

    done = await eventually(job, lambda j: j["status"] not in ("queued", "running"))
    assert done["status"] == "succeeded", done
    published: dict[str, Any] = (
        await county.admin.get(f"{V1}/star-rating-runs/{run['id']}")
    ).json()
    assert published["status"] == "published", published
    return published


async def ratings(api: Api, **params: Any) -> list[dict[str, Any]]:
    r = await api.get(f"{V1}/star-ratings", params=params)
    assert r.status_code == 200, r.text
    items: list[dict[str, Any]] = r.json()["items"]
    return items


async def test_member_stars_drafts_appeals_and_privacy(place: Place) -> None:
    county = await place.county()
    assert (await county.rules(**meeting_rules())).status_code == 201
    branch = await county.world.branch(3)
    best, appellant, third = branch.members
    assert best.api is not None
    assert appellant.api is not None
    assert third.api is not None
    secretary = await secretary_of(county, branch.id)
    await county.mark(await county.activity(branch.id), best.member_id)
    url = f"{V1}/members/{best.member_id}/points/summary"
    await eventually(lambda: best.api.get(url), lambda r: r.json()["earned"] == 3)  # type: ignore[union-attr]

    run = await rated(county, subject="member", period=THIS_YEAR, scheme=THRESHOLDS)
    assert run["rated"] == 3
    assert run["distribution"] == {"1": 0, "2": 0, "3": 2, "4": 0, "5": 1}

    # a member sees their own star and the breakdown behind it, no rank (switch off)
    [mine] = await ratings(best.api, run_id=run["id"])
    assert (mine["stars"], mine["score"], mine["status"]) == (5, 63, "draft")
    assert mine["breakdown"] == {"base": 60, "items": {"congress": 3}}
    assert mine["rank"] is None
    # another member sees neither that rating nor any rank; the secretary sees the branch's
    problem(await appellant.api.get(f"{V1}/star-ratings/{mine['id']}"), 404,
            "star_rating_not_found")  # fmt: skip
    assert [r["subject_id"] for r in await ratings(appellant.api)] == [appellant.member_id]
    branch_view = await ratings(secretary, run_id=run["id"])
    assert len(branch_view) == 3
    assert {r["rank"] for r in branch_view} == {None}
    # aggregates for everyone in the organization: counts, never people
    r = await appellant.api.get(f"{V1}/star-rating-distribution", params={"period": THIS_YEAR})
    assert r.status_code == 200, r.text
    assert r.json()["organizations"] == [
        {"tenant_id": county.id, "organization_id": branch.id,
         "stars": {"1": 0, "2": 0, "3": 2, "4": 0, "5": 1}}
    ]  # fmt: skip

    # during the notice period: one appeal, by the member, decided by the branch
    [theirs] = await ratings(appellant.api, run_id=run["id"])
    appeals = f"{V1}/star-ratings/{theirs['id']}/appeals"
    problem(
        await third.api.post(appeals, json={"reason": "替他申诉"}), 404, "star_rating_not_found"
    )
    r = await appellant.api.post(appeals, json={"reason": "有两次请假未计入"})
    assert r.status_code == 201, r.text
    assert (r.json()["status"], r.json()["stars_before"]) == ("open", 3)
    problem(await appellant.api.post(appeals, json={"reason": "再诉"}), 409,
            "star_appeal_repeated")  # fmt: skip
    assert (await appellant.api.get(f"{V1}/star-ratings/{theirs['id']}")).json()[
        "status"
    ] == "appealed"
    decision = f"{appeals}/decision"
    problem(await appellant.api.post(decision, json={"outcome": "upheld", "stars": 5,
                                                      "reason": "自己改"}),
            403, "forbidden")  # fmt: skip
    r = await secretary.post(decision, json={"outcome": "upheld", "reason": "核实"})
    assert r.status_code == 422, r.text
    assert [e["field"] for e in r.json()["errors"]] == ["stars"]
    r = await secretary.post(decision, json={"outcome": "upheld", "stars": 4, "reason": "核实属实"})
    assert r.status_code == 200, r.text
    decided = r.json()
    assert (decided["stars"], decided["drafted_stars"], decided["status"]) == (4, 3, "draft")
    assert decided["appeal"]["decision_reason"] == "核实属实"
    problem(await secretary.post(decision, json={"outcome": "dismissed", "reason": "再决"}),
            409, "star_appeal_none_open")  # fmt: skip

    # before the notice begins: the member sees nothing yet, the branch sees it scheduled
    later = (datetime.now(UTC) + timedelta(days=2)).isoformat()
    early = await rated(county, subject="member", period="2025", publish_at=later)
    assert await ratings(appellant.api, run_id=early["id"]) == []
    scheduled = await ratings(secretary, run_id=early["id"])
    assert {r["status"] for r in scheduled} == {"scheduled"}
    problem(await appellant.api.post(f"{V1}/star-ratings/{scheduled[0]['id']}/appeals",
                                     json={"reason": "提前"}),
            404, "star_rating_not_found")  # fmt: skip

    # after the notice: the rating stands and no appeal is taken
    past = await rated(
        county, subject="member", period="2024", scheme={**THRESHOLDS, "notice_days": 0}
    )
    [standing] = await ratings(appellant.api, run_id=past["id"])
    assert standing["status"] == "standing"
    problem(await appellant.api.post(f"{V1}/star-ratings/{standing['id']}/appeals",
                                     json={"reason": "迟了"}),
            409, "star_appeal_closed")  # fmt: skip
    # one run per tenant, subject and period
    r = await county.admin.post(f"{V1}/star-ratings", json={"subject": "member", "period": "2024"})
    problem(r, 409, "star_run_exists")

    # the tenant switches rankings on: members see their organization's ratings and ranks
    r = await county.admin.patch(
        f"{V1}/tenants/{county.id}", json={"settings": {"rankings_enabled": True}}
    )
    assert r.status_code == 200, r.text
    peers = await ratings(appellant.api, run_id=run["id"])
    assert sorted(r["rank"] for r in peers) == [1, 2, 2]


async def test_branch_stars_with_manual_scores_history_and_isolation(place: Place) -> None:
    county = await place.county()
    sibling = await place.county()
    committee = await county.world.org("party_committee")
    strong = await county.world.branch(2, parent_id=committee)
    weak = await county.world.branch(1, parent_id=committee)
    strong_secretary = await secretary_of(county, strong.id)
    committee_secretary = await secretary_of(county, committee)

    score = {"organization_id": strong.id, "period": THIS_YEAR, "indicator": "innovation",
             "score": 10, "reason": "党建+乡村振兴项目"}  # fmt: skip
    # a branch never scores itself; the next level up does
    problem(await strong_secretary.request("PUT", f"{V1}/star-scores", json=score), 403,
            "star_score_next_level")  # fmt: skip
    r = await committee_secretary.request("PUT", f"{V1}/star-scores", json=score)
    assert r.status_code == 200, r.text
    r = await committee_secretary.request(
        "PUT", f"{V1}/star-scores", json={**score, "indicator": "attendance_rate"}
    )
    assert r.status_code == 422, r.text
    assert [e["field"] for e in r.json()["errors"]] == ["indicator"]

    # records: the strong branch held a congress that one of its two members attended
    activity = await county.activity(strong.id)
    await county.mark(activity, strong.members[0].member_id)
    r = await county.admin.post(f"{V1}/activities/{activity}/finish")
    assert r.status_code == 200, r.text

    scheme = {
        "method": "thresholds",
        "bands": [{"stars": 5, "min_score": 30}, {"stars": 4, "min_score": 20},
                  {"stars": 2, "min_score": 5}],
        "five_star_requires": "innovation",
        "indicators": [{"code": "attendance_rate", "weight": 20},
                       {"code": "evidence_completeness", "weight": 10},
                       {"code": "innovation", "weight": 10, "manual": True}],
    }  # fmt: skip
    before = await rated(county, subject="branch", period="2025", scheme=scheme)
    assert before["rated"] == 2
    run = await rated(county, subject="branch", period=THIS_YEAR, scheme=scheme)
    by_branch = {r["subject_id"]: r for r in await ratings(committee_secretary, run_id=run["id"])}
    good = by_branch[strong.id]
    assert good["breakdown"]["indicators"]["attendance_rate"] == {
        "weight": 20, "value": 0.5, "points": 10.0}  # fmt: skip
    assert good["breakdown"]["indicators"]["innovation"] == {"weight": 10, "points": 10.0}
    assert (good["score"], good["stars"], good["rank"]) == (20, 4, 1)
    assert (good["previous_stars"], good["movement"]) == (1, "up")
    assert (by_branch[weak.id]["stars"], by_branch[weak.id]["movement"]) == (1, "same")
    # history: a branch's ratings across periods
    history = await ratings(strong_secretary, subject_id=strong.id)
    assert sorted(r["period"] for r in history) == ["2025", THIS_YEAR]
    # the branch's secretary sees their branch, not its sibling
    problem(await strong_secretary.get(f"{V1}/star-ratings/{by_branch[weak.id]['id']}"), 404,
            "star_rating_not_found")  # fmt: skip

    # the parent tenant reads its children's aggregates; a sibling tenant reads nothing
    _, city_admin = await place.city()
    params = {"period": THIS_YEAR, "subject": "branch", "tenant_id": county.id}
    r = await city_admin.get(f"{V1}/star-rating-distribution", params=params)
    assert r.status_code == 200, r.text
    assert {o["organization_id"]: o["stars"]["4"] for o in r.json()["organizations"]} == {
        strong.id: 1, weak.id: 0}  # fmt: skip
    r = await sibling.admin.get(f"{V1}/star-rating-distribution", params=params)
    assert r.json()["organizations"] == []
    problem(await sibling.admin.get(f"{V1}/star-ratings/{good['id']}"), 404,
            "star_rating_not_found")  # fmt: skip
    problem(await sibling.admin.get(f"{V1}/star-rating-runs/{run['id']}"), 404,
            "star_run_not_found")  # fmt: skip
    assert await ratings(sibling.admin) == []
