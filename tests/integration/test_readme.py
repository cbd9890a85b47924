"""The README's first-steps walkthrough runs as written, against a live server.

Every ```sh block between the walkthrough markers is joined, in order, into one bash
script; only the server address and the pasted password are substituted.
"""

from __future__ import annotations

import asyncio
import re
import shutil
from pathlib import Path

import pytest

from tests.conftest import ADMIN_PASSWORD, ROOT

START = "<!-- walkthrough:"
END = "<!-- /walkthrough -->"
BLOCK = re.compile(r"^```sh\n(.*?)^```$", re.DOTALL | re.MULTILINE)


def walkthrough(readme: str) -> list[str]:
    section = readme[readme.index(START) : readme.index(END)]
    return BLOCK.findall(section)


@pytest.mark.skipif(shutil.which("curl") is None, reason="the walkthrough uses curl")
async def test_the_readme_walkthrough_runs_as_written(server: str, tmp_path: Path) -> None:
    blocks = walkthrough((ROOT / "README.md").read_text(encoding="utf-8"))
    assert len(blocks) >= 5
    script = "\n".join(blocks)
    for placeholder, value in (
        ("BASE=http://127.0.0.1:8000\n", f"BASE={server}\n"),
        ("PASSWORD='paste the password printed at first start'", f"PASSWORD='{ADMIN_PASSWORD}'"),
    ):
        assert placeholder in script
        script = script.replace(placeholder, value)
    process = await asyncio.create_subprocess_exec(
        "bash",
        "-c",
        "set -euo pipefail\n" + script,
        cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate()
    output = out.decode()
    assert process.returncode == 0, output + err.decode()
    lines = output.splitlines()
    assert lines[0] == "futian_admin 深圳市福田区直属机关工委"
    assert "3" in lines  # would_create in the dry run
    assert "3 True" in lines  # then created and committed
    assert lines.count("secretary") == 2
    assert "2 1" in lines  # present, absent
    assert "支部党员大会: held" in lines
