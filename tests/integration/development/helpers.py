"""Shared helpers of the development tests: a branch under a party committee, applicants."""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Any

import httpx

from tests.conftest import Api, login, unique
from tests.integration.members.helpers import id_number

V1 = "/api/v1"
PASSWORD = "Strong-Pass-2026"


async def org(api: Api, kind: str, parent_id: str | None = None, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"kind": kind, "name": unique(kind), **extra}
    if parent_id:
        body["parent_id"] = parent_id
    r = await api.post(f"{V1}/organizations", json=body)
    assert r.status_code == 201, r.text
    return dict(r.json())


async def committee_and_branch(api: Api) -> tuple[dict[str, Any], dict[str, Any]]:
    committee = await org(api, "party_committee", approval_authority=True)
    return committee, await org(api, "branch", committee["id"])


def applicant_body(organization_id: str, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "organization_id": organization_id,
        "name": unique("申请人")[:12],
        "id_number": id_number(birth=date(1998, 5, 4)),
        "phone": "13912345678",
        "education": "bachelor",
    }
    body.update(overrides)
    return body


async def create_applicant(api: Api, organization_id: str, **overrides: Any) -> dict[str, Any]:
    r = await api.post(f"{V1}/applicants", json=applicant_body(organization_id, **overrides))
    assert r.status_code == 201, r.text
    return dict(r.json())


PNG_1PX = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00"
    b"\x00\x90wS\xde\x00\x00\x00\x0cIDATx\x9cc\xf8\xcf\xc0\x00\x00\x03\x01\x01\x00\xc9\xfe"
    b"\x92\xef\x00\x00\x00\x00IEND\xaeB`\x82"
)


async def meeting(api: Api, branch_id: str, kind: str, on: date) -> str:
    """A meeting of the branch (an activity record) held on `on`."""
    r = await api.post(
        f"{V1}/activities",
        json={
            "kind": kind,
            "organization_id": branch_id,
            "title": unique("会议"),
            "starts_at": f"{on.isoformat()}T09:00:00+08:00",
            "ends_at": f"{on.isoformat()}T11:00:00+08:00",
            "qr_required": False,
        },
    )
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


async def evidence(api: Api, activity_id: str) -> str:
    """An attached scan: slot, upload to the URL the API names, confirm."""
    slot = await api.post(
        f"{V1}/activities/{activity_id}/evidence",
        json={
            "kind": "photo",
            "filename": unique("扫描件") + ".png",
            "content_type": "image/png",
            "size_bytes": len(PNG_1PX),
            "sha256": hashlib.sha256(PNG_1PX).hexdigest(),
        },
    )
    assert slot.status_code == 201, slot.text
    upload = slot.json()["upload"]
    async with httpx.AsyncClient(timeout=30) as raw:
        put = await raw.request(
            upload["method"], upload["url"], headers=upload["headers"], content=PNG_1PX
        )
        assert put.status_code == 200, put.text
    evidence_id = str(slot.json()["evidence"]["id"])
    r = await api.post(f"{V1}/evidence/{evidence_id}/confirm")
    assert r.status_code == 200, r.text
    return evidence_id


async def secretary_of(futian: Api, http: httpx.AsyncClient, organization_id: str) -> Api:
    """A new account holding org_secretary on the organization's subtree."""
    username = unique("zb")
    r = await futian.post(
        f"{V1}/users",
        json={"username": username, "display_name": username, "password": PASSWORD},
    )
    assert r.status_code == 201, r.text
    r = await futian.post(
        f"{V1}/role-assignments",
        json={
            "user_id": r.json()["id"],
            "role": "org_secretary",
            "organization_id": organization_id,
        },
    )
    assert r.status_code == 201, r.text
    return await login(http, username, PASSWORD)
