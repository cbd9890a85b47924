"""Webhooks end to end: outbox → relay → deliveries → a real receiver on loopback.

The shared server runs with a compressed retry schedule, a 1 s timeout and loopback
receivers allowed (tests/conftest.py). Events are members created through the API
(`member.created`); each receiver is a uvicorn server in this event loop whose script
fails, hangs, throttles or answers 410 as a test needs.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import psycopg
import pytest
from standardwebhooks import WebhookVerificationError

from infra.db.bootstrap import DatabaseUrls, conninfo_of
from infra.integration.webhook_http import delivery_client, post
from infra.settings import Settings
from tests.conftest import Api, unique
from tests.integration.api_clients import client_api, register
from tests.integration.members.helpers import id_number
from tests.integration.test_storage_routes import serve, variant
from tests.integration.test_tenancy import problem
from tests.integration.webhook_receiver import HANG, Call, Receiver, always, receiver, verify

V1 = "/api/v1"


@pytest.fixture(scope="module")
async def branch(futian: Api) -> str:
    name = unique("推送测试")
    parent = await futian.post(
        f"{V1}/organizations", json={"kind": "party_committee", "name": name + "党委"}
    )
    assert parent.status_code == 201, parent.text
    r = await futian.post(
        f"{V1}/organizations",
        json={"kind": "branch", "name": name, "parent_id": parent.json()["id"]},
    )
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


async def hook_client(
    admin: Api,
    scopes: tuple[str, ...] = ("webhooks:write", "members:read", "activities:read"),
    **extra: Any,
) -> Api:
    return await client_api(admin.http, await register(admin, list(scopes), **extra))


async def subscribe(
    client: Api, url: str, types: tuple[str, ...] = ("member.created",)
) -> dict[str, Any]:
    r = await client.post(
        f"{V1}/webhooks", json={"url": url, "event_types": list(types), "description": "测试"}
    )
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    assert body["secret"].startswith("whsec_")
    return body


async def unsubscribe(client: Api, hook: dict[str, Any]) -> None:
    r = await client.patch(f"{V1}/webhooks/{hook['id']}", json={"enabled": False})
    assert r.status_code == 200, r.text


async def new_member(admin: Api, org_id: str, name: str | None = None) -> str:
    r = await admin.post(
        f"{V1}/members",
        json={
            "organization_id": org_id,
            "name": name or unique("推送党员"),
            "id_number": id_number(),
            "status": "full",
            "admitted_on": "2010-07-01",
            "full_member_on": "2011-07-01",
        },
    )
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def member_of(call: Call) -> str:
    return str(json.loads(call.body)["data"]["member_id"])


def delivered_members(rx: Receiver) -> set[str]:
    return {member_of(c) for c in rx.delivered()}


async def webhook(api: Api, hook: dict[str, Any]) -> dict[str, Any]:
    r = await api.get(f"{V1}/webhooks/{hook['id']}")
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


async def until(check: Any, seconds: float = 20.0) -> Any:
    """Poll the async `check` until it returns something truthy."""
    deadline = time.monotonic() + seconds
    while True:
        found = await check()
        if found:
            return found
        assert time.monotonic() < deadline, f"still not so after {seconds} s"
        await asyncio.sleep(0.1)


@pytest.fixture
async def client(futian: Api) -> Api:
    return await hook_client(futian)


async def test_every_event_arrives_signed_through_failures_timeouts_and_throttling(
    futian: Api, branch: str, client: Api
) -> None:
    replies = {
        1: (500, {}, b"boom"),
        2: HANG,
        3: (429, {"retry-after": "1"}, b""),
        4: (502, {}, b""),
    }

    def script(n: int, _call: Call) -> Any:
        return replies.get(n, (200, {}, b"ok"))

    async with receiver(script) as rx:
        hook = await subscribe(client, rx.url + "/hooks")
        names = [unique("签名党员") for _ in range(5)]
        members = {await new_member(futian, branch, name) for name in names}
        await rx.wait_for(lambda: delivered_members(rx) >= members, 30)
        await unsubscribe(client, hook)

    ours = [c for c in rx.calls if member_of(c) in members]
    # Every request, failed or not, is signed as Standard Webhooks says.
    for call in ours:
        payload = verify(hook["secret"], call)
        assert payload["type"] == "member.created"
        assert call.headers["webhook-signature"].startswith("v1,")
        assert not any(name in call.body.decode() for name in names)  # no personal data
    delivered = [c for c in rx.delivered() if member_of(c) in members]
    # Nothing lost; a repeat only ever comes with the same webhook-id and the same body.
    by_id: dict[str, set[bytes]] = {}
    for call in ours:
        by_id.setdefault(call.webhook_id, set()).add(call.body)
    assert all(len(bodies) == 1 for bodies in by_id.values())
    assert {c.webhook_id for c in delivered} == set(by_id)
    assert len(by_id) == len(members)
    assert {c.status for c in ours} >= {500, None, 429, 502, 200}

    async def all_delivered() -> list[dict[str, Any]] | None:
        r = await client.get(f"{V1}/webhooks/{hook['id']}/deliveries", params={"limit": 200})
        assert r.status_code == 200, r.text
        items: list[dict[str, Any]] = r.json()["items"]
        done = len(items) == 5 and {d["status"] for d in items} == {"delivered"}
        return items if done else None

    log = await until(all_delivered)  # each recorded a moment after its answer
    assert len(log) == 5
    assert {d["status"] for d in log} == {"delivered"}
    assert {d["event_id"] for d in log} == set(by_id)
    retried = [d for d in log if d["attempts"] > 1]
    assert retried
    detail = (await client.get(f"{V1}/webhooks/{hook['id']}/deliveries/{retried[0]['id']}")).json()
    codes = [a["status_code"] for a in detail["attempt_log"]]
    assert codes[-1] == 200
    assert any(code != 200 for code in codes)
    assert all(a["latency_ms"] >= 0 for a in detail["attempt_log"])
    assert detail["attempt_log"][-1]["response_excerpt"] == "ok"
    assert json.loads(detail["body"])["data"]["member_id"] in members


async def test_retry_after_pauses_the_whole_endpoint(futian: Api, branch: str, client: Api) -> None:
    async with receiver(
        lambda n, _c: (429, {"retry-after": "2"}, b"") if n == 1 else (204, {}, b"")
    ) as rx:
        hook = await subscribe(client, rx.url)
        first = await new_member(futian, branch)
        await rx.wait_for(lambda: len(rx.calls) >= 1)
        second = await new_member(futian, branch)
        await rx.wait_for(lambda: delivered_members(rx) >= {first, second})
        paused = (await webhook(client, hook))["paused_until"]
        await unsubscribe(client, hook)
    throttled = rx.calls[0].at
    assert paused is not None
    # Neither the throttled event nor the one made meanwhile went out before Retry-After.
    assert all(c.at - throttled >= 1.8 for c in rx.calls[1:]), [c.at - throttled for c in rx.calls]


async def test_410_disables_the_endpoint_and_tells_the_tenant_admin(
    futian: Api, branch: str, client: Api, database: DatabaseUrls
) -> None:
    async with receiver(always(410)) as rx:
        hook = await subscribe(client, rx.url)
        await new_member(futian, branch)
        state = await until(lambda: _disabled(client, hook))
        assert state["disabled_reason"] == "gone"
        calls = len(rx.calls)
        await new_member(futian, branch)
        await asyncio.sleep(1.0)
        assert len(rx.calls) == calls  # a disabled endpoint gets nothing more
    assert _outbox_events(database, hook["id"]) == [("gone", hook["url"])]


async def test_a_long_run_of_failures_disables_the_endpoint(
    futian: Api, branch: str, client: Api, database: DatabaseUrls
) -> None:
    async with receiver(always(500)) as rx:
        hook = await subscribe(client, rx.url)
        for _ in range(6):
            await new_member(futian, branch)
        state = await until(lambda: _disabled(client, hook), 30)
    assert state["disabled_reason"] == "failing"
    assert state["failure_streak"] >= 12
    assert _outbox_events(database, hook["id"]) == [("failing", hook["url"])]
    # Re-enabling starts afresh.
    r = await client.patch(f"{V1}/webhooks/{hook['id']}", json={"enabled": True})
    assert r.json()["enabled"] is True
    assert r.json()["failure_streak"] == 0
    await unsubscribe(client, hook)


async def _disabled(api: Api, hook: dict[str, Any]) -> dict[str, Any] | None:
    state = await webhook(api, hook)
    return None if state["enabled"] else state


def _outbox_events(database: DatabaseUrls, webhook_id: str) -> list[tuple[str, str]]:
    with psycopg.connect(conninfo_of(database.admin)) as conn:
        rows = conn.execute(
            "SELECT payload FROM outbox_event WHERE topic = 'webhook.disabled'"
            " AND aggregate_id = %s",
            (webhook_id,),
        ).fetchall()
    return [(p["reason"], p["url"]) for (p,) in rows]


async def test_a_slow_receiver_holds_up_no_other_receiver(
    futian: Api, branch: str, client: Api
) -> None:
    other = await hook_client(futian)
    async with receiver(lambda _n, _c: HANG) as slow, receiver() as fast:
        slow_hook = await subscribe(client, slow.url)
        fast_hook = await subscribe(other, fast.url)
        members = {await new_member(futian, branch) for _ in range(8)}
        # eight 1 s timeouts of the slow receiver, were they in the way, would outlast this
        await fast.wait_for(lambda: delivered_members(fast) >= members, 5)
        await unsubscribe(client, slow_hook)
        await unsubscribe(other, fast_hook)
    # At most the endpoint's concurrency (4) at once, each dropped at the 1 s timeout.
    assert 1 <= slow.most_hanging <= 4


async def test_a_dispatcher_crash_mid_delivery_loses_nothing(
    futian: Api, branch: str, client: Api, app: Any
) -> None:
    async with receiver(lambda n, _c: HANG if n == 1 else (204, {}, b"")) as rx:
        hook = await subscribe(client, rx.url)
        member = await new_member(futian, branch)
        await rx.wait_for(lambda: len(rx.calls) == 1)
        # The worker dies while the receiver has the request: nothing was recorded.
        await app.state.webhooks.stop()
        app.state.webhooks.start()
        await rx.wait_for(lambda: delivered_members(rx) == {member})
        await unsubscribe(client, hook)
    first, again = rx.calls[0], rx.delivered()[0]
    assert first.webhook_id == again.webhook_id
    assert verify(hook["secret"], first) == verify(hook["secret"], again)


async def test_events_made_while_the_dispatcher_is_down_all_arrive(
    futian: Api, branch: str, client: Api, app: Any
) -> None:
    async with receiver() as rx:
        hook = await subscribe(client, rx.url)
        await app.state.webhooks.stop()
        try:
            members = {await new_member(futian, branch) for _ in range(3)}
            await asyncio.sleep(0.3)
            assert not rx.calls
        finally:
            app.state.webhooks.start()
        await rx.wait_for(lambda: delivered_members(rx) >= members)
        await unsubscribe(client, hook)
    assert len({c.webhook_id for c in rx.calls}) == 3


async def test_rotation_signs_with_both_secrets_during_the_overlap(
    futian: Api, branch: str, client: Api
) -> None:
    async with receiver() as rx:
        hook = await subscribe(client, rx.url)
        r = await client.post(f"{V1}/webhooks/{hook['id']}/rotate", json={"overlap_seconds": 3600})
        assert r.status_code == 200, r.text
        rotated = r.json()
        assert rotated["secret"] != hook["secret"]
        assert len(rotated["secrets"]) == 2
        await asyncio.sleep(1.2)  # the dispatcher keeps an endpoint's secrets a second
        await new_member(futian, branch)
        await rx.wait_for(lambda: len(rx.delivered()) == 1)
        during = rx.calls[-1]
        assert len(during.headers["webhook-signature"].split(" ")) == 2
        verify(hook["secret"], during)
        verify(rotated["secret"], during)

        r = await client.post(f"{V1}/webhooks/{hook['id']}/rotate", json={"overlap_seconds": 0})
        latest = r.json()["secret"]
        await asyncio.sleep(1.2)
        await new_member(futian, branch)
        await rx.wait_for(lambda: len(rx.delivered()) == 2)
        after = rx.calls[-1]
        await unsubscribe(client, hook)
    assert len(after.headers["webhook-signature"].split(" ")) == 1
    verify(latest, after)
    for old in (hook["secret"], rotated["secret"]):
        with pytest.raises(WebhookVerificationError):
            verify(old, after)


async def test_redelivery_of_one_event_and_of_a_time_range(
    futian: Api, branch: str, client: Api
) -> None:
    async with receiver() as rx:
        hook = await subscribe(client, rx.url)
        members = {await new_member(futian, branch) for _ in range(2)}
        await rx.wait_for(lambda: delivered_members(rx) >= members)
        log = await until(lambda: _log_of(client, hook, 2))  # recorded after being sent
        one = log[0]
        r = await client.post(
            f"{V1}/webhooks/{hook['id']}/redeliver", json={"event_id": one["event_id"]}
        )
        assert r.status_code == 202, r.text
        assert r.json() == {"queued": 1}
        await rx.wait_for(lambda: len(rx.calls) == 3)
        assert rx.calls[-1].webhook_id == one["event_id"]

        times = sorted(d["occurred_at"] for d in log)
        r = await client.post(
            f"{V1}/webhooks/{hook['id']}/redeliver",
            json={"since": times[0], "until": "2099-01-01T00:00:00+08:00"},
        )
        assert r.status_code == 422  # more than 31 days
        r = await client.post(
            f"{V1}/webhooks/{hook['id']}/redeliver",
            json={"since": times[0], "until": _later(times[-1])},
        )
        assert r.json() == {"queued": 2}
        await rx.wait_for(lambda: len(rx.calls) == 5)
        await unsubscribe(client, hook)
    assert {c.webhook_id for c in rx.calls[3:]} == {d["event_id"] for d in log}


async def _log_of(api: Api, hook: dict[str, Any], count: int) -> list[dict[str, Any]] | None:
    r = await api.get(f"{V1}/webhooks/{hook['id']}/deliveries", params={"limit": 200})
    assert r.status_code == 200, r.text
    items: list[dict[str, Any]] = r.json()["items"]
    return items if len(items) >= count else None


def _later(moment: str) -> str:
    from datetime import datetime, timedelta

    return (datetime.fromisoformat(moment) + timedelta(seconds=1)).isoformat()


async def test_redirects_are_not_followed(futian: Api, branch: str, client: Api) -> None:
    async with receiver(
        lambda _n, c: (
            (307, {"location": "/elsewhere"}, b"") if c.path == "/hook" else (204, {}, b"")
        )
    ) as rx:
        hook = await subscribe(client, rx.url + "/hook")
        await new_member(futian, branch)
        await rx.wait_for(lambda: len(rx.calls) >= 2)
        log = (await client.get(f"{V1}/webhooks/{hook['id']}/deliveries")).json()["items"]
        await unsubscribe(client, hook)
    assert {c.path for c in rx.calls} == {"/hook"}
    assert log[0]["last_status_code"] == 307
    assert log[0]["status"] == "pending"  # a redirect is a failure, tried again later


async def test_events_reach_clients_above_and_never_a_sibling(
    futian: Api, province: Api, nanshan: Api, branch: str
) -> None:
    above = await hook_client(province)
    sibling = await hook_client(nanshan)
    async with receiver() as up, receiver() as side:
        up_hook = await subscribe(above, up.url)
        side_hook = await subscribe(sibling, side.url)
        member = await new_member(futian, branch)
        await up.wait_for(lambda: member in delivered_members(up))
        await asyncio.sleep(0.5)
        await unsubscribe(above, up_hook)
        await unsubscribe(sibling, side_hook)
    assert member not in {member_of(c) for c in side.calls}


async def test_a_client_sees_only_its_own_webhooks(
    futian: Api, province: Api, nanshan: Api, client: Api
) -> None:
    hook = await subscribe(client, "https://hooks.example.com/a")
    other = await hook_client(futian)
    sibling = await hook_client(nanshan)
    unscoped = await hook_client(futian, ("events:read",))
    for caller in (other, sibling):
        problem(await caller.get(f"{V1}/webhooks/{hook['id']}"), 404, "webhook_not_found")
        problem(
            await caller.get(f"{V1}/webhooks/{hook['id']}/deliveries"), 404, "webhook_not_found"
        )
        r = await caller.patch(f"{V1}/webhooks/{hook['id']}", json={"enabled": False})
        problem(r, 404, "webhook_not_found")
        listed = (await caller.get(f"{V1}/webhooks")).json()["items"]
        assert hook["id"] not in {h["id"] for h in listed}
    problem(await unscoped.get(f"{V1}/webhooks/{hook['id']}"), 403, "webhook_clients_only")
    # Administrators read the webhooks of the clients they may read, and change none.
    for admin in (futian, province):
        assert (await webhook(admin, hook))["url"] == hook["url"]
    problem(await nanshan.get(f"{V1}/webhooks/{hook['id']}"), 404, "webhook_not_found")
    r = await futian.post(
        f"{V1}/webhooks",
        json={"url": "https://hooks.example.com/b", "event_types": ["member.created"]},
    )
    problem(r, 403, "webhook_clients_only")
    listed = (await client.get(f"{V1}/webhooks")).json()["items"]
    assert [h["id"] for h in listed] == [hook["id"]]
    assert "secret" not in listed[0]
    await unsubscribe(client, hook)


async def test_a_client_confined_to_an_organization_receives_its_subtree_only(
    futian: Api, database: DatabaseUrls, tenant_ids: dict[str, str]
) -> None:
    from tests.integration.test_event_feed import tenant_level_event

    committees = []
    for _ in range(2):
        r = await futian.post(
            f"{V1}/organizations", json={"kind": "party_committee", "name": unique("推送子树")}
        )
        assert r.status_code == 201, r.text
        committees.append(r.json()["id"])
    inside = await futian.post(
        f"{V1}/organizations",
        json={"kind": "branch", "name": unique("子树支部"), "parent_id": committees[0]},
    )
    sibling = await futian.post(
        f"{V1}/organizations",
        json={"kind": "branch", "name": unique("兄弟支部"), "parent_id": committees[1]},
    )
    assert inside.status_code == sibling.status_code == 201
    confined = await hook_client(futian, organization_id=committees[0])
    wide = await hook_client(futian)
    async with receiver(always(200)) as narrow_rx, receiver(always(200)) as wide_rx:
        narrow_hook = await subscribe(confined, narrow_rx.url, ("member.created", "member.updated"))
        wide_hook = await subscribe(wide, wide_rx.url, ("member.created", "member.updated"))
        ours = await new_member(futian, inside.json()["id"])
        theirs = await new_member(futian, sibling.json()["id"])
        tenant_level = await tenant_level_event(database, tenant_ids["440304"])
        everything = {ours, theirs, tenant_level}
        await wide_rx.wait_for(lambda: delivered_members(wide_rx) >= everything, 30)
        await narrow_rx.wait_for(lambda: ours in delivered_members(narrow_rx), 30)
        for call in narrow_rx.calls:
            verify(narrow_hook["secret"], call)
        # A delivery is logged once sent; the confined stream reads its subtree's events
        # only, so the sibling's and the tenant-level one are never sent nor logged (they
        # would be by now: they were sent to the wide client, and the narrow one had room).
        await until(lambda: _log_of(confined, narrow_hook, 1))
        await asyncio.sleep(0.5)
        logged = await _log_of(confined, narrow_hook, 0)
        await unsubscribe(confined, narrow_hook)
        await unsubscribe(wide, wide_hook)
    assert delivered_members(narrow_rx) == {ours}
    assert [d["event_id"] for d in logged] == [c.webhook_id for c in narrow_rx.delivered()]


async def test_a_webhook_carries_only_the_types_its_client_reads(futian: Api) -> None:
    """webhooks:write alone reads no event: the types follow the feed's scopes."""
    narrow = await hook_client(futian, scopes=("webhooks:write", "activities:read"))
    r = await narrow.post(
        f"{V1}/webhooks",
        json={"url": "https://hooks.example.com/n", "event_types": ["member.created"]},
    )
    body = problem(r, 403, "event_types_not_readable")
    assert body["errors"][0]["field"] == "event_types"
    hook = await subscribe(narrow, "https://hooks.example.com/n", ("checkin.recorded",))
    r = await narrow.patch(
        f"{V1}/webhooks/{hook['id']}", json={"event_types": ["member.status_changed"]}
    )
    problem(r, 403, "event_types_not_readable")
    r = await narrow.get(f"{V1}/webhooks/{hook['id']}")
    assert r.json()["event_types"] == ["checkin.recorded"]


