"""The check-in benchmark with slow webhook receivers subscribed, beside the same run
without them.

    python -m bench.checkin_webhooks [--requests 4800] [--concurrency 32] [--rounds 2]
                                     [--receivers 10] [--delay 2.0]

bench.checkin's world, API and floor (its docstring says what each does), in three phases
taken in turn in each of `--rounds` rounds (floor, then API, in each): with no webhook;
with `--receivers` webhooks of one client subscribed to `checkin.recorded`, each to a
receiver that answers after `--delay` seconds (issue 13's condition); then with one more
subscription to a receiver that answers at once, which must be sent every check-in. The
API's own workers deliver, as in production (loopback receivers allowed). Reports each
phase's ratio (API over floor, best round each), the quotient of the slow phase over the
first, which issue 13 wants ≥ 0.9, the same quotient of the third phase, what the slow
receivers were sent, and how long after the last round the fast receiver had been sent
every check-in of it (at most a minute is waited). Writes bench/results-checkin-webhooks.json.
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
from typing import Any

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
from bench.webhooks import subscribe
from infra.db.bootstrap import OWNER_ROLE, conninfo_of
from infra.protection import FieldProtector
from infra.settings import Settings

RESULTS = Path(__file__).resolve().parent / "results-checkin-webhooks.json"
TARGET = 0.9
PHASES = (("without", False, False), ("with_slow", True, False), ("with_fast_too", True, True))
"""Each round runs the phases in turn, so a trend over the run (the tables grow) weighs on
each phase alike: the subscriptions are switched on and off between them."""
SWITCH_SECONDS = 2.5
"""Time for the dispatcher to see a switch (it looks for subscriptions every second) and
for the slow receivers' last deliveries to end."""


