"""The sandbox provider across worker processes (issue 15 item 4): its platform key and
orders are in PostgreSQL, so a notification signed for an order made through one worker
is verified and applied by another process, and an order made through that other process
is queried and settled by whichever worker's job asks."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from infra.dues import SandboxCallbacks
from infra.dues.providers import sandbox_callbacks
from infra.settings import Settings
from tests.conftest import ROOT, Api
from tests.integration.dues.test_payments import (
    MONTHS,
    Payer,
    new_payer,
    pay,
    run_bills,
    settled,
)

NOW = MONTHS[-1]
_SERVE = (
    "import sys, uvicorn\n"
    "from api.app import create_app\n"
    "uvicorn.run(create_app(), host='127.0.0.1', port=int(sys.argv[1]), log_level='warning')\n"
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def second_worker(settings: Settings, data_dir: Path) -> Iterator[str]:
    """Another API process on the same database and secrets, as a second worker is."""
    port = _free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "APP_DATABASE_URL") and not k.startswith("PYTEST")
    }
    env.update(
        ZHIBU_DATA_DIR=str(data_dir),
        APP_DATABASE_URL=settings.app_database_url or "",
        DB_POOL_SIZE="3",
        ZHIBU_MFA_REQUIRED_FOR_ADMINS="false",
        ZHIBU_DUES_TIME_SCALE=str(settings.dues_time_scale),
        ZHIBU_USER_RATE_PER_MINUTE="1000000",
    )
    log = (data_dir / f"second-worker-{port}.log").open("ab")
    process = subprocess.Popen(
        [sys.executable, "-c", _SERVE, str(port)], cwd=ROOT, env=env, stdout=log, stderr=log
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            assert process.poll() is None, "the second worker exited while starting"
            try:
                if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(60)
        log.close()


async def test_another_process_verifies_settles_and_queries_the_same_sandbox(
    http: httpx.AsyncClient, futian: Api, sandbox: SandboxCallbacks, second_worker: str
) -> None:
    payers = [await new_payer(http, futian) for _ in range(2)]
    await run_bills(futian, NOW)
    async with httpx.AsyncClient(base_url=second_worker, timeout=30) as other:
        for payer in payers:
            page = await payer.api.get("/api/v1/dues/bills", params={"member_id": payer.member_id})
            payer.bills = {b["month"]: b["id"] for b in page.json()["items"]}
        here, there = payers

        # Made through this process, notified to the other: it verifies the platform's key.
        body = (await pay(here, NOW)).json()
        sandbox.url = second_worker + sandbox_callbacks.PATH
        try:
            assert await sandbox.pay(body["out_trade_no"]) == 1
        finally:
            sandbox.url = str(http.base_url).rstrip("/") + sandbox_callbacks.PATH
        paid = await other.get(
            f"/api/v1/dues/payments/{body['id']}",
            headers={"Authorization": f"Bearer {here.api.token}"},
        )
        assert (paid.status_code, paid.json()["status"]) == (200, "paid")

        # Made through the other process, paid with no notification: the order query of
        # whichever worker runs it finds the order at the provider and settles it.
        elsewhere = Payer(there.unit, there.member_id, Api(other, there.api.token, "t"), {})
        made = await elsewhere.api.post(
            f"/api/v1/dues/bills/{there.bills[NOW]}/payments",
            json={},
            headers={"Idempotency-Key": "second-worker"},
        )
        assert made.status_code == 201, made.text
        order = made.json()
        assert await sandbox.platform.order(order["out_trade_no"]) is not None
        await sandbox.platform.pay(order["out_trade_no"], now=datetime.now(UTC))
        assert (await settled(there, order["id"]))["bills"][0]["settled"] is True
