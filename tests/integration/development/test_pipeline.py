"""The pipeline end to end over simulated time: application → activist → candidate →
admission → 转正, refused at each rule on the way, every step an outbox event."""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
import zipfile
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import httpx
import psycopg
import pytest

from domain.development import STEP_BY_NUMBER
from infra.db.bootstrap import DatabaseUrls, conninfo_of
from tests.conftest import Api
from tests.integration.development.helpers import (
    V1,
    committee_and_branch,
    create_applicant,
    evidence,
    meeting,
    org,
    secretary_of,
)
from tests.integration.members.helpers import create_member, id_number

pytestmark = pytest.mark.asyncio(loop_scope="session")

DATES: dict[int, date] = {
    1: date(2023, 1, 10),
    2: date(2023, 2, 10),
    3: date(2023, 7, 10),
    4: date(2023, 7, 18),
    5: date(2023, 7, 20),
    6: date(2024, 1, 10),
    7: date(2024, 7, 10),
    8: date(2024, 7, 18),
    9: date(2024, 7, 22),
    10: date(2024, 8, 1),
    11: date(2024, 8, 5),
    12: date(2024, 9, 2),
    13: date(2024, 9, 10),
    14: date(2024, 9, 12),
    15: date(2024, 9, 20),
    16: date(2024, 10, 8),
    17: date(2024, 12, 20),
    18: date(2024, 12, 25),
    19: date(2025, 1, 2),
    20: date(2025, 1, 10),
    21: date(2025, 6, 3),
    22: date(2025, 9, 22),
    23: date(2025, 9, 22),
    24: date(2025, 10, 10),
    25: date(2025, 10, 20),
}
SECOND_REVIEW = date(2024, 6, 3)
# Five working days each (2024-09-02 … has no holiday; 2025-09-23 … neither).
NOTICES = {
    3: (date(2023, 7, 11), date(2023, 7, 17)),
    7: (date(2024, 7, 11), date(2024, 7, 17)),
    12: (date(2024, 9, 3), date(2024, 9, 9)),
    23: (date(2025, 9, 23), date(2025, 9, 29)),
}
PASSING = {"entitled": 9, "present": 8, "yes": 6, "no": 1, "abstain": 1}


@dataclass
class Branch:
    api: Api
    id: str
    scan: str
    mentors: list[str]
    sponsors: list[str]
    probationary: str
    meetings: dict[tuple[str, date], str] = field(default_factory=dict)

    async def meeting(self, kind: str, on: date) -> str:
        if (kind, on) not in self.meetings:
            self.meetings[kind, on] = await meeting(self.api, self.id, kind, on)
        return self.meetings[kind, on]

    async def body(self, number: int, on: date | None = None, **changes: Any) -> dict[str, Any]:
        step = STEP_BY_NUMBER[number]
        day = on or DATES[number]
        body: dict[str, Any] = {
            "occurred_on": day.isoformat(),
            "documents": [{"kind": d.value, "evidence_id": self.scan} for d in step.documents],
        }
        if step.meeting:
            body["meeting_id"] = await self.meeting(step.meeting.value, day)
        if step.vote:
            body["vote"] = PASSING
        if step.mentors:
            body["mentors"] = self.mentors[:1]
        if step.sponsors:
            body["sponsors"] = self.sponsors
        if number in NOTICES:
            first, last = NOTICES[number]
            body["notice"] = {"starts_on": first.isoformat(), "ends_on": last.isoformat()}
        if number == 11:
            body["training_hours"] = 24
        body.update(changes)
        return body


@pytest.fixture(scope="module")
async def branch(futian: Api) -> Branch:
    _, b = await committee_and_branch(futian)
    host = await meeting(futian, b["id"], "theme_day", date(2023, 1, 5))
    members = [(await create_member(futian, b["id"]))["id"] for _ in range(3)]
    probationary = await create_member(
        futian, b["id"], status="probationary", full_member_on=None, admitted_on="2025-07-01"
    )
    return Branch(
        futian, b["id"], await evidence(futian, host), members[:1], members[1:], probationary["id"]
    )


