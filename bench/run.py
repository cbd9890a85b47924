"""`make bench`: requests/second and p99 of `GET /api/v1/me` against a floor, same run.

The full stack (token check, Casbin over a province-sized policy, tenant scope, row-level
security, ETag and request-id middleware) is compared with `bench.floor`, a bare Litestar
handler reading the same `app_user` row by primary key with psycopg. Both run under
uvicorn with two workers on loopback against the same PostgreSQL (embedded under
var/bench unless DATABASE_URL is set), loaded by 32 concurrent keep-alive connections.

The load generator is a small asyncio HTTP/1.1 client rather than httpx: on a two-core
machine httpx's own per-request cost would cap the floor and flatter the ratio.

    python -m bench.run [--requests 3000] [--concurrency 32] [--assignments 5000]

Prints a table and writes bench/results.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import secrets
import socket
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx
import psycopg

from domain.shared import new_id
from domain.tenancy import org_child_path
from infra.authz import org_domain, subtree, tenant_domain
from infra.db.bootstrap import (
    OWNER_ROLE,
    conninfo_of,
    fresh_database,
    server_url,
)
from infra.seed import seed
from infra.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "var" / "bench"
RESULTS = Path(__file__).resolve().parent / "results.json"
DATABASE = "zhibu_bench"
WORKERS = 2
# Benchmarks measure the stack's cost, rate limiting's counting included, not its refusals:
# one load generator on one address as one user would otherwise be limited within seconds.
UNLIMITED = {
    "ZHIBU_AUTH_RATE_PER_MINUTE": "1000000",
    "ZHIBU_ACCOUNT_RATE_PER_MINUTE": "1000000",
    "ZHIBU_USER_RATE_PER_MINUTE": "1000000",
}


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


# ---------------------------------------------------------------- database


def prepare_database(settings: Settings, password: str, name: str = DATABASE) -> tuple[str, str]:
    """A fresh, migrated, seeded database; returns (admin URL, app URL)."""
    root = server_url(os.environ.get("DATABASE_URL"), DATA_DIR)
    urls = fresh_database(root, name, settings.app_db_password_value)
    seed(urls.admin, admin_password=password, demo=True)
    return urls.admin, urls.app


def load_staff_policy(admin_url: str, count: int) -> int:
    """About a province's worth of staff role assignments, inserted as the owner role.

    Secretaries and committee members on branches of the two demo counties, inspectors on
    the city and the province: users that never log in, but every worker loads their
    groupings into Casbin at start, as it would in production.
    """
    with psycopg.connect(conninfo_of(admin_url)) as conn:
        conn.execute(f"SET ROLE {OWNER_ROLE}")
        tenants = {
            code: (tid, path)
            for tid, code, path in conn.execute("SELECT id, code, path::text FROM tenant")
        }
        roots = {
            code: conn.execute(
                "SELECT id, path::text FROM organization"
                " WHERE tenant_id = %s AND parent_id IS NULL LIMIT 1",
                (tenants[code][0],),
            ).fetchone()
            for code in ("440304", "440305")
        }
        branches: list[tuple[str, uuid.UUID, str]] = []
        org_rows = []
        for i in range(max(count // 20, 1)):
            code = ("440304", "440305")[i % 2]
            root = roots[code]
            assert root is not None
            oid = new_id()
            path = org_child_path(root[1], oid)
            org_rows.append((tenants[code][0], oid, root[0], "branch", f"压测党支部{i}", path))
            branches.append((code, oid, path))
        with conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO organization (tenant_id, id, parent_id, kind, name, path)"
                " VALUES (%s, %s, %s, %s, %s, %s::ltree)",
                org_rows,
            )
        users, grants = [], []
        for i in range(count):
            uid = new_id()
            if i % 10 == 9:
                code = ("440000", "440300")[i % 2]
                tid, tpath = tenants[code]
                role, domain, org = "inspector", subtree(tenant_domain(tpath)), None
            else:
                code, org, opath = branches[i % len(branches)]
                tid, tpath = tenants[code]
                role = ("org_secretary", "org_committee")[i % 2]
                domain = subtree(org_domain(tpath, opath))
            users.append((tid, uid, f"bench_{i}", f"压测用户{i}", "!"))
            grants.append((tid, new_id(), uid, role, domain, tid, org))
        with conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO app_user (tenant_id, id, username, display_name, password_hash)"
                " VALUES (%s, %s, %s, %s, %s)",
                users,
            )
            cur.executemany(
                "INSERT INTO role_assignment"
                " (tenant_id, id, user_id, role, domain, scope_tenant_id, organization_id)"
                " VALUES (%s, %s, %s, %s, %s, %s, %s)",
                grants,
            )
        conn.commit()
        # Statistics as a running database has them: a fresh load has none until autovacuum
        # gets to it about a minute later, and planned without them the first rounds read
        # app_user's thousands of staff rows by a scan (seen: 370 µs of PostgreSQL per /me,
        # 150 µs once analysed).
        conn.execute("ANALYZE")
        total = conn.execute("SELECT count(*) FROM role_assignment").fetchone()
    return int(total[0]) if total else 0


# ---------------------------------------------------------------- servers


def free_port() -> int:
    with closing(socket.socket()) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serve(target: str, env: dict[str, str]) -> Iterator[int]:
    port = free_port()
    cmd = [
        sys.executable,
        "-m",
        "uvicorn",
        target,
        "--factory",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(WORKERS),
        "--log-level",
        "warning",
        "--no-access-log",
    ]
    proc = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, **env})
    try:
        deadline = time.monotonic() + 60
        # One client for every poll: each `httpx.get` builds a TLS context (certifi), about
        # 0.4 s of CPU apiece on a loaded machine, taken from the server starting up.
        with httpx.Client(timeout=1) as probe:
            while True:
                if proc.poll() is not None:
                    raise RuntimeError(f"{target} exited with {proc.returncode}")
                try:
                    if probe.get(f"http://127.0.0.1:{port}/health").status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{target} did not start")
                time.sleep(0.2)
        time.sleep(1.0)  # both workers up, not only the first
        yield port
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()


# ---------------------------------------------------------------- load


async def _read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split(b" ", 2)[1])
    length = 0
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    if length:
        await reader.readexactly(length)
    return status


async def load(
    port: int, path: str, token: str | None, total: int, concurrency: int
) -> tuple[list[float], int, float]:
    """`total` GETs over `concurrency` keep-alive connections: (latencies, errors, seconds)."""
    auth = f"Authorization: Bearer {token}\r\n" if token else ""
    request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{auth}\r\n".encode()
    remaining = total
    latencies: list[float] = []
    errors = 0

    async def client() -> None:
        nonlocal remaining, errors
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while remaining > 0:
                remaining -= 1
                started = time.perf_counter()
                writer.write(request)
                status = await _read_response(reader)
                latencies.append(time.perf_counter() - started)
                if status != 200:
                    errors += 1
        finally:
            writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(concurrency)))
    return latencies, errors, time.perf_counter() - started


def measure(
    name: str, port: int, path: str, token: str | None, total: int, concurrency: int
) -> Measurement:
    asyncio.run(load(port, path, token, max(total // 10, 200), concurrency))  # warm-up
    latencies, errors, seconds = asyncio.run(load(port, path, token, total, concurrency))
    ordered = sorted(latencies)
    return Measurement(
        name=name,
        requests=total,
        errors=errors,
        seconds=round(seconds, 3),
        rps=round(total / seconds, 1),
        p50_ms=round(statistics.median(ordered) * 1000, 2),
        p99_ms=round(ordered[int(len(ordered) * 0.99) - 1] * 1000, 2),
        max_ms=round(ordered[-1] * 1000, 2),
    )


# ---------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=3_000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--assignments", type=int, default=5_000)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args(argv)

    DATA_DIR.mkdir(parents=True, exist_ok=True)
    settings = Settings(ZHIBU_DATA_DIR=DATA_DIR)
    settings.secrets  # noqa: B018 - write var/bench/secrets.json before two workers race for it
    password = secrets.token_urlsafe(16) + "-Aa1"
    print("preparing database ...", flush=True)
    admin_url, app_url = prepare_database(settings, password)
    assignments = load_staff_policy(admin_url, args.assignments)
    with psycopg.connect(conninfo_of(admin_url)) as conn:
        row = conn.execute(
            "SELECT tenant_id, user_id FROM login_identity WHERE identifier = 'u:futian_admin'"
        ).fetchone()
    assert row is not None
    tenant_id, user_id = row

    api_env = {
        **UNLIMITED,
        "APP_DATABASE_URL": app_url,
        "ZHIBU_DATA_DIR": str(DATA_DIR),
        "DB_POOL_SIZE": "10",
        "ZHIBU_MFA_REQUIRED_FOR_ADMINS": "false",
    }
    floor_env = {
        "BENCH_DATABASE_URL": conninfo_of(admin_url),
        "BENCH_TENANT_ID": str(tenant_id),
        "BENCH_USER_ID": str(user_id),
        "BENCH_POOL_SIZE": "10",
    }
    results: dict[str, list[Measurement]] = {"floor": [], "api": []}
    with (
        serve("api.asgi:app_factory", api_env) as api_port,
        serve("bench.floor:create_app", floor_env) as floor_port,
    ):
        login = httpx.post(
            f"http://127.0.0.1:{api_port}/api/v1/auth/login",
            json={"username": "futian_admin", "password": password},
        )
        login.raise_for_status()
        token = login.json()["access_token"]
        me = httpx.get(
            f"http://127.0.0.1:{api_port}/api/v1/me", headers={"Authorization": f"Bearer {token}"}
        )
        me.raise_for_status()
        for _ in range(args.rounds):
            print("measuring floor ...", flush=True)
            results["floor"].append(
                measure("floor", floor_port, "/floor/me", None, args.requests, args.concurrency)
            )
            print("measuring api ...", flush=True)
            results["api"].append(
                measure("api", api_port, "/api/v1/me", token, args.requests, args.concurrency)
            )

    floor = max(results["floor"], key=lambda m: m.rps)
    api = max(results["api"], key=lambda m: m.rps)
    ratio = round(api.rps / floor.rps, 3)
    report = {
        "endpoint": "GET /api/v1/me",
        "floor_endpoint": "GET /floor/me (bare Litestar + psycopg, primary-key read)",
        "ratio": ratio,
        "target_ratio": 0.5,
        "api": asdict(api),
        "floor": asdict(floor),
        "rounds": {k: [asdict(m) for m in v] for k, v in results.items()},
        "concurrency": args.concurrency,
        "server_workers": WORKERS,
        "staff_role_assignments": assignments,
        "database": "DATABASE_URL" if os.environ.get("DATABASE_URL") else "embedded (var/bench)",
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    RESULTS.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")

    print()
    print(f"{'':8}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'max ms':>10}{'errors':>8}")
    for m in (floor, api):
        print(
            f"{m.name:8}{m.rps:>10.0f}{m.p50_ms:>10.2f}{m.p99_ms:>10.2f}{m.max_ms:>10.2f}{m.errors:>8}"
        )
    print(
        f"\nratio api/floor = {ratio}  (target >= 0.5; {assignments} staff role assignments loaded;"
        f" {args.concurrency} connections, {WORKERS} workers each)"
    )
    print(f"written to {RESULTS.relative_to(ROOT)}")
    return 0 if api.errors == floor.errors == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
