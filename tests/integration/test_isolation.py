"""The isolation matrix, driven by the OpenAPI document so new endpoints are covered.

For every operation whose path names a resource, the resource is created in county 440304
(福田) and the operation is called by the administrator of the sibling county 440305
(南山), by an API client 南山 registered with every scope it could give, and by a 福田
client whose only scope (events:read) opens no resource (scopes are enforced, not just
subtrees): the
answer is 403 or 404 and carries none of the resource's data, and writes leave the
resource as it was. GETs called by the province administrator (440000) see the data.
Lists called by 南山, its client or that 福田 client hold no 福田 row, also when a filter
names a 福田 resource.

A new path parameter needs a fixture in `FIXTURES` (how to make such a resource in 福田);
the matrix fails until it has one, so no endpoint slips through unchecked.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import httpx
import psycopg
import pytest
from psycopg.types.json import Jsonb

from api.development import form_schemas as forms
from api.export_openapi import openapi_document
from infra.db.bootstrap import DatabaseUrls, conninfo_of
from tests.conftest import Api, unique
from tests.integration.api_clients import EVERY_SCOPE, client_api, register

# what a bill stores of the rule that priced it (domain.dues.Rule.as_dict)
BILL_RULE = Jsonb(
    {
        "standard_id": "00000000-0000-0000-0000-000000000001",
        "standard_name": "测试标准",
        "category": "student",
        "above_fen": None,
        "up_to_fen": None,
        "rate_bp": None,
        "fixed_fen": 20,
    }
)

V1 = "/api/v1"
DOCUMENT = openapi_document()
METHODS = ("get", "post", "put", "patch", "delete")
PASSWORD = "Strong-Pass-2026"

# Path parameters that do not name a tenant-owned row, with the reason.
NOT_TENANT_RESOURCES = {
    # Local object storage: the HMAC signature in the URL is the credential (like a
    # presigned S3 URL); an unsigned or foreign-signed request is refused before any lookup.
    "key": "signed storage URL",
}


@dataclass
class Resource:
    id: str
    markers: list[str]
    """Data of the resource that must never reach another subtree (names, usernames)."""
    check_url: str | None = None
    """Where 福田 reads it back to prove a refused write changed nothing."""


@dataclass
class World:
    futian: Api
    nanshan: Api
    province: Api
    database: DatabaseUrls
    futian_tenant: dict[str, Any]
    nanshan_org: dict[str, Any]
    nanshan_client: Api
    futian_unscoped_client: Api
    made: dict[str, Resource] = field(default_factory=dict)

    def sibling(self, caller: str) -> Api:
        return {
            "admin": self.nanshan,
            "api_client": self.nanshan_client,
            "unscoped_client": self.futian_unscoped_client,
        }[caller]

    async def get(self, name: str) -> Resource:
        if name not in self.made:
            maker = FIXTURES.get(name)
            if maker is None:
                pytest.fail(
                    f"no fixture makes a resource for path parameter {{{name}}}: add one to "
                    "FIXTURES in tests/integration/test_isolation.py"
                )
            self.made[name] = await maker(self)
        return self.made[name]

    def futian_ids(self) -> set[str]:
        return {self.futian_tenant["id"], *(r.id for r in self.made.values())}


def _created(r: httpx.Response) -> dict[str, Any]:
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


async def make_tenant(w: World) -> Resource:
    t = w.futian_tenant
    return Resource(t["id"], [t["name"]], f"{V1}/tenants/{t['id']}")


async def make_org(w: World) -> Resource:
    name = unique("福田隔离")
    parent = _created(
        await w.futian.post(
            f"{V1}/organizations", json={"kind": "party_committee", "name": name + "党委"}
        )
    )
    org = _created(
        await w.futian.post(
            f"{V1}/organizations",
            json={"kind": "branch", "name": name, "parent_id": parent["id"]},
        )
    )
    return Resource(org["id"], [name, org["path"]], f"{V1}/organizations/{org['id']}")


async def make_post(w: World) -> Resource:
    org = await w.get("org_id")
    holder = unique("书记")
    post = _created(
        await w.futian.post(
            f"{V1}/organizations/{org.id}/committee-posts",
            json={"post": "secretary", "holder_name": holder, "term_start": "2026-01-01"},
        )
    )
    return Resource(post["id"], [holder], f"{V1}/organizations/{org.id}")


async def make_user(w: World) -> Resource:
    username = unique("ft")
    user = _created(
        await w.futian.post(
            f"{V1}/users",
            json={"username": username, "display_name": username + "名", "password": PASSWORD},
        )
    )
    return Resource(user["id"], [username], f"{V1}/users/{user['id']}")


async def make_role(w: World) -> Resource:
    name = "iso_" + uuid.uuid4().hex[:10]
    r = await w.futian.post(
        f"{V1}/roles",
        json={"name": name, "display_name": name, "permissions": ["organization:read"]},
    )
    role = _created(r)
    return Resource(role["id"], [name])


async def make_assignment(w: World) -> Resource:
    user = await w.get("user_id")
    org = await w.get("org_id")
    grant = _created(
        await w.futian.post(
            f"{V1}/role-assignments",
            json={"user_id": user.id, "role": "org_secretary", "organization_id": org.id},
        )
    )
    return Resource(grant["id"], [grant["domain"]])


async def make_job(w: World) -> Resource:
    """A finished job, inserted as the imports make them; finished, so no runner claims it
    while the test compares snapshots."""
    me = (await w.futian.get(f"{V1}/me")).json()
    job_id = uuid.uuid4()
    with psycopg.connect(conninfo_of(w.database.admin), autocommit=True) as conn:
        conn.execute(
            "INSERT INTO job (tenant_id, id, kind, created_by, params, status, finished_at)"
            " VALUES (%s, %s, 'isolation_probe', %s, '{}', 'succeeded', now())",
            (w.futian_tenant["id"], job_id, me["id"]),
        )
    return Resource(str(job_id), ["isolation_probe"], f"{V1}/jobs/{job_id}")


def _id_number() -> str:
    """A valid 身份证号 not handed out before in this test process."""
    from tests.integration.members.helpers import id_number

    return id_number()


async def make_member(w: World) -> Resource:
    org = await w.get("org_id")
    name = unique("隔离党员")
    for _ in range(5):
        r = await w.futian.post(
            f"{V1}/members",
            json={
                "organization_id": org.id,
                "name": name,
                "id_number": _id_number(),
                "status": "full",
                "admitted_on": "2010-07-01",
                "full_member_on": "2011-07-01",
            },
        )
        if r.status_code != 409:
            break
    member = _created(r)
    return Resource(member["id"], [name], f"{V1}/members/{member['id']}")


async def make_applicant(w: World) -> Resource:
    org = await w.get("org_id")
    name = unique("隔离申请人")[:20]
    for _ in range(5):
        r = await w.futian.post(
            f"{V1}/applicants",
            json={"organization_id": org.id, "name": name, "id_number": _id_number()},
        )
        if r.status_code != 409:
            break
    applicant = _created(r)
    return Resource(applicant["id"], [name], f"{V1}/applicants/{applicant['id']}")


async def make_step(w: World) -> Resource:
    """A step of the pipeline names no row: the applicant in the same path is the resource
    (the 福田 file it would change is read back through the applicant)."""
    applicant = await w.get("applicant_id")
    return Resource("talk", [], f"{V1}/applicants/{applicant.id}/steps")


async def make_archive(w: World) -> Resource:
    """A finished archive of the applicant's file (its link changes per read: no check)."""
    applicant = await w.get("applicant_id")
    made = await w.futian.post(f"{V1}/applicants/{applicant.id}/archives")
    assert made.status_code == 202, made.text
    url = f"{V1}/applicants/{applicant.id}/archives/{made.json()['job_id']}"
    for _ in range(300):
        if (await w.futian.get(url)).json()["status"] in ("succeeded", "failed"):
            break
        await asyncio.sleep(0.1)
    return Resource(made.json()["job_id"], [])