async def test_subscriptions_name_known_event_types_and_web_urls(client: Api) -> None:
    r = await client.post(
        f"{V1}/webhooks",
        json={"url": "https://hooks.example.com/d", "event_types": ["member.eaten"]},
    )
    body = problem(r, 422, "webhook_invalid")
    assert body["errors"][0]["field"] == "event_types.0"
    for url in ("ftp://hooks.example.com/x", "https://user:pw@hooks.example.com/", "hooks"):
        r = await client.post(
            f"{V1}/webhooks", json={"url": url, "event_types": ["member.created"]}
        )
        problem(r, 422, "webhook_invalid")


@pytest.fixture(scope="module")
async def guarded(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """A server with the shipped default: private receivers refused."""
    configured = variant(settings, ZHIBU_WEBHOOK_ALLOW_PRIVATE=False)
    assert Settings().webhook_allow_private is False  # the default this server stands for
    async with serve(configured) as base, httpx.AsyncClient(base_url=base, timeout=30) as http:
        yield http


async def test_private_receivers_are_refused_when_subscribing(
    guarded: httpx.AsyncClient, client: Api
) -> None:
    there = Api(guarded, client.token, client.username)
    for url in (
        "http://127.0.0.1:8080/hook",
        "http://localhost/hook",
        "http://10.1.2.3/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
    ):
        body = problem(
            await there.post(
                f"{V1}/webhooks", json={"url": url, "event_types": ["member.created"]}
            ),
            422,
            "webhook_invalid",
        )
        assert body["errors"][0]["code"] == "private_address", url
    r = await there.post(
        f"{V1}/webhooks",
        json={"url": "https://hooks.example.com/e", "event_types": ["member.created"]},
    )
    assert r.status_code == 201, r.text
    await unsubscribe(there, r.json())


async def test_a_name_resolving_to_a_private_address_is_refused_at_delivery() -> None:
    async with receiver() as rx:
        port = rx.url.rsplit(":", 1)[1]
        async with delivery_client(allow_private=False, connections=2) as http:
            for url in (f"http://localhost:{port}/", rx.url):
                answer = await post(http, url, b"{}", {}, seconds=2)
                assert answer.status_code is None
                assert "not a public address" in (answer.error or ""), answer
        async with delivery_client(allow_private=True, connections=2) as http:
            assert (await post(http, rx.url, b"{}", {}, seconds=2)).status_code == 204
    assert len(rx.calls) == 1
