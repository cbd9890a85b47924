"""A branch under a party committee with members and the staff the dues rules name: the
branch's secretary and committee member, and the committee's secretary (the next level)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import httpx
import psycopg

from domain.tenancy import PLATFORM_PATH
from infra.db.bootstrap import DatabaseUrls, conninfo_of
from infra.db.session import Actor, Database, Scope
from infra.dues import generate_bills
from tests.conftest import Api, login, unique
from tests.integration.members.helpers import create_member

V1 = "/api/v1"
PASSWORD = "Dues-Pass-2026!"


def created(r: httpx.Response) -> dict[str, Any]:
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


def ok(r: httpx.Response) -> dict[str, Any]:
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


@dataclass
class Unit:
    committee: str
    branch: str
    branch_secretary: Api
    branch_committee: Api
    committee_secretary: Api


async def staff(http: httpx.AsyncClient, admin: Api, role: str, organization_id: str) -> Api:
    username = unique("dues")
    user = created(
        await admin.post(
            f"{V1}/users",
            json={
                "username": username,
                "display_name": "党费" + username[-4:],
                "password": PASSWORD,
            },
        )
    )
    created(
        await admin.post(
            f"{V1}/role-assignments",
            json={"user_id": user["id"], "role": role, "organization_id": organization_id},
        )
    )
    return await login(http, username, PASSWORD)


async def unit(http: httpx.AsyncClient, admin: Api) -> Unit:
    name = unique("党费")
    committee = created(
        await admin.post(f"{V1}/organizations", json={"kind": "party_committee", "name": name})
    )["id"]
    branch = created(
        await admin.post(
            f"{V1}/organizations",
            json={"kind": "branch", "name": name + "支部", "parent_id": committee},
        )
    )["id"]
    return Unit(
        committee=committee,
        branch=branch,
        branch_secretary=await staff(http, admin, "org_secretary", branch),
        branch_committee=await staff(http, admin, "org_committee", branch),
        committee_secretary=await staff(http, admin, "org_secretary", committee),
    )


async def member(admin: Api, branch: str, **overrides: Any) -> str:
    return str((await create_member(admin, branch, **overrides))["id"])


async def member_with_login(http: httpx.AsyncClient, admin: Api, branch: str) -> tuple[str, Api]:
    """A member linked to an account of their own, logged in."""
    username = unique("dy")
    user = created(
        await admin.post(
            f"{V1}/users",
            json={
                "username": username,
                "display_name": "党员" + username[-4:],
                "password": PASSWORD,
            },
        )
    )
    member_id = await member(admin, branch)
    ok(await admin.patch(f"{V1}/members/{member_id}", json={"user_id": user["id"]}))
    return member_id, await login(http, username, PASSWORD)


async def approved_base(
    declarer: Api, approver: Api, member_id: str, effective_from: str = "2020-01", **body: Any
) -> dict[str, Any]:
    declared = created(
        await declarer.post(
            f"{V1}/dues/bases",
            json={
                "member_id": member_id,
                "category": "employed",
                "income_kind": "salary",
                "monthly_income_fen": 500_000,
                "effective_from": effective_from,
                **body,
            },
        )
    )
    return ok(await approver.post(f"{V1}/dues/bases/{declared['id']}/approve"))


def pay(database: DatabaseUrls, bill_id: str, amount_fen: int | None = None) -> None:
    """A payment of a bill (the whole amount unless told) as the payment code writes it: a
    negative `payment` entry of the bill's month in the ledger."""
    with psycopg.connect(conninfo_of(database.admin)) as conn:
        conn.execute(
            "INSERT INTO dues_ledger_entry"
            " (tenant_id, id, member_id, organization_id, bill_id, month, kind, amount_fen)"
            " SELECT tenant_id, gen_random_uuid(), member_id, organization_id, id, month,"
            "  'payment', -coalesce(%s, amount_fen)"
            " FROM dues_bill WHERE id = %s",
            (amount_fen, bill_id),
        )


def refund(database: DatabaseUrls, bill_id: str, amount_fen: int) -> None:
    with psycopg.connect(conninfo_of(database.admin)) as conn:
        conn.execute(
            "INSERT INTO dues_ledger_entry"
            " (tenant_id, id, member_id, organization_id, bill_id, month, kind, amount_fen)"
            " SELECT tenant_id, gen_random_uuid(), member_id, organization_id, id, month,"
            "  'refund', %s"
            " FROM dues_bill WHERE id = %s",
            (amount_fen, bill_id),
        )


async def bill_months(
    db: Database, tenant_id: str, months: list[date], *, now: datetime | None = None
) -> None:
    """Run the bills of these months for a tenant, as the schedule's system actor."""
    tenant = uuid.UUID(tenant_id)
    actor = Actor(None, "test", tenant, None, None)
    for month in months:
        await generate_bills(
            db,
            Scope(PLATFORM_PATH),
            actor,
            tenant_id=tenant,
            month=month,
            now=now or datetime.now(UTC),
        )