async def make_activity(w: World) -> Resource:
    org = await w.get("org_id")
    await w.get("member_id")
    title = unique("福田隔离活动")
    activity = _created(
        await w.futian.post(
            f"{V1}/activities",
            json={
                "kind": "theme_day",
                "organization_id": org.id,
                "title": title,
                "starts_at": "2026-01-05T09:00:00+08:00",
                "ends_at": "2026-01-05T11:00:00+08:00",
                "qr_required": False,
            },
        )
    )
    return Resource(activity["id"], [title], f"{V1}/activities/{activity['id']}")


async def make_checkin(w: World) -> Resource:
    activity = await w.get("activity_id")
    member = await w.get("member_id")
    checkin = _created(
        await w.futian.post(
            f"{V1}/activities/{activity.id}/checkins", json={"member_id": member.id}
        )
    )
    return Resource(checkin["id"], [], f"{V1}/activities/{activity.id}/checkins")


async def make_leave(w: World) -> Resource:
    activity = await w.get("activity_id")
    member = await w.get("member_id")
    reason = unique("隔离请假")
    leave = _created(
        await w.futian.post(
            f"{V1}/activities/{activity.id}/leave-requests",
            json={"member_id": member.id, "reason": reason},
        )
    )
    return Resource(leave["id"], [reason], f"{V1}/activities/{activity.id}/leave-requests")


