"""Manual awards with maker–checker, and who sees whose points (rankings switch off)."""

from __future__ import annotations

from typing import Any

from tests.conftest import Api, login
from tests.integration.activities.world import PASSWORD, Person
from tests.integration.points.conftest import V1, County, Place, eventually, meeting_rules


async def secretary_of(county: County, org_id: str, person: Person | None = None) -> Api:
    """An org_secretary of `org_id`: the member `person`'s own account, or a new one."""
    if person is not None:
        assert person.user_id is not None
        assert person.api is not None
        user_id, api = person.user_id, person.api
    else:
        user_id, username = await county.world.user()
        api = await login(county.world.http, username, PASSWORD)
    r = await county.admin.post(
        f"{V1}/role-assignments",
        json={"user_id": user_id, "role": "org_secretary", "organization_id": org_id},
    )
    assert r.status_code == 201, r.text
    return api


def problem(r: Any, status: int, code: str) -> None:
    assert r.status_code == status, r.text
    assert r.json()["code"] == code, r.text


async def test_a_branch_proposes_and_the_next_level_up_decides(place: Place) -> None:
    county = await place.county()
    committee = await county.world.org("party_committee")
    branch = await county.world.branch(3, parent_id=committee)
    target, secretary_member, other = branch.members
    branch_secretary = await secretary_of(county, branch.id, secretary_member)
    committee_secretary = await secretary_of(county, committee)
    assert target.api is not None
    assert other.api is not None

    r = await branch_secretary.post(
        f"{V1}/point-awards",
        json={"member_id": target.member_id, "points": 5, "reason": "抗洪抢险表现突出"},
    )
    assert r.status_code == 201, r.text
    award = r.json()
    assert award["status"] == "proposed"
    # the branch cannot approve its own proposal: that is the next level's decision
    problem(await branch_secretary.post(f"{V1}/point-awards/{award['id']}/approve", json={}),
            403, "forbidden")  # fmt: skip
    r = await committee_secretary.post(
        f"{V1}/point-awards/{award['id']}/approve", json={"reason": "同意"}
    )
    assert r.status_code == 200, r.text
    assert (r.json()["status"], r.json()["decision_reason"]) == ("approved", "同意")
    problem(await committee_secretary.post(f"{V1}/point-awards/{award['id']}/refuse", json={}),
            409, "point_award_decided")  # fmt: skip

    # in the ledger at once (same transaction as the approval), visible to the member
    mine = (await target.api.get(f"{V1}/members/{target.member_id}/points")).json()["items"]
    assert [(e["kind"], e["points"], e["cause_id"]) for e in mine] == [("award", 5, award["id"])]
    listed = (await target.api.get(f"{V1}/point-awards")).json()["items"]
    assert [(a["id"], a["reason"]) for a in listed] == [(award["id"], "抗洪抢险表现突出")]
    assert (await other.api.get(f"{V1}/point-awards")).json()["items"] == []

    # nobody proposes for themselves, nor approves their own proposal
    problem(
        await branch_secretary.post(
            f"{V1}/point-awards",
            json={"member_id": secretary_member.member_id, "points": 3, "reason": "自评"},
        ),
        403,
        "point_award_own",
    )
    r = await committee_secretary.post(
        f"{V1}/point-awards",
        json={"member_id": other.member_id, "points": -2, "reason": "无故缺席两次"},
    )
    assert r.status_code == 201, r.text
    own = r.json()["id"]
    problem(await committee_secretary.post(f"{V1}/point-awards/{own}/approve", json={}),
            403, "point_award_own")  # fmt: skip
    r = await county.admin.post(f"{V1}/point-awards/{own}/refuse", json={"reason": "情况不实"})
    assert r.json()["status"] == "refused"
    assert (await other.api.get(f"{V1}/members/{other.member_id}/points")).json()["items"] == []
    # a deduction's reason is refused blank, field by field
    r = await branch_secretary.post(
        f"{V1}/point-awards", json={"member_id": target.member_id, "points": 0, "reason": " "}
    )
    assert r.status_code == 422, r.text
    assert {e["field"] for e in r.json()["errors"]} == {"points", "reason"}


async def test_another_members_points_stay_private_unless_the_tenant_publishes(
    place: Place,
) -> None:
    county = await place.county()
    assert (await county.rules(**meeting_rules())).status_code == 201
    committee = await county.world.org("party_committee")
    branch = await county.world.branch(2, parent_id=committee)
    elsewhere = await county.world.branch(1, parent_id=committee)
    me, peer = branch.members
    stranger = elsewhere.members[0]
    assert me.api is not None
    assert peer.api is not None
    assert stranger.api is not None
    own_secretary = await secretary_of(county, branch.id)
    other_secretary = await secretary_of(county, elsewhere.id)
    await county.mark(await county.activity(branch.id), me.member_id)
    url = f"{V1}/members/{me.member_id}/points"
    await eventually(lambda: me.api.get(url), lambda r: len(r.json()["items"]) == 1)  # type: ignore[union-attr]

    assert (await me.api.get(url + "/summary")).json()["earned"] == 3
    assert (await own_secretary.get(url)).status_code == 200
    for outsider in (peer.api, stranger.api, other_secretary):
        problem(await outsider.get(url), 404, "member_not_found")
        problem(await outsider.get(url + "/summary"), 404, "member_not_found")

    r = await county.admin.patch(
        f"{V1}/tenants/{county.id}", json={"settings": {"rankings_enabled": True}}
    )
    assert r.status_code == 200, r.text
    assert (await peer.api.get(url)).status_code == 200
    problem(await stranger.api.get(url), 404, "member_not_found")  # not their organization


async def test_classes_and_exclusions_decide_what_a_checkin_earns(place: Place) -> None:
    county = await place.county()
    rules = meeting_rules()
    rules["classes"] = [{"code": "backbone", "name": "骨干"}, {"code": "ordinary", "name": "普通"}]
    rules["items"].append(
        {"code": "backbone_bonus", "name": "骨干带头", "points": 1, "source": "attendance",
         "activity_kind": "branch_congress", "classes": ["backbone"]}
    )  # fmt: skip
    rules["exclusions"] = [{"kind": "condition", "condition": "long_illness"}]
    assert (await county.rules(**rules)).status_code == 201
    branch = await county.world.branch(3)
    backbone, ill, ordinary = (p.member_id for p in branch.members)
    profiles = {
        backbone: {"member_class": "backbone"},
        ill: {"member_class": "ordinary", "conditions": ["long_illness"]},
        ordinary: {"member_class": "ordinary"},
    }
    for member, body in profiles.items():
        r = await county.admin.request("PUT", f"{V1}/members/{member}/points/profile", json=body)
        assert r.status_code == 200, r.text
    r = await county.admin.request(
        "PUT", f"{V1}/members/{ordinary}/points/profile", json={"member_class": "veteran"}
    )
    assert r.status_code == 422, r.text
    assert r.json()["errors"][0]["field"] == "member_class"

    activity = await county.activity(branch.id)
    for member in (ill, ordinary, backbone):  # the relay hands them on in this order
        await county.mark(activity, member)

    async def codes(member: str) -> list[str]:
        r = await county.admin.get(f"{V1}/members/{member}/points")
        return sorted(e["item_code"] for e in r.json()["items"])

    assert await eventually(lambda: codes(backbone), lambda c: len(c) == 2) == [
        "backbone_bonus",
        "congress",
    ]
    assert await codes(ordinary) == ["congress"]
    assert await codes(ill) == []
