"""The `zhibu` command line against the test database: member import with a report."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import psycopg
from typer.testing import CliRunner

from api.cli import app
from infra.db.bootstrap import DatabaseUrls, conninfo_of
from tests.conftest import Api, unique
from tests.integration.members.helpers import new_branch, org_ids
from tests.integration.members.test_import import bad_check_digit, fresh_id, person, xlsx_bytes


def _count(database: DatabaseUrls, organization_id: str) -> int:
    with psycopg.connect(conninfo_of(database.admin)) as conn:
        row = conn.execute(
            "SELECT count(*) FROM member WHERE organization_id = %s", (organization_id,)
        ).fetchone()
    assert row is not None
    return int(row[0])


async def test_cli_imports_a_file_with_dry_run_and_partial_mode(
    futian: Api,
    tenant_ids: dict[str, str],
    database: DatabaseUrls,
    data_dir: Path,
    tmp_path: Path,
) -> None:
    orgs = await org_ids(futian, tenant_ids["440304"])
    name = unique("命令行党支部")
    branch_id = await new_branch(futian, orgs["福田区直属机关党委"], name)
    rows = [person(name), person(""), person(name, 身份证号码=bad_check_digit(fresh_id()))]
    sheet = tmp_path / "党员.xlsx"
    sheet.write_bytes(xlsx_bytes(rows))
    env = {"DATABASE_URL": database.admin, "ZHIBU_DATA_DIR": str(data_dir)}
    runner = CliRunner()

    def run(*args: str) -> tuple[int, str]:
        result = runner.invoke(app, ["members", "import", str(sheet), *args], env=env)
        return result.exit_code, result.output

    code, output = await asyncio.to_thread(
        run, "--tenant", "440304", "--organization", name, "--dry-run", "--json"
    )
    assert code == 0, output
    report = json.loads(output[output.index("{") :])
    assert report["dry_run"] is True
    assert (report["created"], report["would_create"], report["refused"]) == (0, 2, 1)
    assert report["refused_rows"][0]["row"] == 4
    assert _count(database, branch_id) == 0

    code, output = await asyncio.to_thread(
        run, "--tenant", "440304", "--organization", name, "--json"
    )
    assert code == 1, output  # all-or-nothing: one bad row, nothing written
    report = json.loads(output[output.index("{") :])
    assert report["committed"] is False
    assert report["refused_rows"][0]["errors"][0]["code"] == "id_number_check_digit"
    assert _count(database, branch_id) == 0

    code, output = await asyncio.to_thread(
        run, "--tenant", "440304", "--organization", branch_id, "--mode", "partial"
    )
    assert code == 0, output
    assert "导入报告" in output
    assert _count(database, branch_id) == 2
    with psycopg.connect(conninfo_of(database.admin)) as conn:
        audit = conn.execute(
            "SELECT actor_name, detail FROM audit_event WHERE action = 'member.import'"
            " AND detail->>'organization_id' = %s",
            (branch_id,),
        ).fetchall()
    assert [(a, d["created"]) for a, d in audit] == [("cli", 2)]


async def test_cli_refuses_unknown_tenants_and_another_tenants_branch(
    database: DatabaseUrls, data_dir: Path, tmp_path: Path
) -> None:
    sheet = tmp_path / "x.xlsx"
    sheet.write_bytes(xlsx_bytes([person("区教育局党支部")]))
    env = {"DATABASE_URL": database.admin, "ZHIBU_DATA_DIR": str(data_dir)}
    runner = CliRunner()

    def run(*args: str) -> tuple[int, str]:
        result = runner.invoke(app, ["members", "import", str(sheet), *args], env=env)
        return result.exit_code, result.output

    code, output = await asyncio.to_thread(run, "--tenant", "999999")
    assert code == 2
    assert "999999" in output
    # 区教育局党支部 belongs to Nanshan: invisible from Futian's scope
    code, output = await asyncio.to_thread(run, "--tenant", "440304", "--dry-run", "--json")
    report = json.loads(output[output.index("{") :])
    assert report["refused_rows"][0]["errors"][0]["code"] == "unknown_organization"