async def make_evidence(w: World) -> Resource:
    """An attached photo: slot, upload to the URL the API names, confirm."""
    activity = await w.get("activity_id")
    body = PNG_1PX
    filename = unique("隔离照片") + ".png"
    slot = _created(
        await w.futian.post(
            f"{V1}/activities/{activity.id}/evidence",
            json={
                "kind": "photo",
                "filename": filename,
                "content_type": "image/png",
                "size_bytes": len(body),
                "sha256": hashlib.sha256(body).hexdigest(),
            },
        )
    )
    upload = slot["upload"]
    async with httpx.AsyncClient(timeout=30) as raw:
        put = await raw.request(
            upload["method"], upload["url"], headers=upload["headers"], content=body
        )
        assert put.status_code == 200, put.text
    evidence_id = slot["evidence"]["id"]
    r = await w.futian.post(f"{V1}/evidence/{evidence_id}/confirm")
    assert r.status_code == 200, r.text
    # The list, not the item: the item's download link is freshly signed on every read.
    return Resource(evidence_id, [filename], f"{V1}/activities/{activity.id}/evidence")


async def make_api_client(w: World) -> Resource:
    client = await register(w.futian, ["members:read"])
    return Resource(
        client["id"], [client["name"], client["client_id"]], f"{V1}/api-clients/{client['id']}"
    )


async def make_webhook(w: World) -> Resource:
    """A 福田 client's webhook, for an event the matrix never makes (no delivery goes out)."""
    scopes = ["webhooks:write", "activities:read"]
    client = await client_api(w.futian.http, await register(w.futian, scopes))
    url = f"https://hooks.example.com/{unique('iso')}"
    hook = _created(
        await client.post(f"{V1}/webhooks", json={"url": url, "event_types": ["evidence.deleted"]})
    )
    return Resource(hook["id"], [url, hook["secret"]], f"{V1}/webhooks/{hook['id']}")


async def make_webhook_delivery(w: World) -> Resource:
    """A delivered event of that webhook, inserted as the relay writes them."""
    hook = await w.get("webhook_id")
    marker = unique("隔离投递")
    delivery_id, event_id = uuid.uuid4(), uuid.uuid4()
    body = json.dumps({"type": "evidence.deleted", "data": {"note": marker}}, ensure_ascii=False)
    with psycopg.connect(conninfo_of(w.database.admin), autocommit=True) as conn:
        conn.execute(
            "INSERT INTO webhook_delivery (tenant_id, id, subscription_tenant_id,"
            " subscription_id, event_id, event_type, occurred_at, body, status, attempts,"
            " last_status_code) VALUES (%s, %s, %s, %s, %s, 'evidence.deleted', now(), %s,"
            " 'delivered', 1, 200)",
            (w.futian_tenant["id"], delivery_id, w.futian_tenant["id"], hook.id, event_id, body),
        )
    return Resource(str(delivery_id), [marker], f"{V1}/webhooks/{hook.id}/deliveries/{delivery_id}")


async def make_dues_base(w: World) -> Resource:
    member = await w.get("member_id")
    note = unique("福田基数")
    base = _created(
        await w.futian.post(
            f"{V1}/dues/bases",
            json={
                "member_id": member.id,
                "category": "employed",
                "income_kind": "salary",
                "monthly_income_fen": 654_321,
                "effective_from": "2026-01",
                "note": note,
            },
        )
    )
    return Resource(base["id"], [note], f"{V1}/dues/bases?member_id={member.id}")


