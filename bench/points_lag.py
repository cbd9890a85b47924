"""Points ledger lag under the check-in benchmark's load, and that load's ratio beside it.

    python -m bench.points_lag [--requests 9600] [--concurrency 32] [--rounds 2]

Issue 14's Speed section: accrual keeps up with check-ins. The tenant of `bench.checkin`'s
world gets a point scheme (主题党日 +2, no cap), so every check-in earns an entry. The load
is `bench.checkin`'s (members checking in over HTTP against two API workers, and the
bare-insert floor); the points handlers run where they run in production, in the API
workers' outbox relay (one leader), beside the check-ins they follow. Lag is the time from
the `checkin.recorded` event's transaction (its `created_at`; the commit follows within
milliseconds) to the ledger entry written for that check-in (its `created_at`, taken by
the handler), measured in SQL once every check-in of the load has its entry (a minute at
most). The ratio is the check-in ratio with accrual running. Targets: lag p95 < 2 s, ratio
at or above the check-in target (0.6).

Prints a table and writes bench/results-points-lag.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import secrets
import time
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

import psycopg

from bench.checkin import (
    DATA_DIR,
    MEMBER_PASSWORD,
    Measurement,
    Plan,
    QrCodes,
    _load,
    _login,
    _summarize,
    analyze,
    api_requests,
    floor_requests,
    prepare,
)
from bench.run import UNLIMITED, serve
from domain.shared import new_id
from infra.db.bootstrap import conninfo_of
from infra.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results-points-lag.json"
ITEMS = [{"code": "theme_day", "name": "参加主题党日", "points": 2, "source": "attendance",
          "activity_kind": "theme_day", "category": None, "cap_per_period": None,
          "classes": []}]  # fmt: skip

LAGS = """
SELECT extract(epoch FROM (min(e.created_at) - o.created_at)) * 1000
FROM outbox_event o
JOIN point_entry e ON e.tenant_id = o.tenant_id AND e.cause_type = 'checkin'
 AND e.kind = 'accrual' AND e.cause_id = (o.payload->>'checkin_id')::uuid
WHERE o.tenant_id = %(t)s AND o.topic = 'checkin.recorded' AND o.created_at >= %(since)s
GROUP BY o.id, o.created_at
"""
RECORDED = (
    "SELECT count(*) FROM outbox_event WHERE tenant_id = %(t)s AND topic = 'checkin.recorded'"
    " AND created_at >= %(since)s"
)


def add_scheme(admin_url: str, tenant_id: object) -> None:
    """The tenant's point rules, written as the owner before the load."""
    version = new_id()
    with psycopg.connect(conninfo_of(admin_url), autocommit=True) as conn:
        conn.execute("SET ROLE zhibu_owner")
        conn.execute(
            "INSERT INTO point_rule_version (tenant_id, id, version, effective_from, base_score,"
            " period, classes, items, exclusions, created_by)"
            " VALUES (%s, %s, 1, '2000-01-01', 60, 'yearly', '[]', %s, '[]', %s)",
            (tenant_id, version, json.dumps(ITEMS, ensure_ascii=False), version),
        )


def ledger_lags(admin_url: str, tenant_id: object, since: datetime) -> tuple[list[float], int]:
    """(lag of each check-in's entry in ms, sorted; check-ins recorded), once every one of
    them has its entry or a minute has passed."""
    params = {"t": tenant_id, "since": since}
    deadline = time.monotonic() + 60
    with psycopg.connect(conninfo_of(admin_url), autocommit=True) as conn:
        conn.execute("SET ROLE zhibu_owner")
        while True:
            one = conn.execute(RECORDED, params).fetchone()
            recorded = int(one[0]) if one else 0
            lags = sorted(float(r[0]) for r in conn.execute(LAGS, params))
            if len(lags) >= recorded or time.monotonic() > deadline:
                return lags, recorded
            time.sleep(0.5)


def _quantile(ordered: list[float], q: float) -> float:
    return round(ordered[max(int(len(ordered) * q) - 1, 0)], 1) if ordered else 0.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=9_600)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args(argv)
    per_client = max(args.requests // args.concurrency, 1)
    warmup = max(per_client // 10, 10)

    DATA_DIR.mkdir(parents=True, exist_ok=True)
    settings = Settings(ZHIBU_DATA_DIR=DATA_DIR)
    settings.secrets  # noqa: B018 - write var/bench/secrets.json before two workers race for it
    secret = settings.secret_bytes("checkin_secret")
    password = secrets.token_urlsafe(16) + "-Aa1"
    print("preparing database ...")
    world = prepare(settings, password, args.concurrency, args.rounds * per_client + warmup)
    add_scheme(world.admin_url, world.tenant_id)
    api_env = {
        **UNLIMITED,
        "APP_DATABASE_URL": world.app_url,
        "ZHIBU_DATA_DIR": str(DATA_DIR),
        "DB_POOL_SIZE": "8",
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
        warm_since = datetime.now(UTC)
        asyncio.run(_load(api_port, api_requests(api_port, tokens, warm, qr), 201))
        asyncio.run(_load(floor_port, floor_requests(floor_port, member_ids, warm, qr), 201))
        ledger_lags(world.admin_url, world.tenant_id, warm_since)  # the warm-up's entries in
        analyze(world.admin_url)
        since = datetime.now(UTC)
        for _ in range(args.rounds):
            print("measuring floor ...", flush=True)
            batch = plan.take(per_client)
            reqs = floor_requests(floor_port, member_ids, batch, qr)
            lat, err, sec = asyncio.run(_load(floor_port, reqs, 201))
            results["floor"].append(_summarize("floor", lat, err, sec))
            print("measuring api with points accrual running ...", flush=True)
            reqs = api_requests(api_port, tokens, batch, qr)
            lat, err, sec = asyncio.run(_load(api_port, reqs, 201))
            results["api"].append(_summarize("api", lat, err, sec))
        handed = sum(m.requests - m.errors for m in results["api"])
        lags, recorded = ledger_lags(world.admin_url, world.tenant_id, since)

    floor = max(results["floor"], key=lambda m: m.rps)
    api = max(results["api"], key=lambda m: m.rps)
    ratio = round(api.rps / floor.rps, 3)
    lag = {
        "entries": len(lags),
        "check_ins": recorded,
        "p50_ms": _quantile(lags, 0.5),
        "p95_ms": _quantile(lags, 0.95),
        "p99_ms": _quantile(lags, 0.99),
        "max_ms": round(lags[-1], 1) if lags else 0.0,
    }
    report = {
        "ledger_lag": lag,
        "target_p95_ms": 2000,
        "checkin_ratio_with_accrual": ratio,
        "target_ratio": 0.6,
        "api": asdict(api),
        "floor": asdict(floor),
        "rounds": {k: [asdict(m) for m in v] for k, v in results.items()},
        "concurrency": args.concurrency,
        "database": "DATABASE_URL" if os.environ.get("DATABASE_URL") else "embedded (var/bench)",
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    RESULTS.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(
        f"\nledger lag over {lag['entries']} of {recorded} check-ins: p50 {lag['p50_ms']} ms,"
        f" p95 {lag['p95_ms']} ms (target < 2000), p99 {lag['p99_ms']} ms,"
        f" max {lag['max_ms']} ms"
    )
    print(
        f"check-in ratio api/floor with accrual running = {ratio} (target >= 0.6;"
        f" api {api.rps:.0f} req/s, floor {floor.rps:.0f} req/s)"
    )
    print(f"written to {RESULTS.relative_to(ROOT)}")
    ok = len(lags) == recorded == handed and api.errors == floor.errors == 0
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
