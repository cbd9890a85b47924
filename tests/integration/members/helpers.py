"""Shared helpers of the member registry tests: valid 身份证号, organizations, members."""

from __future__ import annotations

import random
from datetime import date
from typing import Any

from domain.members import id_check_character
from tests.conftest import Api, unique

_ISSUED: set[str] = set()


def id_number(
    *, birth: date | None = None, male: bool | None = None, rng: random.Random | None = None
) -> str:
    """A valid 18-character 身份证号, never the same twice in this test process.

    Each test worker has its own database, so uniqueness per process is enough to keep
    "already registered" refusals out of tests that do not ask for them.
    """
    r = rng or random.Random()
    for _ in range(10_000):
        born = birth or date(r.randint(1955, 1990), r.randint(1, 12), r.randint(1, 28))
        area = r.choice(["110105", "440304", "440305", "310101", "510104"])
        sequence = r.randint(0, 999)
        if male is not None and (sequence % 2 == 1) != male:
            sequence = (sequence + 1) % 1000
        first17 = f"{area}{born:%Y%m%d}{sequence:03d}"
        number = first17 + id_check_character(first17)
        if number not in _ISSUED:
            _ISSUED.add(number)
            return number
    raise RuntimeError("no unused 身份证号 left for these constraints")


async def org_ids(api: Api, tenant_id: str) -> dict[str, str]:
    r = await api.get("/api/v1/organizations", params={"tenant_id": tenant_id, "limit": 200})
    assert r.status_code == 200, r.text
    return {o["name"]: o["id"] for o in r.json()["items"]}


async def new_branch(api: Api, parent_id: str, name: str | None = None) -> str:
    r = await api.post(
        "/api/v1/organizations",
        json={"kind": "branch", "name": name or unique("测试党支部"), "parent_id": parent_id},
    )
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def member_body(organization_id: str, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "organization_id": organization_id,
        "name": "李四",
        "id_number": id_number(birth=date(1985, 6, 1)),
        "status": "full",
        "admitted_on": "2010-07-01",
        "full_member_on": "2011-07-01",
        "ethnicity": "汉族",
        "education": "bachelor",
        "phone": "139" + "".join(random.choice("0123456789") for _ in range(8)),
    }
    body.update(overrides)
    return body


async def create_member(api: Api, organization_id: str, **overrides: Any) -> dict[str, Any]:
    r = await api.post("/api/v1/members", json=member_body(organization_id, **overrides))
    assert r.status_code == 201, r.text
    return dict(r.json())