async def _step(b: Branch, applicant_id: str, number: int, **kw: Any) -> Any:
    on = kw.pop("on", None)
    return await b.api.post(
        f"{V1}/applicants/{applicant_id}/steps/{number}", json=await b.body(number, on, **kw)
    )


CULTIVATION = {
    "recorded_on": "2024-01-10",
    "period_from": "2023-07-20",
    "period_to": "2024-01-10",
    "performance": "学习认真，工作积极，按时参加支部活动。",
    "branch_opinion": "考察合格，继续培养。",
    "mentor_opinion": "表现良好。",
}
POLITICAL_REVIEW = {
    "concluded_on": "2024-07-30",
    "conclusion": "qualified",
    "methods": ["talk", "records", "letters"],
    "summary": "本人及主要社会关系政治历史清楚，无影响入党的问题。",
    "concluded_by": "区委办公室党支部",
}
APPLICATION_FORM = {
    "filled_on": "2024-09-11",
    "native_place": "广东省深圳市",
    "aspiration": "我志愿加入中国共产党，拥护党的纲领，遵守党的章程。",
    "resume": [
        {"starts_on": "2016-09-01", "ends_on": "2020-06-30", "unit": "中山大学", "post": "学生"},
        {"starts_on": "2020-07-01", "unit": "福田区发展改革局", "post": "科员"},
    ],
    "family": [{"relation": "父亲", "name": "王建国", "political_status": "中共党员"}],
}


async def _form(b: Branch, applicant_id: str, path: str, body: dict[str, Any]) -> Any:
    return await b.api.post(
        f"{V1}/applicants/{applicant_id}/forms/{path}", json={**body, "scans": [b.scan]}
    )


async def _archive(b: Branch, applicant_id: str) -> dict[str, Any]:
    r = await b.api.post(f"{V1}/applicants/{applicant_id}/archives")
    assert r.status_code == 202, r.text
    url = f"{V1}/applicants/{applicant_id}/archives/{r.json()['job_id']}"
    for _ in range(300):
        archive = (await b.api.get(url)).json()
        if archive["status"] in ("succeeded", "failed"):
            break
        await asyncio.sleep(0.1)
    assert archive["status"] == "succeeded", archive
    return dict(archive)


def _refused(r: Any, rule: str, possible_from: date | None) -> None:
    assert r.status_code == 409, r.text
    body = r.json()
    assert (body["code"], body["rule"]) == ("development_step_refused", rule)
    assert body["possible_from"] == (possible_from.isoformat() if possible_from else None)


def _topics(database: DatabaseUrls, applicant_id: str) -> list[tuple[str, Any]]:
    with psycopg.connect(conninfo_of(database.admin)) as conn:
        rows = conn.execute(
            "SELECT topic, payload FROM outbox_event WHERE aggregate_type = 'applicant'"
            " AND aggregate_id = %s ORDER BY id",
            (applicant_id,),
        ).fetchall()
    return [(r[0], r[1]) for r in rows]