async def make_dues_relief(w: World) -> Resource:
    member = await w.get("member_id")
    reason = unique("福田减免")
    relief = _created(
        await w.futian.post(
            f"{V1}/dues/reliefs",
            json={
                "member_id": member.id,
                "kind": "exemption",
                "from_month": "2026-01",
                "to_month": "2026-02",
                "reason": reason,
            },
        )
    )
    return Resource(relief["id"], [reason], f"{V1}/dues/reliefs?member_id={member.id}")


async def make_transfer(w: World) -> Resource:
    """A sent transfer between two 福田 branches (its letter issued)."""
    org = await w.get("org_id")
    member = await make_member(w)
    detail = (await w.futian.get(f"{V1}/organizations/{org.id}")).json()
    parent = detail["organization"]["parent_id"]
    target = _created(
        await w.futian.post(
            f"{V1}/organizations",
            json={"kind": "branch", "name": unique("福田转入支部"), "parent_id": parent},
        )
    )
    note = unique("福田转接")
    started = _created(
        await w.futian.post(
            f"{V1}/transfers",
            json={
                "member_id": member.id,
                "kind": "within_tenant",
                "reason": "work_change",
                "reason_note": note,
                "target_tenant_code": "440304",
                "target_organization_id": target["id"],
            },
        )
    )
    r = await w.futian.post(f"{V1}/transfers/{started['id']}/approve", json={})
    assert r.status_code == 200, r.text
    return Resource(
        started["id"], [note, *member.markers, member.id], f"{V1}/transfers/{started['id']}"
    )


async def make_mobile_certificate(w: World) -> Resource:
    member = await make_member(w)
    reason = unique("福田外出")
    made = _created(
        await w.futian.post(
            f"{V1}/mobile-certificates",
            json={
                "member_id": member.id,
                "host_organization_name": "某单位党支部",
                "valid_from": "2026-12-01",
                "valid_until": "2027-03-01",
                "reason": reason,
            },
        )
    )
    return Resource(made["id"], [reason, member.id], f"{V1}/mobile-certificates/{made['id']}")


async def make_dues_bill(w: World) -> Resource:
    """A 福田 member's bill, paid through the sandbox, with its receipt: inserted as a
    settlement writes them (a bill run and a payment take a whole branch's setup)."""
    member = await w.get("member_id")
    org = await w.get("org_id")
    tid = w.futian_tenant["id"]
    bill_id, payment_id, receipt_id = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    number = unique("DFISO")
    with psycopg.connect(conninfo_of(w.database.admin), autocommit=True) as conn:
        conn.execute(
            "INSERT INTO dues_bill (tenant_id, id, member_id, organization_id, month,"
            " standard_fen, amount_fen, status, back_payment, rule) VALUES (%s, %s, %s, %s,"
            " '2026-01-01', 5000, 5000, 'paid', false, %s)",
            (tid, bill_id, member.id, org.id, BILL_RULE),
        )
        conn.execute(
            "INSERT INTO dues_payment (tenant_id, id, member_id, organization_id, provider,"
            " out_trade_no, amount_fen, currency, status, transaction_id, prepay, created_by,"
            " expires_at, settled_at) VALUES (%s, %s, %s, %s, 'sandbox', %s, 5000, 'CNY',"
            " 'paid', %s, '{}', %s, now(), now())",
            (tid, payment_id, member.id, org.id, payment_id.hex, number, uuid.uuid4()),
        )
        conn.execute(
            "INSERT INTO dues_payment_bill (tenant_id, payment_id, bill_id, month, amount_fen,"
            " settled) VALUES (%s, %s, %s, '2026-01-01', 5000, true)",
            (tid, payment_id, bill_id),
        )
        for kind, amount in (("charge", 5000), ("payment", -5000)):  # the ledger agrees
            conn.execute(
                "INSERT INTO dues_ledger_entry (tenant_id, id, member_id, organization_id,"
                " bill_id, month, kind, amount_fen) VALUES (%s, %s, %s, %s, %s, '2026-01-01',"
                " %s, %s)",
                (tid, uuid.uuid4(), member.id, org.id, bill_id, kind, amount),
            )
        conn.execute(
            "INSERT INTO dues_receipt (tenant_id, id, number, bill_id, payment_id, member_id,"
            " organization_id, month, amount_fen) VALUES (%s, %s, %s, %s, %s, %s, %s,"
            " '2026-01-01', 5000)",
            (tid, receipt_id, number, bill_id, payment_id, member.id, org.id),
        )
    w.made["payment_id"] = Resource(str(payment_id), [number], f"{V1}/dues/payments/{payment_id}")
    return Resource(str(bill_id), [number], f"{V1}/dues/bills/{bill_id}/receipt")


