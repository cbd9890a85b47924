"""Dues bases and reliefs over HTTP (issue 15 item 2): declared by the branch, approved by
someone else; reliefs approved by the next level up; who did what is kept and shown."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from tests.conftest import Api
from tests.integration.dues.helpers import (
    V1,
    Unit,
    approved_base,
    created,
    member,
    member_with_login,
    ok,
    unit,
)


@pytest.fixture(scope="module")
async def place(http: httpx.AsyncClient, futian: Api) -> Unit:
    return await unit(http, futian)


async def test_a_base_is_declared_by_one_and_approved_by_another(place: Unit, futian: Api) -> None:
    member_id = await member(futian, place.branch)
    declared = created(
        await place.branch_committee.post(
            f"{V1}/dues/bases",
            json={
                "member_id": member_id,
                "category": "employed",
                "income_kind": "annual_salary",
                "monthly_income_fen": 812_345,
                "effective_from": "2026-03",
                "note": "年薪制",
            },
        )
    )
    assert declared["status"] == "declared"
    assert declared["effective_from"] == "2026-03"
    assert declared["organization_id"] == place.branch
    # The committee member holds no dues:approve; the declarer may not approve their own.
    refused = await place.branch_committee.post(f"{V1}/dues/bases/{declared['id']}/approve")
    assert refused.status_code == 403, refused.text
    approved = ok(await place.branch_secretary.post(f"{V1}/dues/bases/{declared['id']}/approve"))
    assert approved["status"] == "approved"
    assert approved["decided_by"] not in (None, declared["declared_by"])
    again = await place.branch_secretary.post(f"{V1}/dues/bases/{declared['id']}/reject")
    assert again.status_code == 409, again.text
    assert again.json()["code"] == "dues_already_decided"


async def test_two_decisions_at_once_make_one(place: Unit, futian: Api) -> None:
    """The second decision waits for the first's lock and then sees it decided."""
    for _ in range(3):
        declared = created(
            await place.branch_committee.post(
                f"{V1}/dues/bases",
                json={
                    "member_id": await member(futian, place.branch),
                    "category": "employed",
                    "income_kind": "salary",
                    "monthly_income_fen": 500_000,
                    "effective_from": "2026-03",
                },
            )
        )
        url = f"{V1}/dues/bases/{declared['id']}"
        answers = await asyncio.gather(
            place.branch_secretary.post(f"{url}/approve"), futian.post(f"{url}/reject")
        )
        assert sorted(r.status_code for r in answers) == [200, 409], [r.text for r in answers]


async def test_the_declarer_cannot_approve_even_holding_the_right(place: Unit, futian: Api) -> None:
    member_id = await member(futian, place.branch)
    declared = created(
        await place.branch_secretary.post(
            f"{V1}/dues/bases",
            json={"member_id": member_id, "category": "student", "effective_from": "2026-09"},
        )
    )
    own = await place.branch_secretary.post(f"{V1}/dues/bases/{declared['id']}/approve")
    assert own.status_code == 403, own.text
    assert own.json()["code"] == "dues_same_person"
    rejected = ok(await place.committee_secretary.post(f"{V1}/dues/bases/{declared['id']}/reject"))
    assert rejected["status"] == "rejected"


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"category": "employed", "income_kind": "salary"}, ["monthly_income_fen"]),
        (
            {"category": "retired", "income_kind": "salary", "monthly_income_fen": 1},
            ["income_kind"],
        ),
        ({"category": "farmer", "monthly_income_fen": 100}, ["monthly_income_fen"]),
    ],
)
async def test_a_declaration_must_fit_its_category(
    place: Unit, futian: Api, body: dict[str, object], fields: list[str]
) -> None:
    member_id = await member(futian, place.branch)
    r = await place.branch_secretary.post(
        f"{V1}/dues/bases", json={"member_id": member_id, "effective_from": "2026-01", **body}
    )
    assert r.status_code == 422, r.text
    assert [e["field"] for e in r.json()["errors"]] == fields