async def test_from_application_to_full_membership(branch: Branch, database: DatabaseUrls) -> None:
    b = branch
    applicant = await create_applicant(b.api, b.id, id_number=id_number(birth=date(1998, 5, 4)))
    aid = applicant["id"]
    day = timedelta(days=1)

    # 申请 and 谈话: the talk within a month of the application
    assert (await _step(b, aid, 2)).status_code == 409  # no skipping: step 1 first
    assert (await _step(b, aid, 1)).status_code == 201
    _refused(await _step(b, aid, 2, on=date(2023, 2, 11)), "talk_within", None)
    assert (await _step(b, aid, 2)).status_code == 201

    # 积极分子: six months after the application; its notice, then filing; mentors
    _refused(await _step(b, aid, 3, on=date(2023, 7, 7)), "activist_after_application", DATES[3])
    assert (await _step(b, aid, 3)).status_code == 201
    _refused(
        await _step(b, aid, 4, on=date(2023, 7, 17)), "public_notice_running", date(2023, 7, 18)
    )
    assert (await _step(b, aid, 4)).status_code == 201
    r = await _step(b, aid, 5, mentors=[b.probationary])
    assert r.status_code == 422, r.text
    assert r.json()["errors"][0]["code"] == "not_full_member"
    assert (await _step(b, aid, 5)).status_code == 201
    for on in (DATES[6], SECOND_REVIEW):
        assert (await _step(b, aid, 6, on=on)).status_code == 201
    r = await _form(b, aid, "political-review", POLITICAL_REVIEW)
    assert (r.status_code, r.json()["code"]) == (409, "development_form_not_yet")
    r = await b.api.post(
        f"{V1}/applicants/{aid}/forms/cultivation-records",
        json={**CULTIVATION, "scans": [applicant["id"]]},
    )
    assert r.status_code == 422, r.text
    assert r.json()["errors"][0]["field"] == "scans[0]"
    r = await _form(b, aid, "cultivation-records", CULTIVATION)
    assert r.status_code == 201, r.text
    assert r.json()["cultivation_record"]["branch_opinion"] == CULTIVATION["branch_opinion"]

    # 发展对象: a year as activist
    r = await _step(b, aid, 7, on=DATES[7] - day)
    _refused(r, "candidate_after_activist", DATES[7])
    for number in (7, 8, 9):
        r = await _step(b, aid, number)
        assert r.status_code == 201, (number, r.text)
    r = await _step(b, aid, 10)  # vetting stands on its recorded conclusion
    assert (r.status_code, r.json()["code"]) == (409, "development_form_missing")
    assert (await _form(b, aid, "political-review", POLITICAL_REVIEW)).status_code == 201
    r = await _form(b, aid, "political-review", POLITICAL_REVIEW)
    assert (r.status_code, r.json()["code"]) == (409, "development_form_exists")
    assert (await _step(b, aid, 10)).status_code == 201
    _refused(await _step(b, aid, 11, training_hours=23), "training_minimum", None)
    assert (await _step(b, aid, 11)).status_code == 201

    # 接收: review, pre-review, the 入党志愿书, the vote computed from its counts
    for number in (12, 13):
        r = await _step(b, aid, number)
        assert r.status_code == 201, (number, r.text)
    r = await _step(b, aid, 14)
    assert (r.status_code, r.json()["code"]) == (409, "development_form_missing")
    assert (await _form(b, aid, "application-form", APPLICATION_FORM)).status_code == 201
    assert (await _step(b, aid, 14)).status_code == 201
    failing = {"entitled": 10, "present": 10, "yes": 5, "no": 5, "abstain": 0}
    r = await _step(b, aid, 15, vote=failing, on=DATES[15] - day)
    assert r.status_code == 201, r.text
    assert (r.json()["step"]["decision"], r.json()["step"]["vote"]["passed"]) == ("rejected", False)
    assert r.json()["applicant"]["current_step"] == 14
    r = await _step(b, aid, 15)
    assert r.json()["step"]["decision"] == "approved"
    assert r.json()["applicant"]["admitted_on"] == DATES[15].isoformat()
    assert (await _step(b, aid, 16)).status_code == 201
    _refused(await _step(b, aid, 17, on=date(2024, 12, 21)), "approval_within", None)
    r = await _step(b, aid, 17)
    assert r.json()["applicant"]["status"] == "probationary"
    assert r.json()["applicant"]["stage"] == 4
    member_id = r.json()["applicant"]["member_id"]
    member = (await b.api.get(f"{V1}/members/{member_id}")).json()
    assert (member["status"], member["admitted_on"]) == ("probationary", DATES[15].isoformat())
    assert (member["name"], member["organization_id"]) == (applicant["name"], b.id)
    found = await b.api.get(f"{V1}/applicants", params={"member_id": member_id})
    assert [a["id"] for a in found.json()["items"]] == [aid]  # the file, found from the member

    # 转正: not before probation ends, then vote, notice, approval, archive
    for number in (18, 19, 20, 21):
        r = await _step(b, aid, number)
        assert r.status_code == 201, (number, r.text)
    _refused(await _step(b, aid, 22, on=date(2025, 9, 19)), "probation", date(2025, 9, 20))
    for number in (22, 23, 24, 25):
        r = await _step(b, aid, number)
        assert r.status_code == 201, (number, r.text)
    final = r.json()["applicant"]
    assert (final["status"], final["current_step"], final["next_steps"]) == ("full", 25, [])
    assert final["full_member_on"] == "2025-09-20"
    member = (await b.api.get(f"{V1}/members/{member_id}")).json()
    assert (member["status"], member["full_member_on"]) == ("full", "2025-09-20")
    assert member["admitted_on"] == DATES[15].isoformat()

    file = await b.api.get(f"{V1}/applicants/{aid}/steps", params={"limit": 200})
    steps = [s["step"] for s in file.json()["items"]]
    assert steps == [1, 2, 3, 4, 5, 6, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 15, *range(16, 26)]

    # 归档: one zip with the readable PDF, the scans and a manifest of checksums
    forms = (await b.api.get(f"{V1}/applicants/{aid}/forms")).json()["items"]
    assert [f["kind"] for f in forms] == [
        "cultivation_record",
        "political_review",
        "application_form",
    ]
    archive = await _archive(b, aid)
    async with httpx.AsyncClient(timeout=30) as raw:
        zipped = (await raw.get(archive["download"]["url"])).content
    assert hashlib.sha256(zipped).hexdigest() == archive["sha256"]
    with zipfile.ZipFile(io.BytesIO(zipped)) as z:
        manifest = json.loads(z.read("manifest.json"))
        for entry in manifest["files"]:
            assert hashlib.sha256(z.read(entry["path"])).hexdigest() == entry["sha256"]
        assert z.read("档案.pdf").startswith(b"%PDF")
    # the PDF, then the one scan every step and form cites
    assert [m["path"][:6] for m in manifest["files"]] == ["档案.pdf", "scans/"]
    assert [s["step"] for s in manifest["steps"]] == steps
    assert manifest["applicant"]["full_member_on"] == "2025-09-20"
    assert [f["kind"] for f in manifest["forms"]] == [f["kind"] for f in forms]

    topics = _topics(database, aid)
    recorded = [p["step"] for t, p in topics if t == "applicant.step_recorded"]
    assert [p["form"] for t, p in topics if t == "applicant.form_recorded"] == [
        f["kind"] for f in forms
    ]
    assert recorded == steps
    changes = [
        (p["previous_stage"], p["stage"], p["status"])
        for t, p in topics
        if t == "applicant.stage_changed"
    ]
    assert changes == [
        (1, 2, "in_progress"),
        (2, 3, "in_progress"),
        (3, 4, "in_progress"),
        (4, 4, "probationary"),
        (4, 5, "probationary"),
        (5, 5, "full"),
    ]