async def slow_receiver_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Answers 200 after BENCH_RECEIVER_DELAY seconds on /slow/…, at once elsewhere."""
    if scope["type"] != "http":
        return
    while (await receive()).get("more_body"):
        pass
    if scope["path"].startswith("/slow/"):
        await asyncio.sleep(float(os.environ.get("BENCH_RECEIVER_DELAY", "2")))
    headers = [(b"content-length", b"0")]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": b""})


def create_receiver() -> Any:
    return slow_receiver_app


def _rounds(
    api_port: int,
    floor_port: int,
    tokens: list[str],
    member_ids: list[Any],
    plan: Plan,
    qr: QrCodes,
    *,
    rounds: int,
    per_client: int,
) -> dict[str, list[Measurement]]:
    results: dict[str, list[Measurement]] = {"floor": [], "api": []}
    for _ in range(rounds):
        batch = plan.take(per_client)
        lat, err, sec = asyncio.run(
            _load(floor_port, floor_requests(floor_port, member_ids, batch, qr), 201)
        )
        results["floor"].append(_summarize("floor", lat, err, sec))
        lat, err, sec = asyncio.run(_load(api_port, api_requests(api_port, tokens, batch, qr), 201))
        results["api"].append(_summarize("api", lat, err, sec))
    return results


def _ratio(results: dict[str, list[Measurement]]) -> float:
    api = max(m.rps for m in results["api"])
    return round(api / max(m.rps for m in results["floor"]), 3)


def _delivered(admin_url: str, prefix: str, since: datetime) -> tuple[int, int]:
    """(check-ins recorded since `since`, deliveries of them to receivers whose URL starts
    with `prefix`)."""
    with psycopg.connect(conninfo_of(admin_url)) as conn:
        row = conn.execute(
            "SELECT (SELECT count(*) FROM outbox_event WHERE topic = 'checkin.recorded'"
            " AND created_at >= %s),"
            " (SELECT count(*) FROM webhook_delivery d JOIN webhook_subscription s"
            " ON s.tenant_id = d.subscription_tenant_id AND s.id = d.subscription_id"
            " WHERE s.url LIKE %s AND d.status = 'delivered' AND d.occurred_at >= %s)",
            (since, prefix + "%", since),
        ).fetchone()
    assert row is not None
    return int(row[0]), int(row[1])


def _switch(admin_url: str, prefix: str, *, on: bool) -> None:
    """Enable or disable the bench's subscriptions to receivers whose URL starts with
    `prefix`; an enabled one starts at the present, as the API's re-enabling does."""
    with psycopg.connect(conninfo_of(admin_url)) as conn:
        conn.execute(f"SET ROLE {OWNER_ROLE}")
        conn.execute(
            "UPDATE webhook_subscription SET enabled = %s,"
            " cursor_xid = CASE WHEN %s THEN zhibu_outbox_bound('0') ELSE cursor_xid END,"
            " cursor_seq = CASE WHEN %s THEN 0 ELSE cursor_seq END"
            " WHERE url LIKE %s AND enabled <> %s",
            (on, on, on, prefix + "%", on),
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=4_800)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--receivers", type=int, default=10)
    parser.add_argument("--delay", type=float, default=2.0)
    args = parser.parse_args(argv)
    per_client = max(args.requests // args.concurrency, 1)
    warmup = max(per_client // 10, 10)
    needed = len(PHASES) * args.rounds * per_client + warmup

    DATA_DIR.mkdir(parents=True, exist_ok=True)
    settings = Settings(ZHIBU_DATA_DIR=DATA_DIR)
    settings.secrets  # noqa: B018 - write var/bench/secrets.json before two workers race for it
    secret = settings.secret_bytes("checkin_secret")
    print(f"preparing database ({needed} activities, {args.concurrency + 1} members) ...")
    world = prepare(settings, secrets.token_urlsafe(16) + "-Aa1", args.concurrency, needed)
    api_env = {
        **UNLIMITED,
        "APP_DATABASE_URL": world.app_url,
        "ZHIBU_DATA_DIR": str(DATA_DIR),
        "DB_POOL_SIZE": "8",
        "ZHIBU_MFA_REQUIRED_FOR_ADMINS": "false",
        "ZHIBU_WEBHOOK_ALLOW_PRIVATE": "true",
    }
    floor_env = {"BENCH_DATABASE_URL": conninfo_of(world.admin_url), "BENCH_POOL_SIZE": "8"}
    receiver_env = {"BENCH_RECEIVER_DELAY": str(args.delay)}
    member_ids = [m for m, _ in world.members]
    with (
        serve("api.asgi:app_factory", api_env) as api_port,
        serve("bench.checkin:create_floor_app", floor_env) as floor_port,
        serve("bench.checkin_webhooks:create_receiver", receiver_env) as rx_port,
    ):
        tokens = [_login(api_port, name, MEMBER_PASSWORD) for _, name in world.members]
        plan, qr = Plan(world.activities), QrCodes(secret)
        warm = plan.take(warmup)
        asyncio.run(_load(api_port, api_requests(api_port, tokens, warm, qr), 201))
        asyncio.run(_load(floor_port, floor_requests(floor_port, member_ids, warm, qr), 201))
        analyze(world.admin_url)
        base = f"http://127.0.0.1:{rx_port}"
        slow, fast_url = f"{base}/slow/", f"{base}/fast/0"
        protector = FieldProtector.from_settings(settings)
        urls = [f"{slow}{n}" for n in range(args.receivers)]
        subscribe(world.admin_url, protector, [*urls, fast_url], "checkin.recorded")
        phases: dict[str, dict[str, list[Measurement]]] = {}
        slow_sent = 0
        for n in range(args.rounds):
            for phase, slow_on, fast_on in PHASES:
                _switch(world.admin_url, slow, on=slow_on)
                _switch(world.admin_url, fast_url, on=fast_on)
                time.sleep(SWITCH_SECONDS)
                since = datetime.now(UTC)
                print(f"round {n + 1}: {phase} ...", flush=True)
                one = _rounds(
                    api_port, floor_port, tokens, member_ids, plan, qr, rounds=1,
                    per_client=per_client,
                )  # fmt: skip
                for side, measured in one.items():
                    phases.setdefault(phase, {}).setdefault(side, []).extend(measured)
                if slow_on:
                    slow_sent += _delivered(world.admin_url, slow, since)[1]
        without, with_slow, with_fast = (phases[p] for p, _, _ in PHASES)
        ended = time.monotonic()
        while True:
            made, fast = _delivered(world.admin_url, fast_url, since)
            caught_up = round(time.monotonic() - ended, 1)
            if fast >= made or caught_up > 60:
                break
            time.sleep(0.2)

    ratio_without, ratio_slow, ratio_fast = _ratio(without), _ratio(with_slow), _ratio(with_fast)
    quotient = round(ratio_slow / ratio_without, 3)
    quotient_fast = round(ratio_fast / ratio_without, 3)
    report = {
        "ratio_without_webhooks": ratio_without,
        "ratio_with_slow_receivers": ratio_slow,
        "quotient": quotient,
        "target_quotient": TARGET,
        "slow_receivers": args.receivers,
        "receiver_delay_seconds": args.delay,
        "slow_receivers_delivered": slow_sent,
        "ratio_with_fast_receiver_too": ratio_fast,
        "quotient_with_fast_receiver_too": quotient_fast,
        "fast_receiver": {"checkins": made, "delivered": fast, "seconds_after": caught_up},
        "rounds": {
            "without": {k: [asdict(m) for m in v] for k, v in without.items()},
            "with_slow": {k: [asdict(m) for m in v] for k, v in with_slow.items()},
            "with_fast_too": {k: [asdict(m) for m in v] for k, v in with_fast.items()},
        },
        "concurrency": args.concurrency,
        "database": "DATABASE_URL" if os.environ.get("DATABASE_URL") else "embedded (var/bench)",
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "load_average": os.getloadavg(),
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    RESULTS.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(
        f"check-in ratio without webhooks {ratio_without}, with {args.receivers} receivers"
        f" of {args.delay:g} s {ratio_slow}: {quotient} (target >= {TARGET}; they were sent"
        f" {slow_sent}); with an instant receiver too {ratio_fast}: {quotient_fast}, which had"
        f" {fast} of {made} check-ins {caught_up} s after the load"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