async def make_dues_reconciliation(w: World) -> Resource:
    """A 福田 reconciliation with one difference: a statement row the ledger lacks."""
    order = unique("dfiso").replace("-", "")[:32]
    statement = (
        "交易时间,微信订单号,商户订单号,交易状态,货币种类,订单金额,商户数据包\r\n"
        f"`2026-01-05 10:00:00,`sbx_{order},`{order},`SUCCESS,`CNY,`50.00,"
        f"`{w.futian_tenant['id']} {w.futian_tenant['path']}\r\n"
    )
    made = _created(
        await w.futian.post(
            f"{V1}/dues/reconciliations", json={"day": "2026-01-05", "statement": statement}
        )
    )
    [item] = made["items"]
    w.made["item_id"] = Resource(item["id"], [order], f"{V1}/dues/reconciliations/{made['id']}")
    return Resource(made["id"], [order], f"{V1}/dues/reconciliations/{made['id']}")


async def make_dues_reconciliation_item(w: World) -> Resource:
    await w.get("reconciliation_id")
    return w.made["item_id"]


async def make_dues_payment(w: World) -> Resource:
    await w.get("bill_id")
    return w.made["payment_id"]


async def make_dues_month(w: World) -> Resource:
    """An open dues month of 福田, inserted as opening one writes it (opening needs bills)."""
    month_id = uuid.uuid4()
    with psycopg.connect(conninfo_of(w.database.admin), autocommit=True) as conn:
        conn.execute(
            "INSERT INTO dues_month (tenant_id, id, month, status, opened_bills,"
            " opened_due_fen, opened_by) VALUES (%s, %s, '1999-07-01', 'open', 3, 987654321, %s)",
            (w.futian_tenant["id"], month_id, uuid.uuid4()),
        )
    return Resource(str(month_id), ["987654321"], f"{V1}/dues/months/{month_id}")


PNG_1PX = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00"
    b"\x00\x90wS\xde\x00\x00\x00\x0cIDATx\x9cc\xf8\xcf\xc0\x00\x00\x03\x01\x01\x00\xc9\xfe"
    b"\x92\xef\x00\x00\x00\x00IEND\xaeB`\x82"
)


async def make_point_rule(w: World) -> Resource:
    """A version far in the future (one a day at most, after any made before), so that
    the shared county's check-ins earn nothing under it."""
    r = await w.futian.get(f"{V1}/point-rules", params={"tenant_id": w.futian_tenant["id"]})
    own = [v for v in r.json()["items"] if v["tenant_id"] == w.futian_tenant["id"]]
    start = max((date.fromisoformat(v["effective_from"]) for v in own), default=date(2099, 1, 1))
    name = unique("福田隔离积分")
    made = _created(
        await w.futian.post(
            f"{V1}/point-rules",
            json={
                "effective_from": (start + timedelta(days=1)).isoformat(),
                "items": [{"code": "theme_day", "name": name, "points": 2,
                           "source": "attendance", "activity_kind": "theme_day"}],
            },
        )
    )  # fmt: skip
    return Resource(made["id"], [name], f"{V1}/point-rules/{made['id']}")


async def make_point_award(w: World) -> Resource:
    member = await w.get("member_id")
    reason = unique("福田隔离奖励")
    award = _created(
        await w.futian.post(
            f"{V1}/point-awards", json={"member_id": member.id, "points": 2, "reason": reason}
        )
    )
    return Resource(award["id"], [reason], f"{V1}/point-awards/{award['id']}")


async def make_star_run(w: World) -> Resource:
    """A published member rating of 福田 for a far period (one run per period)."""
    await w.get("member_id")
    r = await w.futian.post(
        f"{V1}/star-ratings",
        json={"subject": "member", "period": "2097", "tenant_id": w.futian_tenant["id"]},
    )
    assert r.status_code == 202, r.text
    run_id = r.json()["id"]
    for _ in range(600):
        run = (await w.futian.get(f"{V1}/star-rating-runs/{run_id}")).json()
        if run["status"] == "published":
            break
        await asyncio.sleep(0.1)
    assert run["status"] == "published", run
    return Resource(run_id, [run_id], f"{V1}/star-rating-runs/{run_id}")