async def test_a_general_branch_records_but_never_approves(futian: Api, branch: Branch) -> None:
    committee = await org(futian, "party_committee", approval_authority=True)
    general = await org(futian, "general_branch", committee["id"])
    b = await org(futian, "branch", general["id"])
    applicant = await create_applicant(futian, b["id"])
    general_secretary = await secretary_of(futian, futian.http, general["id"])
    committee_secretary = await secretary_of(futian, futian.http, committee["id"])
    url = f"{V1}/applicants/{applicant['id']}/steps"
    pending = Branch(general_secretary, b["id"], branch.scan, [], [], "")
    for number in range(1, 13):
        body = await pending.body(number)
        if number in (5, 9):
            body.pop("mentors", None)
            body.pop("sponsors", None)
            mentor = await create_member(futian, b["id"])
            sponsors = [(await create_member(futian, b["id"]))["id"] for _ in range(2)]
            body["mentors" if number == 5 else "sponsors"] = (
                [mentor["id"]] if number == 5 else sponsors
            )
        api = committee_secretary if STEP_BY_NUMBER[number].body.approving else general_secretary
        if number == 10:
            assert (
                await _form(pending, applicant["id"], "political-review", POLITICAL_REVIEW)
            ).status_code == 201
        r = await api.post(f"{url}/{number}", json=body)
        assert r.status_code == 201, (number, r.text)
    # step 13, the 基层党委's pre-review: the 党总支 may not, the 党委 above it may
    r = await general_secretary.post(f"{url}/13", json=await pending.body(13))
    assert r.status_code == 403, r.text
    r = await committee_secretary.post(f"{url}/13", json=await pending.body(13))
    assert r.status_code == 201, r.text


