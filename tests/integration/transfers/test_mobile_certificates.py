"""流动党员活动证: issued for at most six months, one open at a time, closed by the branch."""

from __future__ import annotations

from tests.conftest import Api
from tests.integration.transfers.helpers import V1, Place, ok, refused


async def test_issue_and_close_a_certificate(
    futian_place: Place, nanshan_place: Place, gansu: Api
) -> None:
    member = await futian_place.member()
    body = {
        "member_id": member,
        "host_tenant_code": "440305",
        "host_organization_id": nanshan_place.branch,
        "valid_from": "2026-12-01",
        "valid_until": "2027-05-31",
        "reason": "借调南山区半年",
    }
    made = ok(await futian_place.admin.post(f"{V1}/mobile-certificates", json=body), 201)
    assert made["state"] == "issued"
    assert made["number"].startswith("LD-")
    assert made["host_organization_id"] == nanshan_place.branch
    refused(
        await futian_place.admin.post(f"{V1}/mobile-certificates", json=body),
        409,
        "mobile_certificate_open",
    )
    refused(
        await gansu.get(f"{V1}/mobile-certificates/{made['id']}"),
        404,
        "mobile_certificate_not_found",
    )
    listed = ok(
        await futian_place.admin.get(f"{V1}/mobile-certificates", params={"member_id": member})
    )
    assert [c["id"] for c in listed["items"]] == [made["id"]]
    closed = ok(
        await futian_place.admin.post(
            f"{V1}/mobile-certificates/{made['id']}/close", json={"reason": "已返回"}
        )
    )
    assert (closed["state"], closed["close_note"]) == ("closed", "已返回")
    refused(
        await futian_place.admin.post(f"{V1}/mobile-certificates/{made['id']}/close", json={}),
        409,
        "mobile_certificate_closed",
    )
    # The membership never moved.
    assert ok(await futian_place.admin.get(f"{V1}/members/{member}"))["organization_id"] == (
        futian_place.branch
    )


async def test_at_most_six_months_and_a_named_host_off_the_platform(futian_place: Place) -> None:
    member = await futian_place.member()
    too_long = {
        "member_id": member,
        "host_organization_name": "某省某单位党支部",
        "valid_from": "2026-12-01",
        "valid_until": "2027-06-02",
    }
    refused(
        await futian_place.admin.post(f"{V1}/mobile-certificates", json=too_long),
        422,
        "mobile_certificate_period",
    )
    fits = {**too_long, "valid_until": "2027-06-01"}
    made = ok(await futian_place.admin.post(f"{V1}/mobile-certificates", json=fits), 201)
    assert (made["host_organization_name"], made["host_tenant_id"]) == ("某省某单位党支部", None)
    entries = f"{V1}/mobile-certificates/{made['id']}/entries"
    assert ok(await futian_place.admin.get(entries)) == []