async def make_star_rating(w: World) -> Resource:
    run = await w.get("star_run_id")
    r = await w.futian.get(f"{V1}/star-ratings", params={"run_id": run.id})
    rating_id = r.json()["items"][0]["id"]
    return Resource(rating_id, [rating_id], f"{V1}/star-ratings/{rating_id}")


FIXTURES: dict[str, Callable[[World], Awaitable[Resource]]] = {
    "tenant_id": make_tenant,
    "org_id": make_org,
    "organization_id": make_org,
    "post_id": make_post,
    "user_id": make_user,
    "role_id": make_role,
    "assignment_id": make_assignment,
    "job_id": make_job,
    "member_id": make_member,
    "activity_id": make_activity,
    "checkin_id": make_checkin,
    "leave_id": make_leave,
    "evidence_id": make_evidence,
    "api_client_id": make_api_client,
    "point_rule_id": make_point_rule,
    "point_award_id": make_point_award,
    "star_run_id": make_star_run,
    "star_rating_id": make_star_rating,
    "webhook_id": make_webhook,
    "delivery_id": make_webhook_delivery,
    "applicant_id": make_applicant,
    "archive_id": make_archive,
    "step": make_step,
    "base_id": make_dues_base,
    "relief_id": make_dues_relief,
    "transfer_id": make_transfer,
    "certificate_id": make_mobile_certificate,
    "bill_id": make_dues_bill,
    "payment_id": make_dues_payment,
    "reconciliation_id": make_dues_reconciliation,
    "item_id": make_dues_reconciliation_item,
    "month_id": make_dues_month,
}

# Valid bodies for writes, so that isolation, not validation, is what refuses them.
# Operations missing here get a body built from their schema's examples.
BODIES: dict[str, Callable[[World], dict[str, Any]]] = {
    "updateTenant": lambda w: {"name": "南山越权改名"},
    "updateOrganization": lambda w: {"name": "南山越权改名"},
    "moveOrganization": lambda w: {"parent_id": w.nanshan_org["id"]},
    "addCommitteePost": lambda w: {
        "post": "secretary",
        "holder_name": "越权",
        "term_start": "2026-01-01",
    },
    "updateUser": lambda w: {"display_name": "南山越权改名"},
    "updateRole": lambda w: {"display_name": "南山越权改名"},
    "recordApplicantStep": lambda w: {"occurred_on": "2026-01-05"},
    "recordApplicationForm": lambda w: forms.APPLICATION_FORM_EXAMPLE,
    "recordPoliticalReview": lambda w: forms.POLITICAL_REVIEW_EXAMPLE,
    "recordCultivationRecord": lambda w: forms.CULTIVATION_RECORD_EXAMPLE,
    "reportDuesMonth": lambda w: {"organization_id": w.nanshan_org["id"]},
}


def _operations() -> list[tuple[str, str, dict[str, Any]]]:
    ops = []
    for path, item in DOCUMENT["paths"].items():
        for method in METHODS:
            if method in item:
                ops.append((method.upper(), path, item[method]))
    return ops


