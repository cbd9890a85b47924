"""The first-start password notice: framed, and the last thing printed at start."""

from __future__ import annotations

import asyncio
import sys

from infra.seed import SeedResult, first_start_notice
from tests.conftest import ROOT

SERVE_TRIVIAL_APP = """
import uvicorn
from api.serve import _NoticeServer

async def app(scope, receive, send):
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            else:
                await send({"type": "lifespan.shutdown.complete"})
                return

config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="info")
_NoticeServer(config, "\\n=== NOTICE s3cret ===\\n").run()
"""


def test_the_notice_frames_the_password_and_names_the_demo_accounts() -> None:
    notice = first_start_notice(SeedResult(admin_created=True, admin_password="s3cret-Pass"))
    assert notice is not None
    lines = notice.strip("\n").splitlines()
    assert lines[0] == lines[-1] == "=" * 78
    assert "      s3cret-Pass" in lines
    assert "futian_admin" in notice
    assert first_start_notice(SeedResult(admin_created=False, admin_password=None)) is None


async def test_the_notice_comes_after_the_servers_start_up_lines() -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        SERVE_TRIVIAL_APP,
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    assert process.stdout is not None
    lines: list[str] = []
    try:
        while "=== NOTICE s3cret ===" not in lines:
            line = await asyncio.wait_for(process.stdout.readline(), 60)
            assert line, "\n".join(lines)
            lines.append(line.decode().strip())
    finally:
        process.terminate()
        await process.wait()
    assert any("Uvicorn running on" in line for line in lines), lines
    assert any("Application startup complete" in line for line in lines), lines
