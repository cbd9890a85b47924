"""Events per second from the outbox to webhook deliveries and to the event feed, each
beside a floor measured in the same run.

    python -m bench.webhooks [--events 3000] [--endpoints 1] [--concurrency 4]

A fresh database (embedded under var/bench unless DATABASE_URL) gets `--endpoints` webhook
subscriptions of one API client, each to a local receiver (uvicorn, two workers, answering
200 at once), then `--events` `member.created` outbox events committed in one
transaction.

Webhooks: the webhook dispatcher starts in this process, as an API worker runs it, and
reads each subscription's events from the outbox after its cursor, at most
`--concurrency` attempts at once per endpoint; the clock stops when every delivery is
recorded as delivered. The floor does the least the same path must: read the events from the outbox
with one statement, POST each (unsigned) to the same receiver over the same number of
keep-alive connections, and record each batch of answers with one INSERT.

Event feed: the API (uvicorn, two workers) serves `GET /api/v1/events` to a client of
the county with `events:read`, paged 500 at a time until the events are read; the floor
pages the same rows out of `outbox_event` with raw SQL (keyset, 500 a page) and encodes
them as JSON. Prints the figures and writes bench/results-webhooks.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import secrets
import time
from collections import deque
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import psycopg

from bench.run import DATA_DIR, UNLIMITED, _read_response, prepare_database, serve
from domain.integration import new_secret
from domain.shared import new_id
from infra.db.bootstrap import OWNER_ROLE, conninfo_of
from infra.db.session import Database
from infra.integration import DispatchConfig, WebhookDispatcher
from infra.protection import FieldProtector
from infra.settings import Settings

RESULTS = Path(__file__).resolve().parent / "results-webhooks.json"
DATABASE = "zhibu_bench_webhooks"
TARGET = 1000
PAGE = 500


async def receiver_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Answers 200 to anything, after reading the body (a receiver that keeps up)."""
    if scope["type"] != "http":
        return
    while (await receive()).get("more_body"):
        pass
    headers = [(b"content-length", b"0")]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": b""})


def create_receiver() -> Any:
    return receiver_app


def subscribe(admin_url: str, protector: FieldProtector, urls: list[str], event_type: str) -> str:
    """One client of county 440304 with a subscription to each of `urls`; the tenant's id."""
    with psycopg.connect(conninfo_of(admin_url)) as conn:
        conn.execute(f"SET ROLE {OWNER_ROLE}")
        row = conn.execute("SELECT id, path::text FROM tenant WHERE code = '440304'").fetchone()
        assert row is not None
        tenant_id, path = row
        account, client = new_id(), new_id()
        conn.execute(
            "INSERT INTO app_user (tenant_id, id, username, display_name, password_hash)"
            " VALUES (%s, %s, %s, '压测客户端', '!')",
            (tenant_id, account, f"api_client_{account.hex}"),
        )
        conn.execute(
            "INSERT INTO api_client (tenant_id, id, name, account_id, scopes, created_by)"
            " VALUES (%s, %s, '压测客户端', %s, ARRAY['webhooks:write'], %s)",
            (tenant_id, client, account, account),
        )
        for url in urls:
            hook = new_id()
            conn.execute(
                "INSERT INTO webhook_subscription (tenant_id, id, client_id, tenant_path, url,"
                " event_types, cursor_xid) VALUES (%s, %s, %s, %s, %s, ARRAY[%s],"
                " zhibu_outbox_bound('0'))",
                (tenant_id, hook, client, path, url, event_type),
            )
            conn.execute(
                "INSERT INTO webhook_secret (tenant_id, id, subscription_id, secret)"
                " VALUES (%s, %s, %s, %s)",
                (
                    tenant_id,
                    new_id(),
                    hook,
                    protector.cipher.encrypt("webhook_secret.secret", new_secret()),
                ),
            )
    return str(tenant_id)


def _emit(admin_url: str, tenant_id: str, events: int) -> None:
    with psycopg.connect(conninfo_of(admin_url)) as conn:
        conn.execute(f"SET ROLE {OWNER_ROLE}")
        conn.execute(
            "INSERT INTO outbox_event (tenant_id, id, topic, aggregate_type, aggregate_id,"
            " payload)"
            " SELECT %s, gen_random_uuid(), 'member.created', 'member', m::text,"
            " jsonb_build_object('member_id', m::text, 'organization_id', m::text,"
            " 'version', 1, 'fields', '[]'::jsonb)"
            " FROM (SELECT gen_random_uuid() AS m FROM generate_series(1, %s)) s",
            (tenant_id, events),
        )