def _path_params(op: dict[str, Any]) -> list[str]:
    return [p["name"] for p in op.get("parameters", []) if p["in"] == "path"]


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = DOCUMENT["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _example_body(op: dict[str, Any]) -> dict[str, Any]:
    schema = _resolve(op["requestBody"]["content"]["application/json"]["schema"])
    body: dict[str, Any] = {}
    for name in schema.get("required", []):
        prop = _resolve(schema["properties"][name])
        variants = [prop, *prop.get("oneOf", [])]
        value = next((v["examples"][0] for v in variants if v.get("examples")), None)
        value = (
            value
            if value is not None
            else next((v["enum"][0] for v in variants if v.get("enum")), None)
        )
        if value is None:
            pytest.fail(f"{op['operationId']}: add a body to BODIES (no example for {name})")
        body[name] = value
    return body


RESOURCE_OPS = [
    pytest.param(m, p, op, id=op["operationId"])
    for m, p, op in _operations()
    if any(n not in NOT_TENANT_RESOURCES for n in _path_params(op))
]
LIST_OPS = [
    pytest.param(p, op, id=op["operationId"])
    for m, p, op in _operations()
    if m == "GET" and not _path_params(op) and op.get("security") != [{}]
]


CALLERS = ("admin", "api_client")


@pytest.fixture(scope="module")
async def world(
    futian: Api, nanshan: Api, province: Api, database: DatabaseUrls, tenant_ids: dict[str, str]
) -> World:
    tenant = (await futian.get(f"{V1}/tenants/{tenant_ids['440304']}")).json()
    nanshan_org = _created(
        await nanshan.post(
            f"{V1}/organizations", json={"kind": "party_committee", "name": unique("南山党委")}
        )
    )
    client = await client_api(nanshan.http, await register(nanshan, EVERY_SCOPE))
    unscoped = await client_api(futian.http, await register(futian, ["events:read"]))
    return World(futian, nanshan, province, database, tenant, nanshan_org, client, unscoped)


def _body_text(r: httpx.Response) -> str:
    """The response as text, minus the problem's `instance` (the request path, not data)."""
    try:
        body = r.json()
    except ValueError:
        return r.content.decode("utf-8", "replace")
    if isinstance(body, dict):
        body.pop("instance", None)
    return json.dumps(body, ensure_ascii=False)


async def _url(w: World, path: str, op: dict[str, Any]) -> tuple[str, list[Resource]]:
    resources = []
    for name in _path_params(op):
        res = await w.get(name)
        resources.append(res)
        path = path.replace("{" + name + "}", res.id)
    return path, resources


@pytest.mark.parametrize("caller", [*CALLERS, "unscoped_client"])
@pytest.mark.parametrize(("method", "path", "op"), RESOURCE_OPS)
async def test_sibling_county_gets_nothing(
    world: World, method: str, path: str, op: dict[str, Any], caller: str
) -> None:
    url, resources = await _url(world, path, op)
    before = [(await world.futian.get(r.check_url)).json() for r in resources if r.check_url]
    kwargs: dict[str, Any] = {}
    if op.get("requestBody"):
        maker = BODIES.get(op["operationId"])
        kwargs["json"] = maker(world) if maker else _example_body(op)
    r = await world.sibling(caller).request(method, url, **kwargs)
    assert r.status_code in (403, 404), f"{method} {url} as 南山 {caller}: {r.status_code} {r.text}"
    assert r.headers["content-type"].startswith("application/problem+json")
    text = _body_text(r)
    for res in resources:
        for secret in (res.id, *res.markers):
            assert secret not in text, f"{method} {path} leaked {secret!r}: {text}"
    after = [(await world.futian.get(r.check_url)).json() for r in resources if r.check_url]
    assert after == before, f"{method} {path} as 南山 changed the resource"


@pytest.mark.parametrize(
    ("method", "path", "op"), [p for p in RESOURCE_OPS if p.values[0] == "GET"]
)
async def test_parent_province_sees_it(
    world: World, method: str, path: str, op: dict[str, Any]
) -> None:
    url, resources = await _url(world, path, op)
    r = await world.province.get(url)
    assert r.status_code == 200, f"GET {url} as 广东: {r.status_code} {r.text}"
    if re.search(r"\{[a-z_]+\}$", path):
        assert resources[-1].id in r.text


def _leaks(value: Any, futian_ids: set[str]) -> list[str]:
    found = []
    if isinstance(value, dict):
        for key, item in value.items():
            if key.endswith("id") and isinstance(item, str) and item in futian_ids:
                found.append(f"{key}={item}")
            found += _leaks(item, futian_ids)
    elif isinstance(value, list):
        for item in value:
            found += _leaks(item, futian_ids)
    return found


FILTERS = {
    "tenant_id": "tenant_id",
    "parent_id": "org_id",
    "under": "org_id",
    "organization_id": "org_id",
    "user_id": "user_id",
    "actor_id": "user_id",
}


@pytest.mark.parametrize("caller", [*CALLERS, "unscoped_client"])
@pytest.mark.parametrize(("path", "op"), LIST_OPS)
async def test_sibling_lists_hold_no_row_of_the_other_county(
    world: World, path: str, op: dict[str, Any], caller: str
) -> None:
    if caller == "unscoped_client" and op["operationId"] == "getMe":
        pytest.skip("福田's own client is told who it is: its tenant is 福田")
    for name in ("org_id", "user_id", "role_id", "assignment_id", "post_id"):
        await world.get(name)
    params = {p["name"] for p in op.get("parameters", []) if p["in"] == "query"}
    base = {"limit": 200} if "limit" in params else {}
    attempts = [base] + [
        {**base, q: (await world.get(FILTERS[q])).id} for q in sorted(params & set(FILTERS))
    ]
    markers = [m for res in world.made.values() for m in res.markers]
    for query in attempts:
        r = await world.sibling(caller).get(path, params=query)
        # A client is refused what its scopes do not cover (福田's own client whose scope
        # grants nothing lists none of 福田's rows), an administrator nothing here.
        if len(query) > len(base) or caller != "admin":
            assert r.status_code in (200, 403, 404), f"{path} {query}: {r.status_code} {r.text}"
        else:
            assert r.status_code in (200, 404), f"{path} {query}: {r.status_code} {r.text}"
        try:
            body = r.json()
        except ValueError:
            body = None
        assert not _leaks(body, world.futian_ids()), (path, query)
        text = _body_text(r)
        assert not [m for m in markers if m in text], (path, query)


@pytest.mark.parametrize(
    ("path", "op"),
    [p for p in LIST_OPS if "tenant_id" in {q["name"] for q in p.values[1].get("parameters", [])}],
)
async def test_parent_province_lists_the_county_rows(
    world: World, path: str, op: dict[str, Any]
) -> None:
    await world.get("org_id")
    await world.get("user_id")
    query = {"tenant_id": world.futian_tenant["id"]}
    own = await world.futian.get(path, params=query)
    r = await world.province.get(path, params=query)
    assert r.status_code == own.status_code == 200, r.text
    if not r.headers["content-type"].startswith("application/json"):  # a file (an export)
        assert r.headers["content-type"] == own.headers["content-type"]
        return
    body, own_body = r.json(), own.json()
    if isinstance(body, dict) and "items" in body:
        # What 福田 sees of itself, its province sees too (same filter, same order).
        assert [i.get("id") for i in body["items"]] == [i.get("id") for i in own_body["items"]]
        tenants = {i.get("tenant_id") for i in body["items"]} - {None}
        assert tenants <= {world.futian_tenant["id"]}
        if path.endswith(("/organizations", "/users")):
            assert body["items"], f"{path}: the province should see 福田's rows"
    else:
        assert body == own_body


async def test_creating_into_the_sibling_county_is_refused(world: World) -> None:
    org = await world.get("org_id")
    user = await world.get("user_id")
    tid = world.futian_tenant["id"]
    attempts = [
        ("/organizations", {"kind": "party_committee", "name": "越权", "tenant_id": tid}),
        ("/organizations", {"kind": "party_group", "name": "越权", "parent_id": org.id}),
        (
            "/users",
            {"username": unique("x"), "display_name": "x", "password": PASSWORD, "tenant_id": tid},
        ),
        (
            "/roles",
            {
                "name": "x_" + uuid.uuid4().hex[:8],
                "display_name": "x",
                "permissions": ["organization:read"],
                "tenant_id": tid,
            },
        ),
        ("/role-assignments", {"user_id": user.id, "role": "org_secretary"}),
        (
            "/role-assignments",
            {
                "user_id": (await world.nanshan.get(f"{V1}/me")).json()["id"],
                "role": "org_secretary",
                "organization_id": org.id,
            },
        ),
        ("/tenants", {"code": "440399", "name": "越权", "parent_id": tid}),
    ]
    for path, body in attempts:
        r = await world.nanshan.post(V1 + path, json=body)
        assert r.status_code in (403, 404, 422), f"{path} {body}: {r.status_code} {r.text}"
        assert org.markers[0] not in r.text
    r = await world.futian.get(f"{V1}/organizations", params={"parent_id": org.id})
    assert r.json()["items"] == []


def test_every_resource_parameter_has_a_fixture() -> None:
    names = {n for _, _, op in _operations() for n in _path_params(op)}
    missing = sorted(names - set(FIXTURES) - set(NOT_TENANT_RESOURCES))
    assert not missing, f"add fixtures to FIXTURES in test_isolation.py for: {missing}"
