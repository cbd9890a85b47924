"""Transfers between tenants: across counties of one city and across provinces, with
what each side may read before and after acceptance (README "Transfers")."""

from __future__ import annotations

import pytest

from tests.conftest import Api
from tests.integration.transfers.conftest import OTHER_PROVINCE
from tests.integration.transfers.helpers import V1, Place, act, ok, place, refused, start


async def _sent(sender: Place, member: str, target: Place) -> dict[str, object]:
    started = await start(sender.admin, member, target, kind="across_tenants")
    return ok(await act(sender.admin, str(started["id"]), "approve"))


@pytest.mark.parametrize("target_code", ["440305", OTHER_PROVINCE])
async def test_the_member_moves_and_each_side_sees_only_its_part(
    futian_place: Place, target_code: str, nanshan: Api, gansu: Api
) -> None:
    """Across counties of one city (Futian to Nanshan) and across provinces."""
    across_provinces = target_code == OTHER_PROVINCE
    target = await place(gansu if across_provinces else nanshan, target_code)
    member = await futian_place.member(name="王转接")
    sent = await _sent(futian_place, member, target)
    tid = sent["id"]
    assert sent["state"] == "sent"
    # The receiving side sees the letter's fields, not the member's record.
    seen = ok(await target.admin.get(f"{V1}/transfers/{tid}"))
    assert seen["side"] == "receiving"
    assert seen["member_id"] is None
    assert seen["member_name"] == "王转接"
    assert seen["member_id_number"].count("*") > 0
    assert seen["points_carried"] is None
    refused(await target.admin.get(f"{V1}/members/{member}"), 404, "member_not_found")
    queue = ok(
        await target.admin.get(f"{V1}/transfers", params={"side": "receiving", "state": "sent"})
    )
    assert tid in [t["id"] for t in queue["items"]]

    accepted = ok(await act(target.admin, str(tid), "accept", reason="材料齐全"))
    assert accepted["state"] == "accepted"
    new_member = accepted["member_id"]
    assert new_member
    assert new_member != member
    record = ok(await target.admin.get(f"{V1}/members/{new_member}"))
    assert record["organization_id"] == target.other_branch
    assert record["name"] == "王转接"
    history = ok(await target.admin.get(f"{V1}/members/{new_member}/history"))
    assert "transfer_in" in [h["action"] for h in history["items"]]
    # The sending side keeps its record of the transfer and the old row, transferred out,
    # and cannot read the new one.
    mine = ok(await futian_place.admin.get(f"{V1}/transfers/{tid}"))
    assert (mine["side"], mine["state"]) == ("sending", "accepted")
    old = ok(await futian_place.admin.get(f"{V1}/members/{member}"))
    assert old["status"] == "transferred_out"
    refused(await futian_place.admin.get(f"{V1}/members/{new_member}"), 404, "member_not_found")
    # A third tenant never sees the transfer.
    third = nanshan if across_provinces else gansu
    refused(await third.get(f"{V1}/transfers/{tid}"), 404, "transfer_not_found")
    steps = ok(await target.admin.get(f"{V1}/transfers/{tid}/steps"))
    assert [s["action"] for s in steps] == ["deliver", "accept"]
    sending_steps = ok(await futian_place.admin.get(f"{V1}/transfers/{tid}/steps"))
    assert [s["action"] for s in sending_steps][-1] == "accept"
    assert sending_steps[-1]["reason"] == "材料齐全"


async def test_a_third_tenant_sees_nothing_before_either(
    futian_place: Place, nanshan_place: Place, gansu: Api
) -> None:
    member = await futian_place.member()
    sent = await _sent(futian_place, member, nanshan_place)
    for action in ("accept", "return", "cancel", "approve"):
        refused(await act(gansu, str(sent["id"]), action, reason="x"), 404, "transfer_not_found")
    refused(await gansu.get(f"{V1}/transfers/{sent['id']}/letter"), 404, "transfer_not_found")
    listed = ok(await gansu.get(f"{V1}/transfers", params={"side": "receiving"}))
    assert sent["id"] not in [t["id"] for t in listed["items"]]


async def test_returned_then_resubmitted_then_accepted(
    futian_place: Place, nanshan_place: Place
) -> None:
    member = await futian_place.member()
    sent = await _sent(futian_place, member, nanshan_place)
    tid = str(sent["id"])
    refused(await act(nanshan_place.admin, tid, "return"), 422, "transfer_reason_needed")
    returned = ok(await act(nanshan_place.admin, tid, "return", reason="材料不全"))
    assert returned["state"] == "returned"
    assert ok(await futian_place.admin.get(f"{V1}/transfers/{tid}"))["state"] == "returned"
    refused(await act(nanshan_place.admin, tid, "accept"), 409, "transfer_state_changed")
    again = ok(await act(futian_place.admin, tid, "submit"))
    assert again["state"] == "pending_approval"
    assert again["letter_number"] == sent["letter_number"]
    ok(await act(futian_place.admin, tid, "approve"))
    assert ok(await nanshan_place.admin.get(f"{V1}/transfers/{tid}"))["state"] == "sent"
    assert ok(await act(nanshan_place.admin, tid, "accept"))["state"] == "accepted"


async def test_cancelled_after_sending_closes_the_arrival(
    futian_place: Place, nanshan_place: Place
) -> None:
    member = await futian_place.member()
    sent = await _sent(futian_place, member, nanshan_place)
    tid = str(sent["id"])
    assert (
        ok(await act(futian_place.admin, tid, "cancel", reason="本人申请"))["state"] == "cancelled"
    )
    assert ok(await nanshan_place.admin.get(f"{V1}/transfers/{tid}"))["state"] == "cancelled"
    refused(await act(nanshan_place.admin, tid, "accept"), 409, "transfer_state_changed")
    refused(await act(futian_place.admin, tid, "cancel"), 409, "transfer_state_changed")
    assert ok(await futian_place.admin.get(f"{V1}/members/{member}"))["status"] == "full"
    # A new transfer may start once the first is closed.
    await start(futian_place.admin, member, nanshan_place, kind="across_tenants")


async def test_one_open_transfer_per_member(futian_place: Place, nanshan_place: Place) -> None:
    member = await futian_place.member()
    await start(futian_place.admin, member, nanshan_place, kind="across_tenants")
    r = await futian_place.admin.post(
        f"{V1}/transfers",
        json={
            "member_id": member,
            "kind": "within_tenant",
            "reason": "other",
            "target_tenant_code": "440304",
            "target_organization_id": futian_place.other_branch,
        },
    )
    refused(r, 409, "transfer_open_exists")
