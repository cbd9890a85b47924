"""Check-in throughput: the full stack against a bare insert, in the same run.

    python -m bench.checkin [--requests 9600] [--concurrency 32] [--rounds 2] [--results F]

The full stack is `POST /api/v1/activities/{id}/checkins` by 32 members, each with their
own bearer token, a fresh `Idempotency-Key` and the activity's rotating QR token: JWT check,
tenant scope (row-level security on the writes; the context read applies the same scope
itself), the member's rights from their record, a province-sized Casbin staff policy
loaded as in production, validation by the check-in rules, the insert with its outbox
event and audit event, the idempotency record, each request answered once its own
check-in is committed (concurrent check-ins share transactions: see
infra/activities/fast_checkin.py). The floor
is a bare Litestar handler (below, `create_floor_app`) that decodes the same kind of body
and inserts one row into the same PostgreSQL with psycopg. Both run under uvicorn with two
workers on loopback, loaded by `concurrency` keep-alive connections (the small asyncio
HTTP/1.1 client of bench.run, so the client's own cost does not cap the floor).

Every API request checks a member into a different activity, so each one is a real insert
(no duplicates). A second figure times one offline sync batch of 500 check-ins
(`POST /api/v1/checkins/sync`), then its replay.

Prints a table and writes bench/results-checkin.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import secrets
import statistics
import time
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import msgspec
import psycopg
from litestar import Litestar, get, post
from psycopg_pool import AsyncConnectionPool

from bench.run import UNLIMITED, _read_response, load_staff_policy, prepare_database, serve
from domain.activities import mint_checkin_token, token_step
from domain.shared import new_id
from domain.tenancy import org_child_path
from infra.db.bootstrap import (
    OWNER_ROLE,
    app_url_for,
    conninfo_of,
)
from infra.protection import FieldProtector
from infra.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "var" / "bench"
RESULTS = Path(__file__).resolve().parent / "results-checkin.json"
DATABASE = "zhibu_bench_checkin"
WORKERS = 2
SYNC_BATCH = 500
MEMBER_PASSWORD = "Bench-Member-2026"
STATUSES: dict[int, int] = {}  # unexpected answers by status, reported with the errors


# ---------------------------------------------------------------- the floor


class FloorCheckin(msgspec.Struct, forbid_unknown_fields=True):
    activity_id: uuid.UUID
    member_id: uuid.UUID
    token: str


def create_floor_app() -> Litestar:
    """A bare handler: decode the body, insert one row, answer 201. Nothing else."""
    pool = AsyncConnectionPool(
        os.environ["BENCH_DATABASE_URL"],
        min_size=4,
        max_size=int(os.environ.get("BENCH_POOL_SIZE", "10")),
        open=False,
    )

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        await pool.open()
        try:
            yield
        finally:
            await pool.close()

    @post("/floor/checkins")
    async def checkin(data: FloorCheckin) -> dict[str, Any]:
        row_id = uuid.uuid4()
        now = datetime.now(UTC)
        async with pool.connection() as conn:
            await conn.execute(
                "INSERT INTO bench_floor_checkin (id, activity_id, member_id, token, occurred_at)"
                " VALUES (%s, %s, %s, %s, %s)",
                (row_id, data.activity_id, data.member_id, data.token, now),
            )
        return {
            "id": row_id,
            "activity_id": data.activity_id,
            "member_id": data.member_id,
            "occurred_at": now,
        }

    @get("/health", sync_to_thread=False)
    def health() -> dict[str, str]:
        return {"status": "ok"}

    return Litestar(
        [checkin, health], lifespan=[lifespan], openapi_config=None, logging_config=None
    )


# ---------------------------------------------------------------- data


@dataclass
class World:
    admin_url: str
    app_url: str
    tenant_id: uuid.UUID
    members: list[tuple[uuid.UUID, str]]  # (member id, username)
    sync_member: tuple[uuid.UUID, str]
    activities: list[uuid.UUID]
    assignments: int


def prepare(settings: Settings, password: str, n_members: int, n_activities: int) -> World:
    admin, _ = prepare_database(settings, password, DATABASE)
    assignments = load_staff_policy(admin, 5_000)
    protector = FieldProtector.from_settings(settings)
    from infra.security import hash_password

    member_hash = hash_password(MEMBER_PASSWORD)
    now = datetime.now(UTC)
    with psycopg.connect(conninfo_of(admin)) as conn:
        conn.execute(f"SET ROLE {OWNER_ROLE}")
        row = conn.execute("SELECT id FROM tenant WHERE code = '440304'").fetchone()
        assert row is not None
        tenant_id = row[0]
        branch_id = new_id()
        branch_path = org_child_path(None, branch_id)
        conn.execute(
            "INSERT INTO organization (tenant_id, id, kind, name, path)"
            " VALUES (%s, %s, 'branch', '签到压测党支部', %s::ltree)",
            (tenant_id, branch_id, branch_path),
        )
        people: list[tuple[uuid.UUID, str]] = []
        for i in range(n_members + 1):
            user_id, member_id = new_id(), new_id()
            username = f"bench_member_{i}"
            conn.execute(
                "INSERT INTO app_user (tenant_id, id, username, display_name, password_hash)"
                " VALUES (%s, %s, %s, %s, %s)",
                (tenant_id, user_id, username, f"压测党员{i}", member_hash),
            )
            conn.execute(
                "INSERT INTO login_identity (identifier, tenant_id, user_id) VALUES (%s, %s, %s)",
                (f"u:{username}", tenant_id, user_id),
            )
            protected = protector.id_number(f"44030419800101{i:04d}")
            conn.execute(
                "INSERT INTO member (tenant_id, id, organization_id, user_id, name, gender,"
                " birth_date, id_number_enc, id_number_bidx, id_number_masked, status,"
                " admitted_on, full_member_on)"
                " VALUES (%s, %s, %s, %s, %s, 'male', %s, %s, %s, %s, 'full', %s, %s)",
                (
                    tenant_id,
                    member_id,
                    branch_id,
                    user_id,
                    f"压测党员{i}",
                    date(1980, 1, 1),
                    protected.ciphertext,
                    protected.blind_index,
                    protected.masked,
                    date(2010, 7, 1),
                    date(2011, 7, 1),
                ),
            )
            people.append((member_id, username))
        activities = [new_id() for _ in range(n_activities)]
        with conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO activity (tenant_id, id, organization_id, kind, title, starts_at,"
                " ends_at, qr_required, status) VALUES (%s, %s, %s, 'theme_day', %s, %s, %s,"
                " true, 'ongoing')",
                [
                    (
                        tenant_id,
                        a,
                        branch_id,
                        f"压测主题党日{i}",
                        now - timedelta(minutes=10),
                        now + timedelta(hours=3),
                    )
                    for i, a in enumerate(activities)
                ],
            )
            cur.executemany(
                "INSERT INTO activity_organization (tenant_id, activity_id, organization_id,"
                " is_organizer) VALUES (%s, %s, %s, true)",
                [(tenant_id, a, branch_id) for a in activities],
            )
            cur.executemany(
                "INSERT INTO activity_attendee (tenant_id, activity_id, member_id,"
                " organization_id, member_status) VALUES (%s, %s, %s, %s, 'full')",
                [(tenant_id, a, m, branch_id) for a in activities for m, _ in people],
            )
        conn.execute(
            "CREATE TABLE bench_floor_checkin (id uuid PRIMARY KEY, activity_id uuid NOT NULL,"
            " member_id uuid NOT NULL, token text NOT NULL, occurred_at timestamptz NOT NULL)"
        )
        conn.commit()
        conn.execute("ANALYZE")  # statistics as a running database has them (see bench.run)
        conn.commit()
    return World(
        admin,
        app_url_for(admin, settings.app_db_password_value),
        tenant_id,
        people[:n_members],
        people[n_members],
        activities,
        assignments,
    )


def analyze(admin_url: str) -> None:
    """Statistics as a running database has them, taken again once the warm-up has written.

    `prepare` analyses tables the load has not written yet (check-ins, stored keys, events,
    the ledger), and analysed empty they plan as empty: the hot path's statements, planned
    once per connection in the warm-up, then scanned every check-in and stored key of the
    run for each new one (measured, session 11: 67.8 M rows read by 7,004 scans of
    `idempotency_key` in one run; PostgreSQL's CPU per round of 9,600 check-ins grew from
    5.4 to 9.2 s while the floor's held). A running database has a table analysed by
    autovacuum within a minute of its first rows; a one-minute benchmark never gets there.
    ANALYZE invalidates the cached plans, so the measured rounds plan as production does.
    """
    with psycopg.connect(conninfo_of(admin_url), autocommit=True) as conn:
        conn.execute("ANALYZE")


# ---------------------------------------------------------------- load


@dataclass
class Measurement:
    name: str
    requests: int
    errors: int
    seconds: float
    rps: float
    p50_ms: float
    p99_ms: float
    max_ms: float


def _request(port: int, path: str, body: bytes, headers: dict[str, str]) -> bytes:
    extra = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    return (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n{extra}\r\n"
    ).encode() + body


RequestMaker = Callable[[], bytes]


async def _load(
    port: int, clients: list[list[RequestMaker]], expect: int
) -> tuple[list[float], int, float]:
    """Each client sends its own requests over one keep-alive connection.

    Requests are built when sent, so a QR token is minted in the step it is used in.
    """
    latencies: list[float] = []
    errors = 0

    async def client(makers: list[RequestMaker]) -> None:
        nonlocal errors
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            for make in makers:
                request = make()
                started = time.perf_counter()
                writer.write(request)
                status = await _read_response(reader)
                latencies.append(time.perf_counter() - started)
                if status != expect:
                    errors += 1
                    STATUSES[status] = STATUSES.get(status, 0) + 1
        finally:
            writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(client(r) for r in clients))
    return latencies, errors, time.perf_counter() - started


def _summarize(name: str, latencies: list[float], errors: int, seconds: float) -> Measurement:
    ordered = sorted(latencies)
    return Measurement(
        name=name,
        requests=len(ordered),
        errors=errors,
        seconds=round(seconds, 3),
        rps=round(len(ordered) / seconds, 1),
        p50_ms=round(statistics.median(ordered) * 1000, 2),
        p99_ms=round(ordered[max(int(len(ordered) * 0.99) - 1, 0)] * 1000, 2),
        max_ms=round(ordered[-1] * 1000, 2),
    )


class Plan:
    """Hands out activities so that no member checks into the same one twice."""

    def __init__(self, activities: list[uuid.UUID]) -> None:
        self.activities = activities
        self.next = 0

    def take(self, n: int) -> list[uuid.UUID]:
        chunk = self.activities[self.next : self.next + n]
        if len(chunk) < n:
            raise RuntimeError("not enough activities prepared")
        self.next += n
        return chunk


class QrCodes:
    """The code on display for each activity, minted once per 30-second step."""

    def __init__(self, secret: bytes) -> None:
        self.secret = secret
        self.cache: dict[tuple[uuid.UUID, int], str] = {}

    def __call__(self, activity_id: uuid.UUID) -> str:
        now = datetime.now(UTC)
        key = (activity_id, token_step(now))
        code = self.cache.get(key)
        if code is None:
            code = self.cache[key] = mint_checkin_token(activity_id, secret=self.secret, now=now)
        return code


def api_requests(
    port: int, tokens: list[str], activities: list[uuid.UUID], qr: QrCodes
) -> list[list[RequestMaker]]:
    def maker(token: str, a: uuid.UUID) -> RequestMaker:
        return lambda: _request(
            port,
            f"/api/v1/activities/{a}/checkins",
            msgspec.json.encode({"token": qr(a)}),
            {"Authorization": f"Bearer {token}", "Idempotency-Key": uuid.uuid4().hex},
        )

    return [[maker(token, a) for a in activities] for token in tokens]


def floor_requests(
    port: int, members: list[uuid.UUID], activities: list[uuid.UUID], qr: QrCodes
) -> list[list[RequestMaker]]:
    def maker(m: uuid.UUID, a: uuid.UUID) -> RequestMaker:
        return lambda: _request(
            port,
            "/floor/checkins",
            msgspec.json.encode({"activity_id": a, "member_id": m, "token": qr(a)}),
            {},
        )

    return [[maker(m, a) for a in activities] for m in members]


def _login(port: int, username: str, password: str) -> str:
    r = httpx.post(
        f"http://127.0.0.1:{port}/api/v1/auth/login",
        json={"username": username, "password": password},
        timeout=30,
    )
    r.raise_for_status()
    return str(r.json()["access_token"])


def sync_batch(port: int, token: str, activities: list[uuid.UUID], secret: bytes) -> dict[str, Any]:
    at = datetime.now(UTC) - timedelta(minutes=1)
    items = [
        {
            "client_id": str(uuid.uuid4()),
            "activity_id": str(a),
            "occurred_at": at.isoformat(),
            "token": mint_checkin_token(a, secret=secret, now=at),
        }
        for a in activities
    ]
    url = f"http://127.0.0.1:{port}/api/v1/checkins/sync"
    headers = {"Authorization": f"Bearer {token}"}
    timings = {}
    for label in ("first", "replay"):
        started = time.perf_counter()
        r = httpx.post(url, json={"items": items}, headers=headers, timeout=120)
        timings[label] = time.perf_counter() - started
        r.raise_for_status()
        body = r.json()
        if label == "first":
            accepted = body["accepted"]
        else:
            replay_accepted = body["accepted"]
    return {
        "items": len(items),
        "accepted": accepted,
        "seconds": round(timings["first"], 3),
        "ms_per_item": round(timings["first"] * 1000 / len(items), 3),
        "replay_seconds": round(timings["replay"], 3),
        "replay_same_result": replay_accepted == accepted,
    }


# ---------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=9_600)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--results", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    per_client = max(args.requests // args.concurrency, 1)
    warmup = max(per_client // 10, 10)
    needed = max(args.rounds * per_client + warmup, SYNC_BATCH)

    DATA_DIR.mkdir(parents=True, exist_ok=True)
    settings = Settings(ZHIBU_DATA_DIR=DATA_DIR)
    settings.secrets  # noqa: B018 - write var/bench/secrets.json before two workers race for it
    secret = settings.secret_bytes("checkin_secret")
    password = secrets.token_urlsafe(16) + "-Aa1"
    print(f"preparing database ({needed} activities, {args.concurrency + 1} members) ...")
    world = prepare(settings, password, args.concurrency, needed)
    api_env = {
        **UNLIMITED,
        "APP_DATABASE_URL": world.app_url,
        "ZHIBU_DATA_DIR": str(DATA_DIR),
        "DB_POOL_SIZE": "8",
        "ZHIBU_MFA_REQUIRED_FOR_ADMINS": "false",
    }
    floor_env = {"BENCH_DATABASE_URL": conninfo_of(world.admin_url), "BENCH_POOL_SIZE": "8"}
    results: dict[str, list[Measurement]] = {"floor": [], "api": []}
    member_ids = [m for m, _ in world.members]
    with (
        serve("api.asgi:app_factory", api_env) as api_port,
        serve("bench.checkin:create_floor_app", floor_env) as floor_port,
    ):
        tokens = [_login(api_port, name, MEMBER_PASSWORD) for _, name in world.members]
        plan = Plan(world.activities)
        qr = QrCodes(secret)
        warm = plan.take(warmup)
        asyncio.run(_load(api_port, api_requests(api_port, tokens, warm, qr), 201))
        asyncio.run(_load(floor_port, floor_requests(floor_port, member_ids, warm, qr), 201))
        analyze(world.admin_url)
        for _ in range(args.rounds):
            print("measuring floor ...", flush=True)
            batch = plan.take(per_client)
            reqs = floor_requests(floor_port, member_ids, batch, qr)
            lat, err, sec = asyncio.run(_load(floor_port, reqs, 201))
            results["floor"].append(_summarize("floor", lat, err, sec))
            print("measuring api ...", flush=True)
            reqs = api_requests(api_port, tokens, batch, qr)
            lat, err, sec = asyncio.run(_load(api_port, reqs, 201))
            results["api"].append(_summarize("api", lat, err, sec))
        print(f"timing one sync batch of {SYNC_BATCH} ...", flush=True)
        sync_token = _login(api_port, world.sync_member[1], MEMBER_PASSWORD)
        sync = sync_batch(api_port, sync_token, world.activities[:SYNC_BATCH], secret)

    with psycopg.connect(conninfo_of(world.admin_url)) as conn:
        conn.execute(f"SET ROLE {OWNER_ROLE}")
        counted = conn.execute(
            "SELECT (SELECT count(*) FROM checkin), (SELECT count(*) FROM outbox_event"
            " WHERE topic = 'checkin.recorded'),"
            " (SELECT count(*) FROM audit_event WHERE action LIKE 'checkin.%%')"
        ).fetchone()
    assert counted is not None

    floor = max(results["floor"], key=lambda m: m.rps)
    api = max(results["api"], key=lambda m: m.rps)
    ratio = round(api.rps / floor.rps, 3)
    report = {
        "endpoint": "POST /api/v1/activities/{id}/checkins (member, QR token, Idempotency-Key)",
        "floor_endpoint": "POST /floor/checkins (bare Litestar + psycopg, one INSERT)",
        "ratio": ratio,
        "target_ratio": 0.6,
        "api": asdict(api),
        "floor": asdict(floor),
        "rounds": {k: [asdict(m) for m in v] for k, v in results.items()},
        "sync_batch": sync,
        "rows_after_run": {
            "checkin": counted[0],
            "outbox_checkin_recorded": counted[1],
            "audit_checkin_events": counted[2],
        },
        "concurrency": args.concurrency,
        "server_workers": WORKERS,
        "staff_role_assignments": world.assignments,
        "database": "DATABASE_URL" if os.environ.get("DATABASE_URL") else "embedded (var/bench)",
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    args.results.write_text(
        json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )

    print()
    print(f"{'':8}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'max ms':>10}{'errors':>8}")
    for m in (floor, api):
        print(
            f"{m.name:8}{m.rps:>10.0f}{m.p50_ms:>10.2f}{m.p99_ms:>10.2f}"
            f"{m.max_ms:>10.2f}{m.errors:>8}"
        )
    print(
        f"\nratio api/floor = {ratio}  (target >= 0.6; {args.concurrency} connections,"
        f" {WORKERS} workers each; {world.assignments} staff role assignments loaded)"
    )
    print(
        f"sync batch of {sync['items']}: {sync['seconds'] * 1000:.0f} ms"
        f" ({sync['accepted']} accepted; replay {sync['replay_seconds'] * 1000:.0f} ms,"
        f" same result: {sync['replay_same_result']})"
    )
    if STATUSES:
        print(f"unexpected statuses: {STATUSES}")
    print(f"written to {args.results}")
    return 0 if api.errors == floor.errors == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
