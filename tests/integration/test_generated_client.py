"""A third party's view: a Python client generated from `openapi/openapi.json` alone does the job.

openapi-python-client (pinned in the dev extras) generates into a temporary directory with
no warning at all, and the client then logs in, creates a branch, a member and an
activity, marks the member present and exports the roll, against the real server.
"""

from __future__ import annotations

import importlib
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.conftest import ADMIN_PASSWORD, ROOT, unique
from tests.integration.members.helpers import id_number

GENERATOR = Path(sys.executable).with_name("openapi-python-client")
PACKAGE = "zhibu_api_client"


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    out = tmp_path_factory.mktemp("client")
    config = out / "generator.yml"
    # No formatter is needed to read it; a receipt's PDF is bytes to a client, as the
    # generator's documentation has it for media types it does not know.
    config.write_text(
        "post_hooks: []\ncontent_type_overrides:\n  application/pdf: application/octet-stream\n",
        encoding="utf-8",
    )
    target = out / PACKAGE
    output = _generate(config, target)
    sys.path.insert(0, str(out))
    yield output, target
    sys.path.remove(str(out))
    for name in [m for m in sys.modules if m == PACKAGE or m.startswith(f"{PACKAGE}.")]:
        del sys.modules[name]


def _generate(config: Path, target: Path) -> str:
    process = subprocess.run(
        [
            str(GENERATOR),
            "generate",
            "--path",
            str(ROOT / "openapi" / "openapi.json"),
            "--meta",
            "none",
            "--output-path",
            str(target),
            "--config",
            str(config),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    output = process.stdout + process.stderr
    assert process.returncode == 0, output
    return output


def module(name: str) -> ModuleType:
    return importlib.import_module(f"{PACKAGE}.{name}")


def test_the_client_generates_without_warnings(generated: tuple[str, Path]) -> None:
    output, target = generated
    assert "warning" not in output.lower(), output
    tags = {p.name for p in (target / "api").iterdir() if p.is_dir()}
    assert {"auth", "members", "activities", "check_in", "organizations"} <= tags
    assert all(p.name.isascii() for p in target.rglob("*.py"))


async def test_a_generated_client_runs_a_branch_meeting(
    generated: tuple[str, Path], server: str
) -> None:
    client_module = module("client")
    models: Any = module("models")
    login: Any = module("api.auth.login")
    create_organization: Any = module("api.organizations.create_organization")
    create_member: Any = module("api.members.create_member")
    create_activity: Any = module("api.activities.create_activity")
    create_checkin: Any = module("api.check_in.create_checkin")
    export_members: Any = module("api.members.export_members")

    anonymous = client_module.Client(base_url=server, raise_on_unexpected_status=True)
    tokens = await login.asyncio(
        client=anonymous, body=models.LoginIn(username="futian_admin", password=ADMIN_PASSWORD)
    )
    assert isinstance(tokens, models.TokenOut), tokens
    api = client_module.AuthenticatedClient(
        base_url=server, token=tokens.access_token, raise_on_unexpected_status=True
    )

    branch = await create_organization.asyncio(
        client=api,
        body=models.OrganizationIn(kind=models.OrganizationKind.BRANCH, name=unique("客户端支部")),
    )
    assert isinstance(branch, models.OrganizationOut), branch

    name = "柳生成"
    member = await create_member.asyncio(
        client=api,
        body=models.MemberIn(
            organization_id=branch.id,
            name=name,
            id_number=id_number(),
            status=models.AdmissionStatus.FULL,
            admitted_on=datetime(2010, 7, 1).date(),
            full_member_on=datetime(2011, 7, 1).date(),
        ),
    )
    assert isinstance(member, models.MemberOut), member

    starts = datetime.now(UTC) + timedelta(minutes=5)
    activity = await create_activity.asyncio(
        client=api,
        body=models.ActivityIn(
            kind=models.ActivityKind.BRANCH_CONGRESS,
            organization_id=branch.id,
            title="生成客户端的支部党员大会",
            starts_at=starts,
            ends_at=starts + timedelta(hours=1),
        ),
    )
    assert isinstance(activity, models.ActivityOut), activity

    checkin = await create_checkin.asyncio(
        activity_id=activity.id, client=api, body=models.CheckinIn(member_id=member.id)
    )
    assert isinstance(checkin, models.CheckinOut), checkin
    assert checkin.member_id == member.id

    roll = await export_members.asyncio(
        client=api, format_=models.ExportFormat.CSV, organization_id=branch.id
    )
    assert isinstance(roll, str), roll
    assert name in roll
