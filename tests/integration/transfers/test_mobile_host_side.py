"""The host side of a 流动党员活动证: the host organization sees the card's fields only,
records the member's arrival first, then organizational life, dues paid there and its
opinion; the issuing branch reads those records; nobody else sees any of it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from domain.shared import DISPLAY_ZONE
from tests.conftest import Api
from tests.integration.transfers.helpers import V1, Place, ok, refused

TODAY = datetime.now(UTC).astimezone(DISPLAY_ZONE).date()


async def _issued(sender: Place, host: Place, host_code: str) -> tuple[str, dict[str, Any]]:
    member = await sender.member(name="钱流动", phone="13900139000")
    made = ok(
        await sender.admin.post(
            f"{V1}/mobile-certificates",
            json={
                "member_id": member,
                "host_tenant_code": host_code,
                "host_organization_id": host.branch,
                "valid_from": (TODAY - timedelta(days=10)).isoformat(),
                "valid_until": (TODAY + timedelta(days=100)).isoformat(),
            },
        ),
        201,
    )
    return member, made


async def _entry(api: Api, certificate: str, kind: str, **body: Any) -> Any:
    return await api.post(
        f"{V1}/mobile-certificates/{certificate}/entries",
        json={"kind": kind, "on": TODAY.isoformat(), **body},
    )


async def test_the_host_sees_the_card_and_records_the_stay(
    futian_place: Place, nanshan_place: Place, gansu: Api
) -> None:
    member, made = await _issued(futian_place, nanshan_place, "440305")
    cid, host = made["id"], nanshan_place.admin
    assert made["side"] == "issuing"

    hosted = ok(await host.get(f"{V1}/mobile-certificates", params={"side": "host"}))
    [seen] = [c for c in hosted["items"] if c["id"] == cid]
    assert seen["side"] == "host"
    assert (seen["member_name"], seen["member_phone"]) == ("钱流动", "139****9000")
    assert seen["from_organization_name"] == made["from_organization_name"]
    assert ok(await host.get(f"{V1}/mobile-certificates/{cid}"))["side"] == "host"
    issued = ok(await host.get(f"{V1}/mobile-certificates"))
    assert cid not in [c["id"] for c in issued["items"]]
    # The card, not the member: the registry stays closed to the host.
    refused(await host.get(f"{V1}/members/{member}"), 404, "member_not_found")
    refused(
        await host.post(f"{V1}/mobile-certificates/{cid}/close", json={}),
        404,
        "mobile_certificate_not_found",
    )

    refused(await _entry(host, cid, "activity"), 409, "mobile_host_not_arrived")
    ok(await _entry(host, cid, "arrival", note="到南山报到"), 201)
    refused(await _entry(host, cid, "arrival"), 409, "mobile_host_entry_once")
    ok(await _entry(host, cid, "activity", note="参加主题党日"), 201)
    dues = ok(await _entry(host, cid, "dues", month=TODAY.strftime("%Y-%m"), amount_fen=5000), 201)
    assert (dues["month"], dues["amount_fen"]) == (TODAY.strftime("%Y-%m"), 5000)
    refused(await _entry(host, cid, "dues", month="2026-01"), 422, "mobile_host_entry_dues")
    refused(await _entry(host, cid, "activity", amount_fen=100), 422, "mobile_host_entry_dues")
    tomorrow = (TODAY + timedelta(days=1)).isoformat()
    refused(await _entry(host, cid, "activity", on=tomorrow), 422, "mobile_host_entry_date")
    # The issuing side reads the host's records but cannot write them.
    records = ok(await futian_place.admin.get(f"{V1}/mobile-certificates/{cid}/entries"))
    assert [r["kind"] for r in records] == ["arrival", "activity", "dues"]
    refused(await _entry(futian_place.admin, cid, "opinion"), 404, "mobile_certificate_not_found")
    refused(
        await gansu.get(f"{V1}/mobile-certificates/{cid}/entries"),
        404,
        "mobile_certificate_not_found",
    )
    refused(await _entry(gansu, cid, "opinion"), 404, "mobile_certificate_not_found")

    ok(await _entry(host, cid, "opinion", note="表现良好"), 201)
    ok(await futian_place.admin.post(f"{V1}/mobile-certificates/{cid}/close", json={}))
    refused(await _entry(host, cid, "activity"), 409, "mobile_certificate_closed")
    assert ok(await host.get(f"{V1}/mobile-certificates/{cid}"))["state"] == "closed"


async def test_a_host_in_the_same_tenant_records_too(futian_place: Place) -> None:
    other = Place(
        futian_place.admin, "440304", futian_place.committee, futian_place.other_branch, ""
    )
    _, made = await _issued(futian_place, other, "440304")
    ok(await _entry(futian_place.admin, made["id"], "arrival"), 201)
    records = ok(await futian_place.admin.get(f"{V1}/mobile-certificates/{made['id']}/entries"))
    assert [r["kind"] for r in records] == ["arrival"]
