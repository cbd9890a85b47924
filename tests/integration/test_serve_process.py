"""`python -m api.serve` as `make run` starts it, on a fresh data directory.

SIGTERM stops the server and its embedded PostgreSQL; a PostgreSQL left running by a killed
server is reused at the next start and stopped with it. The server's whole log, access log
included, and PostgreSQL's never show the 身份证号, phone numbers, tokens or signatures sent.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import psutil
import pytest

from tests.conftest import ROOT
from tests.integration.members.helpers import id_number

PASSWORD = "Serve-Test-Pass-2026"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Served:
    """One `python -m api.serve` process, its log kept in a file."""

    def __init__(self, data_dir: Path, log: Path) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in ("DATABASE_URL", "APP_DATABASE_URL") and not k.startswith("PYTEST")
        }
        env.update(
            ZHIBU_DATA_DIR=str(data_dir),
            HOST="127.0.0.1",
            PORT=str(self.port),
            ZHIBU_ADMIN_PASSWORD=PASSWORD,
            ZHIBU_MFA_REQUIRED_FOR_ADMINS="false",  # futian_admin logs in with a password here
            PYTHONUNBUFFERED="1",
        )
        self.log = log.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "api.serve"],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def wait_ready(self) -> None:
        for _ in range(1200):
            assert self.process.poll() is None, "the server exited while starting"
            try:
                if httpx.get(f"{self.url}/health", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise AssertionError("the server did not start")

    def stop(self, sig: signal.Signals) -> int:
        self.process.send_signal(sig)
        code = self.process.wait(60)
        self.log.close()
        return code


def postmaster(data_dir: Path) -> psutil.Process | None:
    """The embedded PostgreSQL's postmaster, if its pid file names a live process."""
    pid_file = data_dir / "pg" / "postmaster.pid"
    if not pid_file.exists():
        return None
    try:
        process = psutil.Process(int(pid_file.read_text().split()[0]))
    except (psutil.NoSuchProcess, ValueError, IndexError):
        return None
    return process if alive(process) else None


def alive(process: psutil.Process) -> bool:
    """Running, not merely waiting to be reaped (a container's PID 1 may never reap it)."""
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


@pytest.fixture
def data_dir() -> Iterator[Path]:
    path = ROOT / "var" / "test" / f"serve-{uuid.uuid4().hex[:8]}"
    path.mkdir(parents=True)
    yield path
    left = postmaster(path)
    if left is not None:  # a failed test must not leave a server behind
        left.send_signal(signal.SIGINT)
        left.wait(30)
    shutil.rmtree(path, ignore_errors=True)


def test_sigterm_stops_the_server_and_its_postgres_and_the_log_keeps_secrets(
    data_dir: Path,
) -> None:
    log = data_dir / "serve.log"
    served = Served(data_dir, log)
    try:
        served.wait_ready()
        pg = postmaster(data_dir)
        assert pg is not None

        number = id_number()
        phone = "13912345678"
        with httpx.Client(base_url=served.url, timeout=30) as client:
            r = client.post(
                "/api/v1/auth/login", json={"username": "futian_admin", "password": PASSWORD}
            )
            assert r.status_code == 200, r.text
            token = r.json()["access_token"]
            refresh = r.json()["refresh_token"]
            auth = {"Authorization": f"Bearer {token}"}
            for q in (number, phone):
                r = client.get("/api/v1/members", params={"q": q, "limit": 5}, headers=auth)
                assert r.status_code == 200, r.text
            r = client.get("/api/v1/members", params={"name": number}, headers=auth)
            signature = "5e1f" * 16
            client.get(
                "/api/v1/storage/objects/e/x.jpg",
                params={"method": "GET", "expires": "1", "sig": signature},
            )
            client.get("/api/v1/me", params={"access_token": token})
            client.post("/api/v1/auth/refresh", json={"refresh_token": refresh})
    finally:
        code = served.stop(signal.SIGTERM)

    assert code == 0
    assert not (data_dir / "pg" / "postmaster.pid").exists()
    assert not alive(pg)

    text = log.read_text(encoding="utf-8", errors="replace")
    assert "GET /api/v1/members?q=***&limit=5" in text  # the access log is on, and redacted
    text += (data_dir / "pg" / "log").read_text(encoding="utf-8", errors="replace")
    for secret in (number, phone, token, refresh, signature, PASSWORD):
        assert secret not in text


def test_a_postgres_left_by_a_killed_server_is_reused_and_then_stopped(data_dir: Path) -> None:
    first = Served(data_dir, data_dir / "first.log")
    first.wait_ready()
    first.stop(signal.SIGKILL)
    stale = postmaster(data_dir)
    assert stale is not None  # nothing could stop it

    second = Served(data_dir, data_dir / "second.log")
    try:
        second.wait_ready()
        assert postmaster(data_dir) == stale
    finally:
        assert second.stop(signal.SIGINT) == 0
    assert postmaster(data_dir) is None
    assert not alive(stale)
    assert "was left running by a process that ended" in (data_dir / "second.log").read_text()
