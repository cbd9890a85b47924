"""Approval authority (审批权限) is organization data a tenant administrator sets: the
approving 基层党委 is the nearest one above the branch that holds it; a 党总支 never may."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Api
from tests.integration.development.helpers import V1, create_applicant, org, secretary_of

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def _approver_refusal(api: Api, applicant_id: str) -> Any:
    """Step 13 (the 基层党委's pre-review) out of order: the authority is checked first."""
    return await api.post(
        f"{V1}/applicants/{applicant_id}/steps/13", json={"occurred_on": "2024-01-01"}
    )


async def test_a_committee_holds_authority_only_when_an_administrator_sets_it(futian: Api) -> None:
    plain = await org(futian, "party_committee")
    assert plain["approval_authority"] is False
    branch = await org(futian, "branch", plain["id"])
    applicant = await create_applicant(futian, branch["id"])
    r = await _approver_refusal(futian, applicant["id"])
    assert (r.status_code, r.json()["code"]) == (409, "development_no_approver")

    r = await futian.patch(f"{V1}/organizations/{plain['id']}", json={"approval_authority": True})
    assert (r.status_code, r.json()["approval_authority"]) == (200, True)
    detail = await futian.get(f"{V1}/organizations/{plain['id']}")
    assert detail.json()["organization"]["approval_authority"] is True
    r = await _approver_refusal(futian, applicant["id"])
    assert r.json()["code"] == "development_step_refused", r.text


async def test_the_nearest_committee_with_authority_approves(futian: Api) -> None:
    upper = await org(futian, "party_committee", approval_authority=True)
    lower = await org(futian, "party_committee", upper["id"])
    branch = await org(futian, "branch", lower["id"])
    applicant = await create_applicant(futian, branch["id"])
    lower_secretary = await secretary_of(futian, futian.http, lower["id"])
    upper_secretary = await secretary_of(futian, futian.http, upper["id"])
    r = await _approver_refusal(lower_secretary, applicant["id"])
    assert r.status_code == 403, r.text
    r = await _approver_refusal(upper_secretary, applicant["id"])
    assert r.json()["code"] == "development_step_refused", r.text


@pytest.mark.parametrize("kind", ["general_branch", "branch"])
async def test_only_a_party_committee_may_hold_it(futian: Api, kind: str) -> None:
    committee = await org(futian, "party_committee")
    r = await futian.post(
        f"{V1}/organizations",
        json={
            "kind": kind,
            "name": "审批",
            "parent_id": committee["id"],
            "approval_authority": True,
        },
    )
    assert r.status_code == 422, r.text
    assert [(e["field"], e["code"]) for e in r.json()["errors"]] == [
        ("approval_authority", "committee_only")
    ]
    made = await org(futian, kind, committee["id"])
    r = await futian.patch(f"{V1}/organizations/{made['id']}", json={"approval_authority": True})
    assert r.status_code == 422, r.text
    assert r.json()["errors"][0]["code"] == "committee_only"


async def test_a_secretary_may_edit_the_committee_but_not_its_authority(futian: Api) -> None:
    committee = await org(futian, "party_committee")
    secretary = await secretary_of(futian, futian.http, committee["id"])
    r = await secretary.patch(f"{V1}/organizations/{committee['id']}", json={"name": "改名党委"})
    assert r.status_code == 200, r.text
    r = await secretary.patch(
        f"{V1}/organizations/{committee['id']}", json={"approval_authority": True}
    )
    assert r.status_code == 403, r.text
    r = await secretary.post(
        f"{V1}/organizations",
        json={
            "kind": "party_committee",
            "name": "下级党委",
            "parent_id": committee["id"],
            "approval_authority": True,
        },
    )
    assert r.status_code == 403, r.text
