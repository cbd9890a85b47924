"""Points for evidence a member uploaded: booked from `evidence.attached`, capped, and
reversed when the file is deleted (issue 14 item 5, evidence)."""

from __future__ import annotations

import hashlib
from typing import Any

import httpx

from tests.conftest import Api
from tests.integration.points.conftest import V1, Place, eventually
from tests.integration.test_isolation import PNG_1PX


async def attach(api: Api, activity_id: str, body: bytes) -> str:
    r = await api.post(
        f"{V1}/activities/{activity_id}/evidence",
        json={"kind": "photo", "filename": "现场.png", "content_type": "image/png",
              "size_bytes": len(body), "sha256": hashlib.sha256(body).hexdigest()},
    )  # fmt: skip
    assert r.status_code == 201, r.text
    upload = r.json()["upload"]
    async with httpx.AsyncClient(timeout=30) as raw:
        put = await raw.request(
            upload["method"], upload["url"], headers=upload["headers"], content=body
        )
        assert put.status_code == 200, put.text
    evidence_id: str = r.json()["evidence"]["id"]
    r = await api.post(f"{V1}/evidence/{evidence_id}/confirm")
    assert r.status_code == 200, r.text
    return evidence_id


async def test_evidence_uploaded_by_a_member_earns_and_its_deletion_reverses(
    place: Place,
) -> None:
    county = await place.county()
    rules: dict[str, Any] = {
        "effective_from": "2020-01-01",
        "base_score": 60,
        "items": [{"code": "evidence", "name": "上传活动佐证", "points": 1,
                   "source": "evidence_upload", "cap_per_period": 1}],
    }  # fmt: skip
    assert (await county.rules(**rules)).status_code == 201
    branch = await county.world.branch(1)
    member = branch.members[0]
    assert member.api is not None
    activity = await county.activity(branch.id, kind="theme_day")
    first = await attach(member.api, activity, PNG_1PX)
    second = await attach(member.api, activity, PNG_1PX + b"\x00")
    url = f"{V1}/members/{member.member_id}/points"

    async def entries() -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = (await member.api.get(url)).json()["items"]  # type: ignore[union-attr]
        return items

    # the cap of 1 a period: the first file earns, the second is recorded at 0
    booked = await eventually(entries, lambda e: len(e) == 2)
    assert sorted((e["cause_id"], e["points"]) for e in booked) == sorted([(first, 1), (second, 0)])
    assert {e["cause_type"] for e in booked} == {"evidence"}
    # the first file is deleted: reversed, and the cap now lets the second earn
    r = await county.admin.delete(f"{V1}/evidence/{first}")
    assert r.status_code in (200, 204), r.text
    after = await eventually(entries, lambda e: len(e) == 4)
    assert sorted((e["kind"], e["points"]) for e in after[:2]) == [("adjustment", 1),
                                                                    ("reversal", -1)]  # fmt: skip
    assert (await member.api.get(url + "/summary")).json()["earned"] == 1
