"""Property (issue 15): over random sequences of bills, payments, notifications (repeated),
orders closed on our side while the member pays after all, and refunds, every member's
paid total is what the ledger says, no bill is paid twice, every paid bill has one
receipt; and a branch's and a tenant's collected totals derive from the ledger entries."""

from __future__ import annotations

import contextlib
import itertools
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from psycopg.types.json import Jsonb

from domain.dues import PaymentProvider
from domain.shared import DomainError
from infra.db.bootstrap import DatabaseUrls, conninfo_of
from infra.db.session import Actor, Database, Scope
from infra.dues import SandboxPlatform, receive_notification, refund_credit, start_payment
from infra.dues.settlement import close_payment, order_of
from tests.conftest import Api
from tests.integration.dues.helpers import V1, member_with_login, ok, unit

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

MONTHS = 3
_months = itertools.count(0, MONTHS)


class AllowAll:
    """The branch staff who decide refunds, for the property's purpose: allowed all."""

    def __init__(self, tenant_path: str) -> None:
        self.tenant_path = tenant_path

    def require(self, obj: str, act: str, domain: str | None = None) -> None:
        return None

    def can(self, obj: str, act: str, domain: str | None = None) -> bool:
        return True

    def scopes(self, obj: str, act: str) -> list[tuple[str, str | None]]:
        return [(self.tenant_path, None)]


@dataclass
class World:
    db: Database
    provider: PaymentProvider
    platform: SandboxPlatform
    admin: psycopg.Connection[Any]
    tenant_id: uuid.UUID
    tenant_path: str
    organization_id: uuid.UUID
    members: list[tuple[uuid.UUID, uuid.UUID]]  # (member, its user)


@pytest.fixture(scope="module")
def admin(database: DatabaseUrls) -> Iterator[psycopg.Connection[Any]]:
    with psycopg.connect(conninfo_of(database.admin), autocommit=True) as conn:
        yield conn


@pytest.fixture(scope="module")
async def world(
    app: Any, http: httpx.AsyncClient, futian: Api, admin: psycopg.Connection[Any]
) -> World:
    place = await unit(http, futian)
    members = []
    for _ in range(2):
        member_id, api = await member_with_login(http, futian, place.branch)
        members.append((uuid.UUID(member_id), uuid.UUID(ok(await api.get(f"{V1}/me"))["id"])))
    tenant = admin.execute(
        "SELECT t.id, t.path::text FROM tenant t JOIN organization o ON o.tenant_id = t.id"
        " WHERE o.id = %s",
        (place.branch,),
    ).fetchone()
    assert tenant is not None
    provider = app.state.payment_providers["sandbox"]
    return World(
        app.state.db,
        provider,
        app.state.dues_sandbox.platform,
        admin,
        tenant[0],
        tenant[1],
        uuid.UUID(place.branch),
        members,
    )


