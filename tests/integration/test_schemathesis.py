"""Schemathesis against the real app: the server does what the document says, and only that.

A bounded run (every operation, every check, a fixed seed, a few examples each) as a county
administrator fails on any 5xx and any status, content type, header or schema that the
document does not promise. It runs against its own database, migrated and seeded as
`make run` does, so what it creates and the accounts it locks touch no other test; and the
operations that change the caller's own account run as a throwaway account of their own,
so the main run cannot log itself out or deactivate itself halfway.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from infra.db.bootstrap import drop_database, fresh_database, server_url
from infra.protection import FieldProtector
from infra.seed import seed
from infra.settings import Settings
from tests.conftest import ADMIN_PASSWORD, ROOT, login, serve, unique

ST = Path(sys.executable).with_name("st")
# Every check is on by default; `--checks` on the command line would override the
# per-operation settings below, so it is not given.
SEED = 20261201
# The caller's own account: run as a throwaway account, apart from everything else.
SELF_OPERATIONS = ("login", "refreshToken", "logout", "getMe", "updateUser", "changeMyPassword")
# Pagination cursors are opaque: a made-up one is refused (400 invalid_cursor) by design.
PAGED = (
    "listActivities",
    "listApiClients",
    "listApplicantArchives",
    "listApplicants",
    "listDuesArrears",
    "listDuesBases",
    "listDuesBills",
    "listDuesReconciliations",
    "listDuesMonthReports",
    "listDuesMonths",
    "listDuesReliefs",
    "listDuesSummaryOrganizations",
    "listEvents",
    "listEvidence",
    "listAuditEvents",
    "listJobs",
    "listJobReportRows",
    "listMembers",
    "listMemberHistory",
    "listMemberPoints",
    "listMobileCertificates",
    "listOrganizations",
    "listPointAwards",
    "listPointRules",
    "listRoleAssignments",
    "listStarRatings",
    "listTenants",
    "listTransfers",
    "listUsers",
    "listVoluntaryDues",
)


def _list(values: tuple[str, ...]) -> str:
    return "[" + ", ".join(f'"{v}"' for v in values) + "]"


ACCEPTED = '"2xx", "3xx", 401, 403, 404, 409, 412, 422, 429'


def _operation_settings() -> dict[str, list[str]]:
    """Per operation, its check settings; schemathesis applies the first entry that matches."""
    settings: dict[str, list[str]] = {}
    # RFC 6749 §5.2: the token endpoint answers 400 to a grant type or scope it does not
    # grant, whatever string the form carries.
    for op in (*PAGED, "issueClientToken"):
        settings.setdefault(op, []).append(
            f"checks.positive_data_acceptance.expected-statuses = [{ACCEPTED}, 400]"
        )
    return settings


def config(*, main: bool, self_user_id: str = "") -> str:
    lines = [
        "[checks.positive_data_acceptance]",
        # A schema-valid request may still break a business rule (422) or a precondition.
        f"expected-statuses = [{ACCEPTED}]",
        "",
        "[[operations]]",
        f"include-operation-id = {_list(SELF_OPERATIONS)}",
    ]
    if not main:
        lines.append(f'parameters = {{ "user_id" = "{self_user_id}" }}')
        return "\n".join([*lines, ""])
    lines.append("enabled = false")
    for op, settings in _operation_settings().items():
        lines += ["", "[[operations]]", f'include-operation-id = "{op}"', *settings]
    return "\n".join([*lines, ""])


@pytest.fixture(scope="module")
async def contract_server(data_dir: Path) -> AsyncIterator[str]:
    """The real app on its own database, seeded as `make run` seeds it."""
    from api.app import create_app

    settings = Settings(ZHIBU_DATA_DIR=data_dir)
    root = server_url(os.environ.get("DATABASE_URL"), ROOT / "var" / "test")
    name = f"zhibu_contract_{os.getpid()}"
    urls = fresh_database(root, name, settings.app_db_password_value)
    seed(
        urls.admin,
        admin_password=ADMIN_PASSWORD,
        demo=True,
        protector=FieldProtector.from_settings(settings),
    )
    # As the shared server: admins log in with a password alone, rate limits out of reach.
    app_settings = Settings(
        ZHIBU_DATA_DIR=data_dir,
        APP_DATABASE_URL=urls.app,
        DB_POOL_SIZE=5,
        ZHIBU_AUTH_RATE_PER_MINUTE=1_000_000,
        ZHIBU_USER_RATE_PER_MINUTE=1_000_000,
        ZHIBU_MFA_REQUIRED_FOR_ADMINS=False,
    )
    async with serve(create_app(app_settings)) as url:
        yield url
    drop_database(root, name)


async def schemathesis(
    url: str, token: str, config_text: str, tmp: Path, *only: str
) -> tuple[int, str]:
    config_file = tmp / "schemathesis.toml"
    config_file.write_text(config_text, encoding="utf-8")
    process = await asyncio.create_subprocess_exec(
        str(ST),
        "--config-file",
        str(config_file),
        "--no-color",
        "run",
        f"{url}/docs/openapi.json",
        "--url",
        url,
        "--header",
        f"Authorization: Bearer {token}",
        "--seed",
        str(SEED),
        "--max-examples",
        "3",
        "--workers",
        "2",
        "--generation-database",
        "none",
        "--phases",
        "examples,fuzzing,stateful",
        "--request-timeout",
        "30",
        *(arg for op in only for arg in ("--include-operation-id", op)),
        cwd=tmp,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await process.communicate()
    return process.returncode or 0, output.decode("utf-8", "replace")


async def test_the_server_keeps_the_documents_promises(
    contract_server: str, tmp_path: Path
) -> None:
    async with httpx.AsyncClient(base_url=contract_server, timeout=30) as http:
        admin = await login(http, "futian_admin")
        me = (await admin.get("/api/v1/me")).json()
        throwaway = unique("st")
        r = await admin.post(
            "/api/v1/users",
            json={"username": throwaway, "display_name": "契约测试", "password": "St-Pass-2026-x"},
        )
        assert r.status_code == 201, r.text
        user_id = r.json()["id"]
        r = await admin.post(
            "/api/v1/role-assignments",
            json={"user_id": user_id, "role": "tenant_admin", "tenant_id": me["tenant"]["id"]},
        )
        assert r.status_code == 201, r.text
        own = await login(http, throwaway, "St-Pass-2026-x")

    main_dir, self_dir = tmp_path / "main", tmp_path / "self"
    main_dir.mkdir()
    self_dir.mkdir()
    main_rc, main_out = await schemathesis(
        contract_server, admin.token, config(main=True), main_dir
    )
    self_rc, self_out = await schemathesis(
        contract_server,
        own.token,
        config(main=False, self_user_id=user_id),
        self_dir,
        *SELF_OPERATIONS,
    )
    assert main_rc == 0, main_out[-20000:]
    assert self_rc == 0, self_out[-20000:]
