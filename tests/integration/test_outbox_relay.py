"""The outbox relay hands every committed event on, once per handler, in order per aggregate.

Events are written through the real unit of work (and, in one test, through the check-in
hot path over HTTP) into the test database; each test runs its own relay, under its own
name and handler names, beside the app's. Waits poll with generous timeouts.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx
import psycopg
import pytest
from sqlalchemy import text

from infra.db.bootstrap import DatabaseUrls, conninfo_of
from infra.db.session import Database, Scope, UnitOfWork
from infra.platform import outbox
from infra.platform.relay import BatchSubscription, Relay, RelayedEvent, Subscription
from infra.protection import FieldProtector
from infra.settings import Settings
from tests.conftest import Api
from tests.integration.activities.test_checkin_burst import _open_activity
from tests.integration.activities.world import World

TIMEOUT = 60.0


class Seen:
    """What a test handler was handed, in order."""

    def __init__(self) -> None:
        self.events: list[RelayedEvent] = []

    def ids(self, aggregate: str | None = None) -> list[str]:
        return [
            e.payload["n"] for e in self.events if aggregate is None or e.aggregate_id == aggregate
        ]


class CountingRelay(Relay):
    """A relay that counts its rounds, so a test can let it run a few without sleeping.

    Its handlers start at the events committed from now on, not at the beginning of the
    outbox, which in a whole suite's database holds every earlier test's events.
    """

    rounds = 0

    def register(self, name: str, subscription: Subscription) -> None:
        super().register(name, subscription)
        with psycopg.connect(self.conninfo, autocommit=True) as conn:
            conn.execute(
                "INSERT INTO outbox_relay_position (handler, xid)"
                " VALUES (%s, pg_snapshot_xmin(pg_current_snapshot()))"
                " ON CONFLICT (handler) DO NOTHING",
                (name,),
            )
            row = conn.execute(
                "SELECT xid::text FROM outbox_relay_position WHERE handler = %s", (name,)
            ).fetchone()
        assert row is not None
        self.start_at = row[0]

    async def relay_once(self, conn: Any) -> bool:
        busy = await super().relay_once(conn)
        self.rounds += 1
        return busy


async def eventually(check: Callable[[], bool], what: str) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + TIMEOUT
    while not check():
        assert loop.time() < deadline, f"timed out waiting until {what}"
        await asyncio.sleep(0.05)


@pytest.fixture
async def db(settings: Settings) -> AsyncIterator[Database]:
    database = Database(settings.app_database_url or "", pool_size=4)
    yield database
    await database.dispose()


@pytest.fixture(scope="module")
def futian_scope(database: DatabaseUrls) -> tuple[uuid.UUID, Scope]:
    with psycopg.connect(conninfo_of(database.admin)) as conn:
        row = conn.execute("SELECT id, path::text FROM tenant WHERE code = '440304'").fetchone()
    assert row is not None
    return row[0], Scope(row[1])


def _relay(db: Database, settings: Settings, **kw: Any) -> CountingRelay:
    return CountingRelay(
        db,
        conninfo_of(settings.app_database_url or ""),
        name=f"test-{uuid.uuid4().hex[:8]}",
        poll_seconds=0.02,
        retry_base_seconds=0.05,
        retry_cap_seconds=0.2,
        **kw,
    )


@asynccontextmanager
async def running(relay: Relay) -> AsyncIterator[Relay]:
    relay.start()
    try:
        yield relay
    finally:
        await relay.stop()


def _recorder(seen: Seen, aggregates: set[str]) -> Subscription:
    async def handle(uow: UnitOfWork, event: RelayedEvent) -> None:
        if event.aggregate_id in aggregates:
            seen.events.append(event)

    return Subscription(handle)


def _emit(uow: UnitOfWork, tenant_id: uuid.UUID, aggregate: str, n: str) -> None:
    outbox.emit(
        uow,
        tenant_id=tenant_id,
        topic="test.relayed",
        aggregate_type="test",
        aggregate_id=aggregate,
        payload={"n": n},
        organization_id=None,
    )


async def _commit(
    db: Database, scope: tuple[uuid.UUID, Scope], aggregate: str, *numbers: str
) -> None:
    tenant_id, tenant_scope = scope
    async with db.unit_of_work(tenant_scope) as uow:
        for n in numbers:
            _emit(uow, tenant_id, aggregate, n)


async def test_a_rolled_back_change_emits_nothing(
    db: Database, settings: Settings, futian_scope: tuple[uuid.UUID, Scope]
) -> None:
    aggregate = uuid.uuid4().hex
    seen = Seen()
    relay = _relay(db, settings)
    relay.register(f"rec-{aggregate}", _recorder(seen, {aggregate}))
    await _commit(db, futian_scope, aggregate, "before")

    async def failing_change() -> None:
        async with db.unit_of_work(futian_scope[1]) as uow:
            _emit(uow, futian_scope[0], aggregate, "rolled back")
            await uow.session.flush()
            raise RuntimeError("the change fails")

    with pytest.raises(RuntimeError):
        await failing_change()
    await _commit(db, futian_scope, aggregate, "after")
    async with running(relay):
        await eventually(lambda: "after" in seen.ids(), "the later event arrives")
    assert seen.ids() == ["before", "after"]


async def test_a_killed_relay_resumes_and_each_event_is_applied_once(
    db: Database,
    settings: Settings,
    database: DatabaseUrls,
    futian_scope: tuple[uuid.UUID, Scope],
) -> None:
    aggregates = {f"kill-{i}-{uuid.uuid4().hex[:6]}" for i in range(5)}
    numbers = [str(i) for i in range(120)]
    calls: list[str] = []
    half = asyncio.Event()

    async def audit_each(uow: UnitOfWork, event: RelayedEvent) -> None:
        """Applies an event by auditing it: the audit row is the effect counted below."""
        if event.aggregate_id not in aggregates:
            return
        calls.append(event.payload["n"])
        uow.audit("relay.test", "outbox_event", event.id, tenant_id=event.tenant_id)
        if len(calls) == 60:
            half.set()
            await asyncio.sleep(3600)  # the relay is killed in the middle of this batch

    name = f"audit-{uuid.uuid4().hex[:8]}"
    first = _relay(db, settings, batch=40)
    first.register(name, Subscription(audit_each))
    for i, n in enumerate(numbers):
        await _commit(db, futian_scope, sorted(aggregates)[i % 5], n)
    async with running(first):
        await asyncio.wait_for(half.wait(), TIMEOUT)
    # As if the crash also came after applying a batch but before saving the position.
    with psycopg.connect(conninfo_of(database.admin)) as conn:
        conn.execute(
            "UPDATE outbox_relay_position SET xid = %s::xid8, seq = 0 WHERE handler = %s",
            (first.start_at, name),
        )
    second = _relay(db, settings, batch=40)
    second.register(name, Subscription(audit_each))
    second.name = first.name

    def applied() -> dict[str, int]:
        with psycopg.connect(conninfo_of(database.admin)) as conn:
            conn.execute("SET ROLE zhibu_owner")
            rows = conn.execute(
                "SELECT e.payload->>'n', count(*) FROM audit_event a"
                " JOIN outbox_event e ON e.tenant_id = a.tenant_id AND e.id::text = a.resource_id"
                " WHERE a.action = 'relay.test' AND e.aggregate_id = ANY(%s)"
                " GROUP BY 1",
                (list(aggregates),),
            ).fetchall()
        return dict(rows)

    async with running(second):
        await eventually(lambda: len(applied()) == len(numbers), "every event is applied")
    assert applied() == dict.fromkeys(numbers, 1)
    assert len(calls) > len(numbers), "the interrupted batch was handed on again"


async def test_a_failing_handler_retries_while_others_proceed(
    db: Database, settings: Settings, futian_scope: tuple[uuid.UUID, Scope]
) -> None:
    broken, healthy = uuid.uuid4().hex, uuid.uuid4().hex
    failures = {"left": 3}
    flaky_seen, steady_seen = Seen(), Seen()

    async def flaky(uow: UnitOfWork, event: RelayedEvent) -> None:
        if event.aggregate_id == broken and failures["left"] > 0:
            failures["left"] -= 1
            raise ConnectionError("the downstream service is away")
        if event.aggregate_id in {broken, healthy}:
            flaky_seen.events.append(event)

    relay = _relay(db, settings)
    relay.register(f"flaky-{broken}", Subscription(flaky))
    relay.register(f"steady-{broken}", _recorder(steady_seen, {broken, healthy}))
    await _commit(db, futian_scope, broken, "b1")
    await _commit(db, futian_scope, healthy, "h1")
    await _commit(db, futian_scope, broken, "b2")
    await _commit(db, futian_scope, healthy, "h2")
    async with running(relay):
        await eventually(lambda: len(steady_seen.events) == 4, "the steady handler has all")
        await eventually(lambda: flaky_seen.ids(healthy) == ["h1", "h2"], "other aggregates go on")
        await eventually(lambda: flaky_seen.ids(broken) == ["b1", "b2"], "the retries succeed")
    assert failures["left"] == 0
    assert steady_seen.ids() == ["b1", "h1", "b2", "h2"]
    assert flaky_seen.ids() == ["h1", "h2", "b1", "b2"]


async def test_an_event_committed_after_a_later_one_is_not_skipped(
    db: Database, settings: Settings, futian_scope: tuple[uuid.UUID, Scope]
) -> None:
    early, late = uuid.uuid4().hex, uuid.uuid4().hex
    seen = Seen()
    relay = _relay(db, settings)
    relay.register(f"gap-{early}", _recorder(seen, {early, late}))
    async with running(relay):
        async with db.unit_of_work(futian_scope[1]) as slow:
            _emit(slow, futian_scope[0], early, "started first, committed last")
            await slow.session.flush()
            await _commit(db, futian_scope, late, "started second, committed first")
            rounds = relay.rounds
            await eventually(lambda: relay.rounds >= rounds + 5, "the relay has looked again")
        await eventually(lambda: len(seen.events) == 2, "both events arrive")
    assert sorted(seen.ids()) == sorted(
        ["started first, committed last", "started second, committed first"]
    )


async def test_one_aggregates_events_arrive_in_commit_order(
    db: Database, settings: Settings, futian_scope: tuple[uuid.UUID, Scope]
) -> None:
    a, b = uuid.uuid4().hex, uuid.uuid4().hex
    seen = Seen()
    relay = _relay(db, settings, batch=7)
    relay.register(f"order-{a}", _recorder(seen, {a, b}))
    expected_a: list[str] = []
    for i in range(15):
        await _commit(db, futian_scope, a, f"a{i}.1", f"a{i}.2")
        expected_a += [f"a{i}.1", f"a{i}.2"]
        await _commit(db, futian_scope, b, f"b{i}")
    async with running(relay):
        await eventually(lambda: len(seen.events) == 45, "every event arrives")
    assert seen.ids(a) == expected_a
    assert seen.ids(b) == [f"b{i}" for i in range(15)]


async def test_a_batch_handler_gets_each_event_once_in_order_and_a_bad_one_alone(
    db: Database, settings: Settings, futian_scope: tuple[uuid.UUID, Scope]
) -> None:
    aggregate, spoiler = uuid.uuid4().hex, uuid.uuid4().hex
    seen = Seen()
    batches: list[int] = []

    async def handle(uow: UnitOfWork, events: list[RelayedEvent]) -> None:
        mine = [e for e in events if e.aggregate_id in (aggregate, spoiler)]
        if any(e.aggregate_id == spoiler for e in mine) and len(mine) > 1:
            raise RuntimeError("one event spoils its batch")
        if mine:
            batches.append(len(mine))
            seen.events.extend(e for e in mine if e.aggregate_id == aggregate)

    relay = _relay(db, settings, batch=50)
    relay.register(f"batch-{aggregate}", BatchSubscription(handle))
    await _commit(db, futian_scope, aggregate, *(f"{i}" for i in range(10)))
    async with running(relay):
        await eventually(lambda: len(seen.events) == 10, "the first events arrive")
        assert batches == [10]  # one transaction's events, handed over together
        await _commit(db, futian_scope, aggregate, "10")
        await _commit(db, futian_scope, spoiler, "spoils")
        await _commit(db, futian_scope, aggregate, *(f"{i}" for i in range(11, 20)))
        await eventually(lambda: len(seen.events) == 20, "every event arrives")
    assert seen.ids(aggregate) == [f"{i}" for i in range(20)]


async def test_hot_path_checkins_reach_a_handler_in_their_tenant_scope(
    db: Database,
    settings: Settings,
    database: DatabaseUrls,
    http: httpx.AsyncClient,
    futian: Api,
    tenant_ids: dict[str, str],
) -> None:
    protector = FieldProtector.from_settings(settings)
    world = World(http, futian, tenant_ids["440304"], database, protector)
    b = await world.branch(3)
    activity_id, token = await _open_activity(world, b.id)
    found: dict[str, int] = {}

    async def count_visible(uow: UnitOfWork, event: RelayedEvent) -> None:
        if event.aggregate_id != activity_id:
            return
        result = await uow.session.execute(
            text("SELECT count(*) FROM checkin WHERE id = CAST(:id AS uuid)"),
            {"id": event.payload["checkin_id"]},
        )
        found[event.payload["member_id"]] = int(result.scalar_one())

    relay = _relay(db, settings)
    relay.register(f"checkins-{activity_id}", Subscription(count_visible, {"checkin.recorded"}))
    async with running(relay):
        for m in b.members:
            assert m.api is not None
            url = f"/api/v1/activities/{activity_id}/checkins"
            r = await m.api.post(url, json={"token": token})
            assert r.status_code == 201, r.text
        await eventually(lambda: len(found) == 3, "every check-in is handed on")
    assert found == {m.member_id: 1 for m in b.members}


async def test_one_relay_leads_and_another_takes_over_when_it_stops(
    db: Database, settings: Settings, futian_scope: tuple[uuid.UUID, Scope]
) -> None:
    aggregate = uuid.uuid4().hex
    seen = Seen()
    leader, follower = _relay(db, settings), _relay(db, settings)
    follower.name = leader.name
    for relay in (leader, follower):
        relay.register(f"lead-{aggregate}", _recorder(seen, {aggregate}))
    await _commit(db, futian_scope, aggregate, "1")
    async with running(leader):
        await eventually(lambda: seen.ids() == ["1"], "the leader hands the event on")
        follower.start()
        await _commit(db, futian_scope, aggregate, "2")
        await eventually(lambda: seen.ids() == ["1", "2"], "the leader goes on")
        assert follower.rounds == 0, "a second relay of the same name waits"
    try:
        await _commit(db, futian_scope, aggregate, "3")
        await eventually(lambda: seen.ids() == ["1", "2", "3"], "the follower takes over")
    finally:
        await follower.stop()


async def test_a_hung_handler_is_given_up_on_and_retried(
    db: Database, settings: Settings, futian_scope: tuple[uuid.UUID, Scope]
) -> None:
    stuck, other = uuid.uuid4().hex, uuid.uuid4().hex
    hangs = {"left": 2}  # the tenant's batch, then the event alone
    seen = Seen()

    async def hangs_once(uow: UnitOfWork, event: RelayedEvent) -> None:
        if event.aggregate_id == stuck and hangs["left"]:
            hangs["left"] -= 1
            await asyncio.sleep(3600)
        if event.aggregate_id in {stuck, other}:
            seen.events.append(event)

    relay = _relay(db, settings, handler_timeout_seconds=0.5)
    relay.register(f"hang-{stuck}", Subscription(hangs_once))
    await _commit(db, futian_scope, stuck, "s1")
    await _commit(db, futian_scope, other, "o1")
    async with running(relay):
        await eventually(lambda: seen.ids() == ["o1", "s1"], "the hung event is retried")
