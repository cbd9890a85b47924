"""Shared helpers of the development tests: a branch under a party committee, applicants."""

from __future__ import annotations

from datetime import date
from typing import Any

from tests.conftest import Api, unique
from tests.integration.members.helpers import id_number

V1 = "/api/v1"


async def org(api: Api, kind: str, parent_id: str | None = None, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"kind": kind, "name": unique(kind), **extra}
    if parent_id:
        body["parent_id"] = parent_id
    r = await api.post(f"{V1}/organizations", json=body)
    assert r.status_code == 201, r.text
    return dict(r.json())


async def committee_and_branch(api: Api) -> tuple[dict[str, Any], dict[str, Any]]:
    committee = await org(api, "party_committee")
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
