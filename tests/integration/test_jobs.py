"""Durable background jobs through real PostgreSQL and real HTTP.

The tests run their own `JobRunner`s beside the server's, with job kinds only they handle,
so the server's runner never claims their jobs. Nothing here measures time: the tests
poll with generous timeouts, and move a retry's `run_after` instead of waiting for it.
"""

from __future__ import annotations

import asyncio
import sys
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import psycopg
import pytest
from sqlalchemy import text

from domain.shared import DomainError, Message
from domain.shared.retries import RetryPolicy
from infra.db.bootstrap import DatabaseUrls, conninfo_of
from infra.db.session import Actor, Database, Scope
from infra.platform.jobs import JobContext, enqueue
from infra.platform.runner import JobRunner
from infra.settings import Settings
from tests.conftest import Api, unique


@dataclass(frozen=True)
class Creator:
    tenant_id: uuid.UUID
    user_id: uuid.UUID
    path: str


def _owner(database: DatabaseUrls) -> psycopg.Connection[Any]:
    conn = psycopg.connect(conninfo_of(database.admin), autocommit=True)
    conn.execute("SET ROLE zhibu_owner")
    return conn


def _creator(database: DatabaseUrls, username: str) -> Creator:
    with _owner(database) as conn:
        row = conn.execute(
            "SELECT u.tenant_id, u.id, t.path::text FROM app_user u"
            " JOIN tenant t ON t.id = u.tenant_id WHERE u.username = %s",
            (username,),
        ).fetchone()
    assert row is not None
    return Creator(*row)


@pytest.fixture(scope="module")
async def db(settings: Settings) -> AsyncIterator[Database]:
    database = Database(settings.app_database_url or "", pool_size=4)
    yield database
    await database.dispose()


async def _enqueue(db: Database, who: Creator, kind: str, input: bytes | None = None) -> str:
    actor = Actor(who.user_id, None, who.tenant_id, None, "test")
    async with db.unit_of_work(Scope(who.path, who.user_id), actor) as uow:
        job = await enqueue(
            uow, tenant_id=who.tenant_id, created_by=who.user_id, kind=kind, params={}, input=input
        )
    return str(job.id)


