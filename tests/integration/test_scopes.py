"""Lists narrow to where the caller holds the permission, not just to the tenant."""

from __future__ import annotations

from tests.conftest import Api


async def test_branch_secretary_lists_only_their_branch_subtree(
    secretary: Api, futian: Api
) -> None:
    everything = await futian.get("/api/v1/organizations", params={"limit": 200})
    theirs = await secretary.get("/api/v1/organizations", params={"limit": 200})
    assert theirs.status_code == 200
    names = {o["name"] for o in theirs.json()["items"]}
    assert "区委办公室党支部" in names
    assert "区委办公室第一党小组" in names
    assert "区财政局党支部" not in names
    assert len(everything.json()["items"]) > len(theirs.json()["items"])
