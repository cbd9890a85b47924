"""Outbox relay lag under the check-in benchmark's load, and that load's ratio beside it.

    python -m bench.outbox_lag [--requests 9600] [--concurrency 32] [--rounds 2]

Runs `bench.checkin`'s load (members checking in over HTTP against two API workers, and
the bare-insert floor) while an outbox relay with one counting handler for
`checkin.recorded` runs in a process of its own (not the load client's, whose loop it would
slow): leader lock, reads past its position bounded by the oldest running transaction,
processed-event records written in the event's tenant scope. Lag is the time from the
event's transaction start (its `created_at`; the commit follows within milliseconds) to
the handler, an upper bound of commit-to-handler. The ratio is the check-in ratio with the
relay running.

Prints a table and writes bench/results-outbox.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import platform
import queue
import secrets
import statistics
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

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
from infra.db.bootstrap import conninfo_of
from infra.db.session import Database, UnitOfWork
from infra.platform.relay import Relay, RelayedEvent, Subscription
from infra.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results-outbox.json"


class LagCounter:
    """The counting handler: how long after its transaction each event arrived."""

    def __init__(self, since: datetime) -> None:
        self.since = since
        self.lags: list[float] = []

    async def __call__(self, uow: UnitOfWork, event: RelayedEvent) -> None:
        if event.created_at >= self.since:
            self.lags.append((datetime.now(UTC) - event.created_at).total_seconds() * 1000)


async def _relay_until(app_url: str, since: datetime, expected: int, stop: Any) -> list[float]:
    db = Database(app_url, pool_size=4)
    relay = Relay(db, conninfo_of(app_url), name="bench")
    counter = LagCounter(since)
    relay.register("bench-lag", Subscription(counter, frozenset({"checkin.recorded"})))
    relay.start()
    try:
        while len(counter.lags) < expected and not stop.is_set():  # noqa: ASYNC110 - set by another process
            await asyncio.sleep(0.1)
        return sorted(counter.lags)
    finally:
        await relay.stop()
        await db.dispose()


def relay_process(app_url: str, since: datetime, expected: int, stop: Any, out: Any) -> None:
    """The relay with the counting handler, in a process of its own (not the load client's)."""
    out.put(asyncio.run(_relay_until(app_url, since, expected, stop)))


def _quantile(ordered: list[float], q: float) -> float:
    return round(ordered[max(int(len(ordered) * q) - 1, 0)], 1)


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
        asyncio.run(_load(api_port, api_requests(api_port, tokens, warm, qr), 201))
        asyncio.run(_load(floor_port, floor_requests(floor_port, member_ids, warm, qr), 201))
        analyze(world.admin_url)
        spawn = multiprocessing.get_context("spawn")
        stop, out = spawn.Event(), spawn.Queue()
        expected = args.rounds * per_client * len(tokens)
        relay = spawn.Process(
            target=relay_process, args=(world.app_url, datetime.now(UTC), expected, stop, out)
        )
        relay.start()
        for _ in range(args.rounds):
            print("measuring floor ...", flush=True)
            batch = plan.take(per_client)
            reqs = floor_requests(floor_port, member_ids, batch, qr)
            lat, err, sec = asyncio.run(_load(floor_port, reqs, 201))
            results["floor"].append(_summarize("floor", lat, err, sec))
            print("measuring api with the relay running ...", flush=True)
            reqs = api_requests(api_port, tokens, batch, qr)
            lat, err, sec = asyncio.run(_load(api_port, reqs, 201))
            results["api"].append(_summarize("api", lat, err, sec))
        handed = sum(m.requests - m.errors for m in results["api"])
        try:
            lags = out.get(timeout=60)  # at most a minute to drain
        except queue.Empty:
            stop.set()
            lags = out.get()
        relay.join()

    floor = max(results["floor"], key=lambda m: m.rps)
    api = max(results["api"], key=lambda m: m.rps)
    ratio = round(api.rps / floor.rps, 3)
    lag = {
        "events": len(lags),
        "check_ins": handed,
        "p50_ms": _quantile(lags, 0.5),
        "p95_ms": _quantile(lags, 0.95),
        "p99_ms": _quantile(lags, 0.99),
        "max_ms": round(lags[-1], 1),
        "mean_ms": round(statistics.fmean(lags), 1),
    }
    report = {
        "relay_lag": lag,
        "target_p95_ms": 1000,
        "checkin_ratio_with_relay": ratio,
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
        f"\nrelay lag over {lag['events']} events ({handed} check-ins): p50 {lag['p50_ms']} ms,"
        f" p95 {lag['p95_ms']} ms (target < 1000), p99 {lag['p99_ms']} ms,"
        f" max {lag['max_ms']} ms"
    )
    print(
        f"check-in ratio api/floor with the relay running = {ratio} (target >= 0.6;"
        f" api {api.rps:.0f} req/s, floor {floor.rps:.0f} req/s)"
    )
    print(f"written to {RESULTS.relative_to(ROOT)}")
    ok = len(lags) == handed and api.errors == floor.errors == 0
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