async def _until(check: Callable[[], Awaitable[Any]]) -> Any:
    """Poll until `check` returns something truthy; fail after a generous minute."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 60
    while True:
        value = await check()
        if value:
            return value
        assert loop.time() < deadline, "timed out waiting"
        await asyncio.sleep(0.05)


async def _status(api: Api, job_id: str, *wanted: str) -> dict[str, Any] | None:
    r = await api.get(f"/api/v1/jobs/{job_id}")
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body if body["status"] in wanted else None


@asynccontextmanager
async def _running(runner: JobRunner, settings: Settings) -> AsyncIterator[JobRunner]:
    await runner.start(conninfo_of(settings.app_database_url or ""))
    try:
        yield runner
    finally:
        await runner.stop()


def _due_now(database: DatabaseUrls, job_id: str) -> float:
    """Seconds the job still had to wait before its retry; then make it due at once."""
    with _owner(database) as conn:
        row = conn.execute(
            "SELECT extract(epoch FROM run_after - now())::float FROM job WHERE id = %s",
            (job_id,),
        ).fetchone()
        conn.execute("UPDATE job SET run_after = now() WHERE id = %s", (job_id,))
    assert row is not None
    return float(row[0])


async def test_a_failing_job_backs_off_then_fails_with_its_error_and_an_admin_retries_it(
    db: Database, database: DatabaseUrls, futian: Api, secretary: Api
) -> None:
    who = _creator(database, "futian_admin")
    kind = unique("test.flaky.")
    calls: list[int] = []
    broken = [True]

    async def flaky(job: JobContext) -> dict[str, Any]:
        calls.append(job.attempt)
        if broken[0]:
            raise RuntimeError("the payment provider timed out")
        return {"attempt": job.attempt}

    runner = JobRunner(db, rand=lambda: 0.5)
    runner.register(kind, flaky, RetryPolicy(max_attempts=3, base_seconds=40, cap_seconds=600))
    job_id = await _enqueue(db, who, kind)

    assert await runner.run_next()
    job = await _status(futian, job_id, "queued")
    assert job is not None, "a failed attempt goes back to the queue"
    assert job["error"]["exception"] == "RuntimeError"
    assert job["error"]["attempts"] == 1
    assert not await runner.run_next(), "nothing runs while the backoff lasts"
    first_wait = _due_now(database, job_id)
    assert await runner.run_next()
    second_wait = _due_now(database, job_id)
    # Equal jitter with rand 0.5: three quarters of 40 s, then of 80 s (minus time spent).
    assert 20 < first_wait <= 30
    assert 50 < second_wait <= 60
    assert await runner.run_next()
    assert calls == [1, 2, 3]

    failed = await _status(futian, job_id, "failed")
    assert failed is not None, "the third failure used up the budget"
    assert failed["error"]["code"] == "internal_error"
    assert failed["error"]["attempts"] == 3
    r = await futian.get("/api/v1/jobs", params={"status": "failed", "kind": kind})
    assert [j["id"] for j in r.json()["items"]] == [job_id]
    r = await futian.get("/api/v1/jobs", params={"status": "queued", "kind": kind})
    assert r.json()["items"] == []

    assert (await secretary.post(f"/api/v1/jobs/{job_id}/retry")).status_code == 403
    r = await futian.post(f"/api/v1/jobs/{job_id}/retry")
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "queued"
    events = await futian.get("/api/v1/audit-events", params={"action": "job.retry"})
    assert job_id in [e["resource_id"] for e in events.json()["items"]]

    broken[0] = False
    assert await runner.run_next()
    done = await _status(futian, job_id, "succeeded")
    assert done is not None
    assert done["result"] == {"attempt": 1}, "a retried job starts a fresh budget"
    assert done["error"] is None
    r = await futian.post(f"/api/v1/jobs/{job_id}/retry")
    assert r.status_code == 409
    assert r.json()["code"] == "job_state_conflict"


async def test_a_job_refused_by_a_rule_fails_at_once_and_drops_its_input(
    db: Database, database: DatabaseUrls, futian: Api
) -> None:
    who = _creator(database, "futian_admin")
    kind = unique("test.refused.")

    async def refuses(job: JobContext) -> dict[str, Any]:
        raise DomainError("file_unreadable", Message("文件无法读取。", "The file is unreadable."))

    runner = JobRunner(db)
    runner.register(kind, refuses, RetryPolicy(max_attempts=5))
    job_id = await _enqueue(db, who, kind, input=b"not a spreadsheet")
    assert await runner.run_next()
    failed = await _status(futian, job_id, "failed")
    assert failed is not None, "bad input is not retried"
    assert failed["error"]["code"] == "file_unreadable"
    assert failed["error"]["message"] == "文件无法读取。"
    assert failed["attempts"] == 1
    with _owner(database) as conn:
        row = conn.execute("SELECT input IS NULL FROM job WHERE id = %s", (job_id,)).fetchone()
    assert row == (True,)


async def test_an_admin_cancels_a_queued_and_a_running_job(
    db: Database, database: DatabaseUrls, settings: Settings, futian: Api, secretary: Api
) -> None:
    who = _creator(database, "futian_admin")
    queued = await _enqueue(db, who, unique("test.nobody."))
    assert (await secretary.post(f"/api/v1/jobs/{queued}/cancel")).status_code == 403
    r = await futian.post(f"/api/v1/jobs/{queued}/cancel")
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "cancelled"
    r = await futian.post(f"/api/v1/jobs/{queued}/cancel")
    assert r.status_code == 409
    events = await futian.get("/api/v1/audit-events", params={"action": "job.cancel"})
    assert queued in [e["resource_id"] for e in events.json()["items"]]

    kind = unique("test.long.")
    stopped = asyncio.Event()

    async def long(job: JobContext) -> dict[str, Any]:
        await job.progress(1, 10)
        try:
            await asyncio.Event().wait()
        finally:
            stopped.set()
        return {}

    runner = JobRunner(db, poll_seconds=0.05, lease_seconds=0.6)
    runner.register(kind, long)
    async with _running(runner, settings):
        running = await _enqueue(db, who, kind)
        await _until(lambda: _status(futian, running, "running"))
        r = await futian.post(f"/api/v1/jobs/{running}/cancel")
        assert r.status_code == 200, r.text
        await asyncio.wait_for(stopped.wait(), 60)
    assert await _status(futian, running, "cancelled") is not None


async def test_a_job_whose_worker_died_is_run_again_from_the_start(
    db: Database, database: DatabaseUrls, settings: Settings, futian: Api
) -> None:
    who = _creator(database, "futian_admin")
    kind = unique("test.crash.")
    halfway = asyncio.Event()

    async def dies_halfway(job: JobContext) -> dict[str, Any]:
        await job.progress(5, 10)
        halfway.set()
        await asyncio.Event().wait()
        return {}

    async def finishes(job: JobContext) -> dict[str, Any]:
        async with job.unit_of_work() as uow:
            seen = (
                await uow.session.execute(
                    text("SELECT progress_done FROM job WHERE id = :id"), {"id": job.job_id}
                )
            ).scalar_one()
        return {"attempt": job.attempt, "progress_at_start": seen}

    doomed = JobRunner(db, lease_seconds=1)
    doomed.register(kind, dies_halfway)
    job_id = await _enqueue(db, who, kind)
    worker = asyncio.create_task(doomed.run_next())
    await asyncio.wait_for(halfway.wait(), 60)
    assert (await _status(futian, job_id, "running") or {}).get("progress_done") == 5
    worker.cancel()  # the worker is gone: no heartbeat, no final write
    with pytest.raises(asyncio.CancelledError):
        await worker

    survivor = JobRunner(db, poll_seconds=0.05, lease_seconds=1)
    survivor.register(kind, finishes)
    async with _running(survivor, settings):
        done = await _until(lambda: _status(futian, job_id, "succeeded"))
    assert done["attempts"] == 2
    assert done["result"] == {"attempt": 2, "progress_at_start": 0}


async def test_a_schedule_runs_once_per_slot_with_two_runners(
    db: Database, database: DatabaseUrls, settings: Settings
) -> None:
    name = unique("test.tick.")
    runs: list[tuple[str, datetime]] = []
    runners = [JobRunner(db, poll_seconds=0.02), JobRunner(db, poll_seconds=0.02)]
    for label, runner in zip("ab", runners, strict=True):

        async def tick(slot: datetime, label: str = label) -> None:
            runs.append((label, slot))

        runner.schedule(name, "* * * * * *", tick)  # every second

    async def enough() -> bool:
        return len({slot for _, slot in runs}) >= 3

    async with _running(runners[0], settings), _running(runners[1], settings):
        await _until(enough)
    slots = [slot for _, slot in runs]
    assert len(slots) == len(set(slots)), f"a slot ran twice: {sorted(runs)}"
    with _owner(database) as conn:
        row = conn.execute(
            "SELECT count(*) FROM job_schedule_run WHERE schedule = %s", (name,)
        ).fetchone()
    assert row is not None
    assert row[0] == len(slots)


# A second process: one runner with the same schedule, printing each slot it ran.
_OTHER_PROCESS = """
import asyncio, sys
from infra.db.session import Database
from infra.platform.runner import JobRunner