async def test_a_relief_is_approved_by_the_next_level_only(place: Unit, futian: Api) -> None:
    member_id = await member(futian, place.branch)
    proposed = created(
        await place.branch_committee.post(
            f"{V1}/dues/reliefs",
            json={
                "member_id": member_id,
                "kind": "reduction",
                "monthly_amount_fen": 100,
                "from_month": "2026-01",
                "to_month": "2026-12",
                "reason": "家庭困难，经支部讨论",
            },
        )
    )
    assert proposed["status"] == "proposed"
    # The branch's own secretary holds dues:approve, but on the branch: not the next level.
    same_level = await place.branch_secretary.post(
        f"{V1}/dues/reliefs/{proposed['id']}/approve", json={}
    )
    assert same_level.status_code == 403, same_level.text
    assert same_level.json()["code"] == "forbidden"
    approved = ok(
        await place.committee_secretary.post(
            f"{V1}/dues/reliefs/{proposed['id']}/approve", json={"note": "同意"}
        )
    )
    assert (approved["status"], approved["decision_note"]) == ("approved", "同意")


async def test_a_proposer_never_approves_their_own_relief(place: Unit, futian: Api) -> None:
    member_id = await member(futian, place.branch)
    proposed = created(
        await futian.post(
            f"{V1}/dues/reliefs",
            json={
                "member_id": member_id,
                "kind": "exemption",
                "from_month": "2026-01",
                "to_month": "2026-03",
                "reason": "重病住院",
            },
        )
    )
    own = await futian.post(f"{V1}/dues/reliefs/{proposed['id']}/approve", json={})
    assert own.status_code == 403, own.text
    assert own.json()["code"] == "dues_same_person"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (
            {"kind": "reduction", "from_month": "2026-01", "to_month": "2026-02"},
            "monthly_amount_fen",
        ),
        (
            {
                "kind": "exemption",
                "monthly_amount_fen": 5,
                "from_month": "2026-01",
                "to_month": "2026-02",
            },
            "monthly_amount_fen",
        ),
        ({"kind": "exemption", "from_month": "2026-05", "to_month": "2026-04"}, "to_month"),
    ],
)
async def test_a_relief_must_make_sense(
    place: Unit, futian: Api, body: dict[str, object], field: str
) -> None:
    member_id = await member(futian, place.branch)
    r = await place.branch_secretary.post(
        f"{V1}/dues/reliefs", json={"member_id": member_id, "reason": "困难", **body}
    )
    assert r.status_code == 422, r.text
    assert [e["field"] for e in r.json()["errors"]] == [field]


async def test_a_member_sees_their_own_bases_and_a_branch_its_own(
    http: httpx.AsyncClient, place: Unit, futian: Api, nanshan: Api
) -> None:
    member_id, own = await member_with_login(http, futian, place.branch)
    other = await member(futian, place.branch)
    mine = await approved_base(place.branch_secretary, place.committee_secretary, member_id)
    theirs = await approved_base(place.branch_secretary, place.committee_secretary, other)
    seen = ok(await own.get(f"{V1}/dues/bases"))["items"]
    assert [b["id"] for b in seen] == [mine["id"]]
    branch = ok(await place.branch_committee.get(f"{V1}/dues/bases", params={"limit": 200}))
    assert {mine["id"], theirs["id"]} <= {b["id"] for b in branch["items"]}
    filtered = ok(await place.branch_committee.get(f"{V1}/dues/bases", params={"member_id": other}))
    assert [b["id"] for b in filtered["items"]] == [theirs["id"]]
    assert ok(await nanshan.get(f"{V1}/dues/bases", params={"member_id": other}))["items"] == []


async def test_reading_bases_is_audited(place: Unit, futian: Api) -> None:
    member_id = await member(futian, place.branch)
    base = await approved_base(place.branch_secretary, place.committee_secretary, member_id)
    ok(await place.branch_committee.get(f"{V1}/dues/bases", params={"member_id": member_id}))
    events = ok(
        await futian.get(f"{V1}/audit-events", params={"action": "dues_base.read", "limit": 200})
    )
    assert any(base["id"] in str(e.get("detail")) for e in events["items"])
