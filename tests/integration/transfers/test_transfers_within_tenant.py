"""A transfer between two branches of one county: start, approve, accept, the letter."""

from __future__ import annotations

from tests.conftest import Api
from tests.integration.transfers.helpers import V1, act, ok, place, start


async def test_within_a_county_the_member_moves_to_the_other_branch(futian: Api) -> None:
    here = await place(futian, "440304")
    member = await here.member()
    started = await start(futian, member, here, kind="within_tenant")
    assert started["state"] == "pending_approval"
    assert started["side"] == "sending"
    assert started["approvals_required"] == 1
    sent = ok(await act(futian, started["id"], "approve"))
    assert sent["state"] == "sent"
    assert sent["letter_number"]
    accepted = ok(await act(futian, started["id"], "accept"))
    assert accepted["state"] == "accepted"
    record = ok(await futian.get(f"{V1}/members/{member}"))
    assert record["organization_id"] == here.other_branch
    steps = ok(await futian.get(f"{V1}/transfers/{started['id']}/steps"))
    assert [s["action"] for s in steps] == ["start", "submit", "approve", "accept"]


async def test_the_kind_must_match_the_target(futian: Api) -> None:
    here = await place(futian, "440304")
    member = await here.member()
    r = await futian.post(
        f"{V1}/transfers",
        json={
            "member_id": member,
            "reason": "study",
            "kind": "across_tenants",
            "target_tenant_code": "440304",
            "target_organization_id": here.other_branch,
        },
    )
    assert r.status_code == 422, r.text
    assert r.json()["code"] == "transfer_target_kind"