async def main(url, name):
    runner = JobRunner(Database(url, pool_size=2), poll_seconds=0.02)

    async def tick(slot):
        print(slot.isoformat(), flush=True)

    runner.schedule(name, "* * * * * *", tick)
    await runner.start()
    await asyncio.Event().wait()

asyncio.run(main(sys.argv[1], sys.argv[2]))
"""


async def test_a_schedule_runs_once_per_slot_across_two_processes(
    db: Database, settings: Settings
) -> None:
    name = unique("test.tick.")
    here: list[datetime] = []
    there: list[datetime] = []

    async def tick(slot: datetime) -> None:
        here.append(slot)

    runner = JobRunner(db, poll_seconds=0.02)
    runner.schedule(name, "* * * * * *", tick)
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        _OTHER_PROCESS,
        settings.app_database_url or "",
        name,
        stdout=asyncio.subprocess.PIPE,
    )

    async def read() -> None:
        assert child.stdout is not None
        async for line in child.stdout:
            there.append(datetime.fromisoformat(line.decode().strip()))

    reader = asyncio.create_task(read())

    async def both_won_slots() -> bool:
        assert child.returncode is None, "the other process died"
        return bool(here) and bool(there) and len({*here, *there}) >= 3

    try:
        async with _running(runner, settings):
            await _until(both_won_slots)
    finally:
        child.terminate()
        await child.wait()
        await reader
    slots = here + there
    assert len(slots) == len(set(slots)), f"a slot ran twice: {sorted(here)} {sorted(there)}"


async def test_a_runner_that_stops_cleanly_hands_its_job_back(
    db: Database, database: DatabaseUrls, settings: Settings, futian: Api
) -> None:
    who = _creator(database, "futian_admin")
    kind = unique("test.shutdown.")
    started = asyncio.Event()

    async def long(job: JobContext) -> dict[str, Any]:
        await job.progress(3, 10)
        started.set()
        await asyncio.Event().wait()
        return {}

    runner = JobRunner(db, poll_seconds=0.05)
    runner.register(kind, long)
    job_id = await _enqueue(db, who, kind)
    await runner.start()
    await asyncio.wait_for(started.wait(), 60)
    await runner.stop()
    job = await _status(futian, job_id, "queued")
    assert job is not None, "a deploy does not leave the job to wait for its lease"
    assert job["attempts"] == 0
    assert job["progress_done"] == 0


async def test_a_job_that_kills_its_worker_every_time_ends_failed(
    db: Database, database: DatabaseUrls, settings: Settings, futian: Api
) -> None:
    who = _creator(database, "futian_admin")
    kind = unique("test.poison.")
    claimed = asyncio.Event()

    async def hangs(job: JobContext) -> dict[str, Any]:
        claimed.set()
        await asyncio.Event().wait()
        return {}

    job_id = await _enqueue(db, who, kind)
    for _ in range(2):
        claimed.clear()
        doomed = JobRunner(db, poll_seconds=0.05, lease_seconds=0.5)
        doomed.register(kind, hangs, RetryPolicy(max_attempts=2))
        worker = asyncio.create_task(_until(doomed.run_next))
        await asyncio.wait_for(claimed.wait(), 60)
        worker.cancel()
        with pytest.raises(asyncio.CancelledError):
            await worker

    survivor = JobRunner(db, poll_seconds=0.05, lease_seconds=0.5)
    survivor.register(kind, hangs, RetryPolicy(max_attempts=2))
    async with _running(survivor, settings):
        failed = await _until(lambda: _status(futian, job_id, "failed"))
    assert failed["error"]["code"] == "job_attempts_exhausted"
    assert failed["error"]["attempts"] == 2


async def test_an_enqueue_in_another_process_wakes_a_sleeping_runner(
    db: Database, database: DatabaseUrls, settings: Settings, futian: Api
) -> None:
    who = _creator(database, "futian_admin")
    kind = unique("test.wake.")

    async def quick(job: JobContext) -> dict[str, Any]:
        return {"ok": True}

    runner = JobRunner(db, poll_seconds=3600)  # without NOTIFY it would sleep for an hour
    runner.register(kind, quick)
    other = Database(settings.app_database_url or "", pool_size=1)
    try:
        async with _running(runner, settings):
            await asyncio.sleep(0.3)  # let its first round find nothing and go to sleep
            job_id = await _enqueue(other, who, kind)
            await _until(lambda: _status(futian, job_id, "succeeded"))
    finally:
        await other.dispose()


async def test_a_job_sees_only_its_creators_tenant(
    db: Database, database: DatabaseUrls, futian: Api, nanshan: Api
) -> None:
    kind = unique("test.scope.")

    async def census(job: JobContext) -> dict[str, Any]:
        async with job.unit_of_work() as uow:
            tenants = (
                await uow.session.execute(text("SELECT DISTINCT tenant_id::text FROM app_user"))
            ).scalars()
            jobs = await uow.session.execute(text("SELECT DISTINCT tenant_id::text FROM job"))
            return {"users": sorted(tenants), "jobs": sorted(jobs.scalars())}

    runner = JobRunner(db)
    runner.register(kind, census)
    results = {}
    for api, username in ((futian, "futian_admin"), (nanshan, "nanshan_admin")):
        who = _creator(database, username)
        job_id = await _enqueue(db, who, kind)
        assert await runner.run_next()
        done = await _status(api, job_id, "succeeded")
        assert done is not None
        assert done["result"] == {"users": [str(who.tenant_id)], "jobs": [str(who.tenant_id)]}
        results[username] = job_id
    r = await futian.get(f"/api/v1/jobs/{results['nanshan_admin']}")
    assert r.status_code == 404