def _count(admin_url: str, status: str | None) -> int:
    with psycopg.connect(conninfo_of(admin_url)) as conn:
        query = "SELECT count(*) FROM webhook_delivery"
        row = (
            conn.execute(query + " WHERE status = %s", (status,)).fetchone()
            if status
            else conn.execute(query).fetchone()
        )
    return int(row[0]) if row else 0


async def _pipeline(
    admin_url: str, app_url: str, settings: Settings, expected: int
) -> dict[str, float]:
    db = Database(app_url, pool_size=4)
    dispatcher = WebhookDispatcher(
        db,
        conninfo_of(app_url),
        protector=FieldProtector.from_settings(settings),
        config=DispatchConfig.from_settings(settings),
        name="bench-webhooks",
    )
    started = time.monotonic()
    dispatcher.start()
    try:
        while True:
            await asyncio.sleep(0.1)
            if await asyncio.to_thread(_count, admin_url, "delivered") >= expected:
                return {"seconds": time.monotonic() - started}
    finally:
        await dispatcher.stop()
        await db.dispose()


async def _floor_webhooks(admin_url: str, port: int, endpoints: int, concurrency: int) -> float:
    """The least work of the same path: read, POST, record; seconds taken."""
    async with await psycopg.AsyncConnection.connect(
        conninfo_of(admin_url), autocommit=True
    ) as conn:
        await conn.execute(
            "CREATE TABLE bench_floor_delivery (event_id uuid NOT NULL, endpoint integer NOT"
            " NULL, status integer NOT NULL, at timestamptz NOT NULL DEFAULT now())"
        )
        started = time.monotonic()
        cur = await conn.execute(
            "SELECT id, payload::text FROM outbox_event WHERE topic = 'member.created'"
            " ORDER BY xid, seq"
        )
        events = await cur.fetchall()
        todo = deque((n, e) for e in events for n in range(endpoints))
        total, answered, recorded = len(todo), [], 0

        async def sender() -> None:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            while todo:
                n, (event_id, body) = todo.popleft()
                data = body.encode()
                head = (
                    f"POST /floor/{n} HTTP/1.1\r\nhost: 127.0.0.1:{port}\r\n"
                    f"content-type: application/json\r\ncontent-length: {len(data)}\r\n\r\n"
                )
                writer.write(head.encode() + data)
                answered.append((event_id, n, await _read_response(reader)))
            writer.close()

        senders = [asyncio.create_task(sender()) for _ in range(endpoints * concurrency)]
        while recorded < total:
            if not answered:
                await asyncio.sleep(0.001)
                continue
            batch, answered[:] = list(answered), []
            ids, ns, codes = (list(c) for c in zip(*batch, strict=True))
            await conn.execute(
                "INSERT INTO bench_floor_delivery (event_id, endpoint, status)"
                " SELECT * FROM unnest(%s::uuid[], %s::integer[], %s::integer[])",
                (ids, ns, codes),
            )
            recorded += len(batch)
        await asyncio.gather(*senders)
    return time.monotonic() - started


def _client_token(port: int, password: str) -> str:
    """A client of county 440304 with `events:read`, registered by its administrator."""
    api = f"http://127.0.0.1:{port}/api/v1"
    login = httpx.post(
        f"{api}/auth/login", json={"username": "futian_admin", "password": password}, timeout=30
    )
    login.raise_for_status()
    admin = {"Authorization": f"Bearer {login.json()['access_token']}"}
    client = httpx.post(
        f"{api}/api-clients",
        json={"name": "压测事件流", "scopes": ["events:read", "members:read"]},
        headers=admin,
        timeout=30,
    )
    client.raise_for_status()
    body = client.json()
    token = httpx.post(
        f"{api}/auth/token",
        data={"grant_type": "client_credentials"},
        auth=(body["client_id"], body["client_secret"]),
        timeout=30,
    )
    token.raise_for_status()
    return str(token.json()["access_token"])


def _feed_api(port: int, token: str, events: int) -> float:
    """Seconds to page `events` events out of `GET /events`."""
    read, after = 0, None
    started = time.monotonic()
    with httpx.Client(base_url=f"http://127.0.0.1:{port}/api/v1", timeout=60) as http:
        while read < events:
            params: dict[str, Any] = {"types": "member.created", "limit": PAGE}
            if after:
                params["after"] = after
            page = http.get("/events", params=params, headers={"Authorization": f"Bearer {token}"})
            page.raise_for_status()
            body = page.json()
            read += len(body["items"])
            after = body["next_cursor"]
    return time.monotonic() - started