async def test_a_branch_without_a_committee_above_has_no_approver(futian: Api) -> None:
    lone = await org(futian, "branch")
    applicant = await create_applicant(futian, lone["id"])
    r = await futian.post(
        f"{V1}/applicants/{applicant['id']}/steps/13", json={"occurred_on": "2024-01-01"}
    )
    assert r.status_code == 409, r.text
    assert r.json()["code"] == "development_no_approver"


async def test_unknown_steps_and_documents_are_refused(branch: Branch) -> None:
    b = branch
    applicant = await create_applicant(b.api, b.id)
    r = await b.api.post(
        f"{V1}/applicants/{applicant['id']}/steps/no_such_step", json={"occurred_on": "2024-01-01"}
    )
    assert r.status_code == 404, r.text
    r = await _step(
        b,
        applicant["id"],
        1,
        documents=[{"kind": "application_letter", "evidence_id": applicant["id"]}],
    )
    assert r.status_code == 422, r.text
    assert r.json()["errors"][0]["field"] == "documents[0].evidence_id"
    r = await _step(b, applicant["id"], 1, documents=[])
    assert r.status_code == 422, r.text
    assert r.json()["errors"][0]["code"] == "missing"


async def test_a_tenant_tightens_a_rule_and_may_not_loosen_it(
    branch: Branch, tenant_ids: dict[str, str]
) -> None:
    b = branch
    url = f"{V1}/tenants/{tenant_ids['440304']}"
    kept = (await b.api.get(url)).json()["settings"]
    looser = {**kept, "development_time_rules": {"candidate_after_activist": 11}}
    r = await b.api.patch(url, json={"settings": looser})
    assert r.status_code == 422, r.text
    assert r.json()["errors"][0]["field"] == "development_time_rules.candidate_after_activist"
    stricter = {**kept, "development_time_rules": {"activist_after_application": 9}}
    assert (await b.api.patch(url, json={"settings": stricter})).status_code == 200
    try:
        rules = (await b.api.get(f"{V1}/development/pipeline")).json()["time_rules"]
        in_force = {r["code"]: (r["value"], r["default"], r["national"]) for r in rules}
        assert in_force["activist_after_application"] == (9, 6, None)
        assert in_force["candidate_after_activist"] == (12, 12, 12)
        applicant = await create_applicant(b.api, b.id)
        for number in (1, 2):
            assert (await _step(b, applicant["id"], number)).status_code == 201
        nine_months = date(2023, 10, 10)
        _refused(await _step(b, applicant["id"], 3), "activist_after_application", nine_months)
    finally:
        assert (await b.api.patch(url, json={"settings": kept})).status_code == 200


async def test_a_revoked_probation_removes_the_member_record_and_keeps_the_file(
    branch: Branch,
) -> None:
    b = branch
    aid = (await create_applicant(b.api, b.id))["id"]
    forms = {10: ("political-review", POLITICAL_REVIEW), 14: ("application-form", APPLICATION_FORM)}
    for number in range(1, 23):
        if number in forms:
            assert (await _form(b, aid, *forms[number])).status_code == 201
        r = await _step(b, aid, number)
        assert r.status_code == 201, (number, r.text)
        if number == 6:
            assert (await _step(b, aid, 6, on=SECOND_REVIEW)).status_code == 201
    r = await _step(b, aid, 23, decision="revoke")
    assert r.status_code == 201, r.text
    r = await _step(b, aid, 24)
    assert r.json()["applicant"]["status"] == "revoked"
    member = (await b.api.get(f"{V1}/members/{r.json()['applicant']['member_id']}")).json()
    assert member["status"] == "removed"
    assert (await _step(b, aid, 25)).status_code == 201


async def test_the_pipeline_is_published_as_data(futian: Api) -> None:
    r = await futian.get(f"{V1}/development/pipeline")
    assert r.status_code == 200, r.text
    steps = r.json()["steps"]
    assert [s["number"] for s in steps] == list(range(1, 26))
    vote = steps[14]
    assert (vote["code"], vote["body"], vote["meeting"], vote["vote"]) == (
        "admission_vote",
        "branch_congress",
        "branch_congress",
        True,
    )
    assert steps[8]["sponsors"] == [2, 2]
