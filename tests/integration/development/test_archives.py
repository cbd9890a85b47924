"""Who sees an archive (step 25): the tenant whose file it is, whoever queued it."""

from __future__ import annotations

import asyncio
import io
import zipfile
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from tests.conftest import Api
from tests.integration.development.helpers import V1, create_applicant, evidence, meeting, org

pytestmark = pytest.mark.asyncio(loop_scope="session")

TODAY = datetime.now(ZoneInfo("Asia/Shanghai")).date()


async def _finished(api: Api, url: str) -> dict[str, Any]:
    for _ in range(300):
        r = await api.get(url)
        assert r.status_code == 200, r.text
        if r.json()["status"] in ("succeeded", "failed"):
            break
        await asyncio.sleep(0.1)
    return dict(r.json())


async def test_a_province_archive_of_a_county_file_is_the_countys(
    futian: Api, nanshan: Api, province: Api, tenant_ids: dict[str, str]
) -> None:
    committee = await org(futian, "party_committee", approval_authority=True)
    branch = await org(futian, "branch", committee["id"])
    scan = await evidence(futian, await meeting(futian, branch["id"], "theme_day", TODAY))
    applicant = await create_applicant(futian, branch["id"])
    r = await futian.post(
        f"{V1}/applicants/{applicant['id']}/steps/1",
        json={
            "occurred_on": TODAY.isoformat(),
            "documents": [{"kind": "application_letter", "evidence_id": scan}],
        },
    )
    assert r.status_code == 201, r.text

    r = await province.post(f"{V1}/applicants/{applicant['id']}/archives")
    assert r.status_code == 202, r.text
    job_id = r.json()["job_id"]
    url = f"{V1}/applicants/{applicant['id']}/archives/{job_id}"

    # The county sees the archive, made in its own scope with the scan it cites.
    archive = await _finished(futian, url)
    assert archive["status"] == "succeeded", archive
    async with httpx.AsyncClient(timeout=30) as raw:
        zipped = (await raw.get(archive["download"]["url"])).content
    names = zipfile.ZipFile(io.BytesIO(zipped)).namelist()
    assert "档案.pdf" in names, names
    assert [n for n in names if n.startswith("scans/")], names
    listed = await futian.get(f"{V1}/applicants/{applicant['id']}/archives")
    assert listed.status_code == 200, listed.text
    [item] = listed.json()["items"]
    assert (item["job_id"], item["status"], item["sha256"]) == (
        job_id,
        "succeeded",
        archive["sha256"],
    )
    assert item["download"] is None  # a link is handed out, and audited, one archive at a time

    # The job stays the province's, which follows it both ways.
    assert (await futian.get(f"{V1}/jobs/{job_id}")).status_code == 404
    job = await province.get(f"{V1}/jobs/{job_id}")
    assert (job.status_code, job.json()["tenant_id"]) == (200, tenant_ids["440000"])
    assert (await province.get(url)).json()["status"] == "succeeded"

    # A sibling county sees nothing of it.
    assert (await nanshan.get(url)).status_code == 404
    assert (await nanshan.get(f"{V1}/applicants/{applicant['id']}/archives")).status_code == 404
    assert (await nanshan.get(f"{V1}/jobs/{job_id}")).status_code == 404