def _feed_floor(admin_url: str, events: int) -> float:
    """Seconds to page the same events out of the table with raw SQL, as JSON."""
    read, after = 0, ("0", 0)
    started = time.monotonic()
    with psycopg.connect(conninfo_of(admin_url)) as conn:
        while read < events:
            rows = conn.execute(
                "SELECT id, xid::text, seq, topic, aggregate_type, aggregate_id, payload,"
                " created_at FROM outbox_event WHERE topic = 'member.created'"
                " AND (xid, seq) > (%s::text::xid8, %s) ORDER BY xid, seq LIMIT %s",
                (*after, PAGE),
            ).fetchall()
            json.dumps([[str(r[0]), r[3], r[4], r[5], r[6], r[7].isoformat()] for r in rows])
            read += len(rows)
            after = (rows[-1][1], rows[-1][2])
    return time.monotonic() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=3000)
    parser.add_argument("--endpoints", type=int, default=1)
    parser.add_argument("--concurrency", type=int, default=4)
    args = parser.parse_args(argv)
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    settings = Settings(
        ZHIBU_DATA_DIR=DATA_DIR,
        ZHIBU_WEBHOOK_ALLOW_PRIVATE=True,
        ZHIBU_WEBHOOK_POLL_SECONDS=0.05,
        ZHIBU_WEBHOOK_ENDPOINT_CONCURRENCY=args.concurrency,
    )
    settings.secrets  # noqa: B018 - write var/bench/secrets.json before the API's workers race
    password = secrets.token_urlsafe(16) + "-Aa1"
    print("preparing database ...")
    admin_url, app_url = prepare_database(settings, password, DATABASE)
    expected = args.events * args.endpoints
    with serve("bench.webhooks:create_receiver", {}) as port:
        urls = [f"http://127.0.0.1:{port}/hook/{n}" for n in range(args.endpoints)]
        tenant_id = subscribe(
            admin_url, FieldProtector.from_settings(settings), urls, "member.created"
        )
        _emit(admin_url, tenant_id, args.events)
        print(f"floor: {args.events} events to {args.endpoints} endpoints ...", flush=True)
        floor_seconds = asyncio.run(
            _floor_webhooks(admin_url, port, args.endpoints, args.concurrency)
        )
        print(f"webhooks: {args.events} events to {args.endpoints} endpoints ...", flush=True)
        timing = asyncio.run(_pipeline(admin_url, app_url, settings, expected))
    api_env = {
        **UNLIMITED,
        "ZHIBU_CLIENT_RATE_PER_MINUTE": "1000000",
        "ZHIBU_TENANT_CLIENTS_RATE_PER_MINUTE": "1000000",
        "APP_DATABASE_URL": app_url,
        "ZHIBU_DATA_DIR": str(DATA_DIR),
        "ZHIBU_MFA_REQUIRED_FOR_ADMINS": "false",
    }
    print("event feed ...", flush=True)
    with serve("api.asgi:app_factory", api_env) as api_port:
        token = _client_token(api_port, password)
        feed_seconds = _feed_api(api_port, token, args.events)
    feed_floor_seconds = _feed_floor(admin_url, args.events)

    def rate(count: int, seconds: float) -> float:
        return round(count / seconds, 1)

    webhooks = rate(args.events, timing["seconds"])
    floor = rate(args.events, floor_seconds)
    feed, feed_floor = rate(args.events, feed_seconds), rate(args.events, feed_floor_seconds)
    report = {
        "events": args.events,
        "endpoints": args.endpoints,
        "concurrency_per_endpoint": args.concurrency,
        "webhooks": {
            "events_per_second": webhooks,
            "deliveries_per_second": rate(expected, timing["seconds"]),
            "floor_events_per_second": floor,
            "ratio": round(webhooks / floor, 3),
            "target_events_per_second": TARGET,
        },
        "event_feed": {
            "events_per_second": feed,
            "floor_events_per_second": feed_floor,
            "ratio": round(feed / feed_floor, 3),
            "page": PAGE,
        },
        "database": "DATABASE_URL" if os.environ.get("DATABASE_URL") else "embedded (var/bench)",
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "load_average": os.getloadavg(),
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    RESULTS.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(
        f"webhooks: {webhooks} events/s ({report['webhooks']['deliveries_per_second']}"
        f" deliveries/s) beside a floor of {floor}: ratio {report['webhooks']['ratio']}"
        f" (target >= {TARGET} events/s)\n"
        f"event feed: {feed} events/s beside a floor of {feed_floor}:"
        f" ratio {report['event_feed']['ratio']}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