def bill_months(world: World) -> dict[tuple[int, int], uuid.UUID]:
    """Fresh bills (5,000 fen each, charged in the ledger) for every member: months of the
    distant past no other test or example uses."""
    start = next(_months)
    bills = {}
    for m, (member_id, _user) in enumerate(world.members):
        for k in range(MONTHS):
            index = start + k
            month = date(1000 + index // 12, index % 12 + 1, 1)
            bill_id = uuid.uuid4()
            world.admin.execute(
                "INSERT INTO dues_bill (tenant_id, id, member_id, organization_id, month,"
                " standard_fen, amount_fen, status, back_payment, rule)"
                " VALUES (%s, %s, %s, %s, %s, 5000, 5000, 'unpaid', true, %s)",
                (world.tenant_id, bill_id, member_id, world.organization_id, month, BILL_RULE),
            )
            world.admin.execute(
                "INSERT INTO dues_ledger_entry (tenant_id, id, member_id, organization_id,"
                " bill_id, month, kind, amount_fen) VALUES (%s, %s, %s, %s, %s, %s, 'charge',"
                " 5000)",
                (world.tenant_id, uuid.uuid4(), member_id, world.organization_id, bill_id, month),
            )
            bills[(m, k)] = bill_id
    return bills


Step = tuple[str, int, int, int]
steps = st.lists(
    st.tuples(
        st.sampled_from(["pay", "pay", "notify", "notify", "close", "refund", "race"]),
        st.integers(0, 1),  # member
        st.integers(0, MONTHS - 1),  # month, or which of the payments made
        st.sampled_from([1, 1, 2, MONTHS]),  # months at once
    ),
    min_size=3,
    max_size=16,
)


async def pay(world: World, m: int, bill_id: uuid.UUID, months: int) -> str | None:
    _member, user_id = world.members[m]
    try:
        async with world.db.unit_of_work(*who(world, m)) as uow:
            started = await start_payment(
                uow,
                world.provider,
                bill_id=bill_id,
                months=months,
                tenant_id=world.tenant_id,
                user_id=user_id,
                now=datetime.now(UTC),
                expires_in=timedelta(hours=1),
                query_scale=1000.0,  # no order query during the example
            )
    except DomainError:
        return None  # in flight, already paid, or not that many months: nothing made
    return started.payment.out_trade_no


def who(world: World, m: int) -> tuple[Scope, Actor]:
    _member, user_id = world.members[m]
    return Scope(world.tenant_path, user_id), Actor(user_id, "t", world.tenant_id, None, None)


async def notify(world: World, out_trade_no: str) -> None:
    """The member pays at the provider (if not yet) and the notification is delivered."""
    now = datetime.now(UTC)
    await world.platform.pay(out_trade_no, now=now)
    headers, body = await world.platform.notification(out_trade_no, now=now)
    await receive_notification(
        world.db, world.provider, headers, body, now=now, client_addr=None, request_id=None
    )


async def close(world: World, m: int, out_trade_no: str) -> None:
    """Our side gives up on an order (expired) that the member may still pay after all."""
    async with world.db.unit_of_work(*who(world, m)) as uow:
        found = await order_of(uow, world.tenant_id, "sandbox", out_trade_no)
        assert found is not None
        await close_payment(uow, found, datetime.now(UTC))


async def refund(world: World, m: int, out_trade_no: str) -> None:
    async with world.db.unit_of_work(*who(world, m)) as uow:
        found = await order_of(uow, world.tenant_id, "sandbox", out_trade_no)
        assert found is not None
        with contextlib.suppress(DomainError):  # no credit to refund
            await refund_credit(
                uow,
                AllowAll(world.tenant_path),
                {"sandbox": world.provider},
                found.id,
                tenant_id=world.tenant_id,
                user_id=world.members[m][1],
                now=datetime.now(UTC),
            )


def first_bill(world: World, out_trade_no: str) -> uuid.UUID:
    row = world.admin.execute(
        "SELECT pb.bill_id FROM dues_payment_bill pb JOIN dues_payment p"
        " ON p.tenant_id = pb.tenant_id AND p.id = pb.payment_id"
        " WHERE p.out_trade_no = %s ORDER BY pb.month LIMIT 1",
        (out_trade_no,),
    ).fetchone()
    assert row is not None
    return uuid.UUID(str(row[0]))


async def run(world: World, bills: dict[tuple[int, int], uuid.UUID], plan: list[Step]) -> None:
    payments: list[tuple[int, str]] = []  # (member, out_trade_no)
    for action, m, k, months in plan:
        mine = [p for who, p in payments if who == m]
        if action == "pay":
            made = await pay(world, m, bills[(m, k)], months)
            if made:
                payments.append((m, made))
        elif not mine:
            continue
        elif action == "notify":
            await notify(world, mine[k % len(mine)])
        elif action == "close":
            await close(world, m, mine[k % len(mine)])
        elif action == "refund":
            await refund(world, m, mine[k % len(mine)])
        elif action == "race":
            # Closed here while the member pays it, a second order for the same bill, both
            # paid: one settles the bill, the other becomes a credit.
            old = mine[-1]
            await close(world, m, old)
            again = await pay(world, m, first_bill(world, old), 1)
            if again:
                payments.append((m, again))
                await notify(world, again)
            await notify(world, old)


def check(world: World, bills: dict[tuple[int, int], uuid.UUID]) -> None:
    ids = list(bills.values())
    for member_id, _user in world.members:
        from_ledger = world.admin.execute(
            "SELECT -coalesce(sum(amount_fen), 0) FROM dues_ledger_entry WHERE member_id = %s"
            " AND bill_id = ANY(%s) AND kind IN ('payment', 'refund')",
            (member_id, ids),
        ).fetchone()
        from_payments = world.admin.execute(
            "SELECT coalesce(sum(p.amount_fen - p.refunded_fen), 0) FROM dues_payment p"
            " WHERE p.member_id = %s AND p.status = 'paid' AND EXISTS (SELECT 1 FROM"
            " dues_payment_bill b WHERE b.tenant_id = p.tenant_id AND b.payment_id = p.id"
            " AND b.bill_id = ANY(%s))",
            (member_id, ids),
        ).fetchone()
        assert from_ledger == from_payments
    for bill_id in ids:
        row = world.admin.execute(
            "SELECT b.status, (SELECT count(*) FROM dues_payment_bill pb"
            " WHERE pb.tenant_id = b.tenant_id AND pb.bill_id = b.id AND pb.settled),"
            " (SELECT count(*) FROM dues_receipt r"
            " WHERE r.tenant_id = b.tenant_id AND r.bill_id = b.id),"
            " (SELECT coalesce(sum(amount_fen), 0) FROM dues_ledger_entry e"
            " WHERE e.tenant_id = b.tenant_id AND e.bill_id = b.id)"
            " FROM dues_bill b WHERE b.id = %s",
            (bill_id,),
        ).fetchone()
        assert row is not None
        status, settled, receipts, balance = row
        assert settled <= 1, f"bill {bill_id} paid twice"
        assert (status == "paid") == (settled == 1) == (receipts == 1)
        # Paid: nothing owed, less any credit not yet refunded; unpaid: the charge.
        assert (balance <= 0) if status == "paid" else (balance == 5_000)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(plan=steps)
async def test_paid_totals_equal_the_ledger_and_no_bill_is_paid_twice(
    world: World, plan: list[Step]
) -> None:
    bills = bill_months(world)
    await run(world, bills, plan)
    check(world, bills)


def test_branch_and_tenant_totals_derive_from_the_ledger(world: World) -> None:
    """What the ledger says was collected (payments less refunds), per branch and per
    tenant, is what the settled payments say."""
    for column, value in (
        ("organization_id", world.organization_id),
        ("tenant_id", world.tenant_id),
    ):
        from_ledger = world.admin.execute(
            f"SELECT -coalesce(sum(amount_fen), 0) FROM dues_ledger_entry WHERE {column} = %s"
            " AND kind IN ('payment', 'refund')",
            (value,),
        ).fetchone()
        from_payments = world.admin.execute(
            "SELECT coalesce(sum(amount_fen - refunded_fen), 0) FROM dues_payment"
            f" WHERE {column} = %s AND status = 'paid'",
            (value,),
        ).fetchone()
        assert from_ledger == from_payments
        assert from_ledger is not None
