"""转接中 on the member record: the registry shows an open transfer, and only while open."""

from __future__ import annotations

from tests.conftest import Api
from tests.integration.transfers.helpers import V1, Place, act, ok, place, start


async def _listed(api: Api, branch: str, **params: object) -> list[str]:
    page = ok(
        await api.get(f"{V1}/members", params={"organization_id": branch, "limit": 100, **params})
    )
    return [m["id"] for m in page["items"]]


async def test_an_open_transfer_shows_on_the_record_and_in_the_list(futian: Api) -> None:
    here = await place(futian, "440304")
    moving, staying = await here.member(), await here.member()
    assert ok(await futian.get(f"{V1}/members/{moving}"))["in_transfer"] is None
    started = await start(futian, moving, here, kind="within_tenant")

    got = await futian.get(f"{V1}/members/{moving}")
    record = ok(got)
    assert record["in_transfer"] == {"transfer_id": started["id"], "state": "pending_approval"}
    assert record["organization_id"] == here.branch  # still the sending branch's member
    assert ok(await futian.get(f"{V1}/members/{staying}"))["in_transfer"] is None
    assert await _listed(futian, here.branch, in_transfer="true") == [moving]
    assert await _listed(futian, here.branch, in_transfer="false") == [staying]
    listed = ok(await futian.get(f"{V1}/members", params={"organization_id": here.branch}))
    marks = {m["id"]: m["in_transfer"] for m in listed["items"]}
    assert marks[moving]["transfer_id"] == started["id"]
    assert marks[staying] is None

    # The mark is part of the representation the ETag covers, so If-Match still works.
    patched = await futian.patch(
        f"{V1}/members/{moving}",
        json={"work_unit": "区财政局"},
        headers={"If-Match": got.headers["ETag"]},
    )
    assert ok(patched)["in_transfer"]["transfer_id"] == started["id"]

    ok(await act(futian, started["id"], "cancel"))
    assert ok(await futian.get(f"{V1}/members/{moving}"))["in_transfer"] is None
    assert await _listed(futian, here.branch, in_transfer="true") == []


async def test_the_mark_follows_the_transfer_until_acceptance(
    futian_place: Place, nanshan_place: Place
) -> None:
    member = await futian_place.member()
    started = await start(futian_place.admin, member, nanshan_place, kind="across_tenants")
    sent = ok(await act(futian_place.admin, started["id"], "approve"))
    record = ok(await futian_place.admin.get(f"{V1}/members/{member}"))
    assert record["in_transfer"] == {"transfer_id": sent["id"], "state": "sent"}
    accepted = ok(await act(nanshan_place.admin, started["id"], "accept"))
    old = ok(await futian_place.admin.get(f"{V1}/members/{member}"))
    assert (old["status"], old["in_transfer"]) == ("transferred_out", None)
    new = ok(await nanshan_place.admin.get(f"{V1}/members/{accepted['member_id']}"))
    assert new["in_transfer"] is None
