"""Applicants (入党申请人): the member record's validation and protection, lists, scopes."""

from __future__ import annotations

from datetime import date

import pytest

from tests.conftest import Api
from tests.integration.development.helpers import (
    V1,
    applicant_body,
    committee_and_branch,
    create_applicant,
    org,
)
from tests.integration.members.helpers import create_member, id_number

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def test_an_applicant_is_registered_masked_with_gender_and_birth_from_the_id(
    futian: Api,
) -> None:
    _, branch = await committee_and_branch(futian)
    number = id_number(male=False)
    made = await create_applicant(futian, branch["id"], id_number=number, phone="139 1234 5678")
    assert "*" in made["id_number"]
    assert number not in str(made)
    assert made["phone"] != "13912345678"
    assert made["gender"] == "female"
    assert made["birth_date"] == f"{number[6:10]}-{number[10:12]}-{number[12:14]}"
    assert made["status"] == "in_progress"
    assert (made["stage"], made["current_step"], made["next_steps"]) == (1, 0, [1])
    assert made["organization_name"] == branch["name"]


async def test_every_fault_is_reported_at_once(futian: Api) -> None:
    _, branch = await committee_and_branch(futian)
    r = await futian.post(
        f"{V1}/applicants",
        json=applicant_body(branch["id"], name="  ", id_number="110105194912310021", phone="123"),
    )
    assert r.status_code == 422, r.text
    assert {e["field"] for e in r.json()["errors"]} == {"name", "id_number", "phone"}
    assert "id_number_check_digit" in {e["code"] for e in r.json()["errors"]}


async def test_only_a_branch_takes_applicants(futian: Api) -> None:
    committee, _ = await committee_and_branch(futian)
    general = await org(futian, "general_branch", committee["id"])
    r = await futian.post(f"{V1}/applicants", json=applicant_body(general["id"]))
    assert r.status_code == 422, r.text
    assert r.json()["errors"][0]["code"] == "not_branch"


async def test_one_id_number_is_one_applicant_in_a_tenant(futian: Api) -> None:
    _, branch = await committee_and_branch(futian)
    number = id_number()
    await create_applicant(futian, branch["id"], id_number=number)
    r = await futian.post(f"{V1}/applicants", json=applicant_body(branch["id"], id_number=number))
    assert r.status_code == 409, r.text
    assert r.json()["code"] == "development_duplicate_applicant"


async def test_reveal_shows_the_id_number_and_is_audited(futian: Api, inspector: Api) -> None:
    _, branch = await committee_and_branch(futian)
    number = id_number()
    made = await create_applicant(futian, branch["id"], id_number=number)
    url = f"{V1}/applicants/{made['id']}"
    masked = await futian.get(url)
    assert masked.json()["id_number"] == made["id_number"]
    assert masked.json()["sensitive_revealed"] is False
    full = await futian.get(url, params={"reveal": "true"})
    assert full.status_code == 200, full.text
    assert (full.json()["id_number"], full.json()["phone"]) == (number, "13912345678")
    assert full.headers["cache-control"] == "no-store"
    events = await futian.get(
        f"{V1}/audit-events", params={"action": "applicant.read_sensitive", "limit": 200}
    )
    assert made["id"] in {e["resource_id"] for e in events.json()["items"]}
    # the inspector reads applicants, masked, but never in full
    assert (await inspector.get(url)).status_code == 200
    assert (await inspector.get(url, params={"reveal": "true"})).status_code == 403


async def test_the_list_filters_by_organization_subtree_and_stage(
    futian: Api, nanshan: Api
) -> None:
    committee, branch = await committee_and_branch(futian)
    other = await org(futian, "branch", committee["id"])
    first = await create_applicant(futian, branch["id"])
    second = await create_applicant(futian, other["id"])
    r = await futian.get(f"{V1}/applicants", params={"organization_id": branch["id"]})
    assert [a["id"] for a in r.json()["items"]] == [first["id"]]
    r = await futian.get(
        f"{V1}/applicants",
        params={"organization_id": committee["id"], "include_descendants": "true", "limit": 1},
    )
    assert [a["id"] for a in r.json()["items"]] == [first["id"]]
    r = await futian.get(
        f"{V1}/applicants",
        params={
            "organization_id": committee["id"],
            "include_descendants": "true",
            "cursor": r.json()["next_cursor"],
        },
    )
    assert [a["id"] for a in r.json()["items"]] == [second["id"]]
    r = await futian.get(
        f"{V1}/applicants",
        params={"organization_id": committee["id"], "include_descendants": "true", "stage": 2},
    )
    assert r.json()["items"] == []
    listed = await nanshan.get(f"{V1}/applicants", params={"limit": 200})
    assert first["id"] not in {a["id"] for a in listed.json()["items"]}


async def test_a_branch_secretary_lists_their_branch_only(futian: Api, secretary: Api) -> None:
    _, branch = await committee_and_branch(futian)
    elsewhere = await create_applicant(futian, branch["id"])
    r = await secretary.get(f"{V1}/applicants", params={"limit": 200})
    assert r.status_code == 200, r.text
    assert elsewhere["id"] not in {a["id"] for a in r.json()["items"]}
    r = await secretary.post(f"{V1}/applicants", json=applicant_body(branch["id"]))
    assert r.status_code == 403


async def test_a_member_is_not_an_applicant_here_or_in_another_tenant(
    futian: Api, nanshan: Api
) -> None:
    _, branch = await committee_and_branch(futian)
    _, elsewhere = await committee_and_branch(nanshan)
    here, there = id_number(birth=date(1985, 6, 1)), id_number(birth=date(1986, 6, 1))
    await create_member(futian, branch["id"], id_number=here)
    await create_member(nanshan, elsewhere["id"], id_number=there)
    for number in (here, there):
        body = applicant_body(branch["id"], id_number=number)
        r = await futian.post(f"{V1}/applicants", json=body)
        assert (r.status_code, r.json()["code"]) == (409, "member_duplicate_id_number"), r.text
    assert elsewhere["name"] not in r.text  # 南山's member is not named to 福田
