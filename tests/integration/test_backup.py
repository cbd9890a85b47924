"""`zhibu backup DIR` and `zhibu restore DIR`: a populated instance, backed up, restored into
a fresh database and data directory, answers the API exactly as before.

The commands run in-process (typer's runner) against the test server's PostgreSQL through
`DATABASE_URL`; the restored instance is a second real app server over the new database.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from api.cli import app as cli
from infra.db.bootstrap import (
    OWNER_ROLE,
    DatabaseUrls,
    app_url_for,
    conninfo_of,
    drop_database,
    server_url,
)
from infra.settings import Settings
from tests.conftest import ROOT, Api, serve, unique
from tests.integration.members.helpers import create_member, new_branch, org_ids
from tests.integration.storage.storage_samples import png

V1 = "/api/v1"


def run(*args: str, env: dict[str, str]) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), env=env)
    return result.exit_code, result.output


@pytest.fixture
def target() -> Iterator[str]:
    """The administrator URL of a database that does not exist yet (dropped afterwards)."""
    root = server_url(os.environ.get("DATABASE_URL"), ROOT / "var" / "test")
    name = f"zhibu_restored_{os.getpid()}"
    drop_database(root, name)
    yield make_url(root).set(database=name).render_as_string(hide_password=False)
    drop_database(root, name)


def layout(admin_url: str) -> tuple[set[tuple[str, str, str]], int]:
    """How the tables lie on Citus (each one's kind and distribution column, and the
    number of co-location groups); nothing on plain PostgreSQL."""
    with psycopg.connect(conninfo_of(admin_url)) as conn:
        if conn.execute("SELECT 1 FROM pg_extension WHERE extname = 'citus'").fetchone() is None:
            return set(), 0
        rows = conn.execute(
            "SELECT table_name::text, citus_table_type, distribution_column, colocation_id"
            " FROM citus_tables"
        ).fetchall()
    return {(name, kind, column) for name, kind, column, _ in rows}, len({r[3] for r in rows})


async def populate(http: httpx.AsyncClient, futian: Api, tenant_id: str) -> dict[str, str]:
    orgs = await org_ids(futian, tenant_id)
    branch = await new_branch(futian, orgs["福田区直属机关党委"], unique("备份党支部"))
    member = await create_member(futian, branch)
    r = await futian.post(
        f"{V1}/activities",
        json={
            "kind": "theme_day",
            "organization_id": branch,
            "title": "主题党日：备份演练",
            "starts_at": "2026-05-20T14:30:00+08:00",
            "ends_at": "2026-05-20T16:30:00+08:00",
            "place": "三楼会议室",
        },
    )
    assert r.status_code == 201, r.text
    activity = r.json()["id"]
    photo = png()
    r = await futian.post(
        f"{V1}/activities/{activity}/evidence",
        json={
            "kind": "photo",
            "filename": "现场.png",
            "content_type": "image/png",
            "size_bytes": len(photo),
            "sha256": hashlib.sha256(photo).hexdigest(),
        },
    )
    assert r.status_code == 201, r.text
    slot = r.json()
    upload = slot["upload"]
    put = await http.request(
        upload["method"], upload["url"], headers=upload["headers"], content=photo
    )
    assert put.status_code == 200, put.text
    r = await futian.post(f"{V1}/evidence/{slot['evidence']['id']}/confirm")
    assert r.status_code == 200, r.text
    return {
        "branch": branch,
        "member": member["id"],
        "activity": activity,
        "evidence": slot["evidence"]["id"],
    }


async def answers(http: httpx.AsyncClient, token: str, ids: dict[str, str]) -> dict[str, Any]:
    """What users see, audit trail first (reading the others may add to it)."""
    headers = {"Authorization": f"Bearer {token}"}

    async def get(path: str, **params: Any) -> Any:
        r = await http.get(path, headers=headers, params=params)
        assert r.status_code == 200, r.text
        return r.json()

    seen: dict[str, Any] = {"audit": await get(f"{V1}/audit-events", limit=200)}
    seen["members"] = await get(f"{V1}/members", organization_id=ids["branch"])
    seen["member"] = await get(f"{V1}/members/{ids['member']}")
    seen["activity"] = await get(f"{V1}/activities/{ids['activity']}")
    evidence = await get(f"{V1}/evidence/{ids['evidence']}")
    photo = await http.get(evidence.pop("download")["url"])
    assert photo.status_code == 200
    seen["evidence"] = evidence
    seen["photo"] = photo.content
    return seen


async def test_a_backup_restores_into_a_fresh_instance_with_the_same_answers(
    http: httpx.AsyncClient,
    futian: Api,
    tenant_ids: dict[str, str],
    database: DatabaseUrls,
    data_dir: Path,
    settings: Settings,
    target: str,
    tmp_path: Path,
) -> None:
    ids = await populate(http, futian, tenant_ids["440304"])
    dest = tmp_path / "backup"
    code, output = await asyncio.to_thread(
        run,
        "backup",
        str(dest),
        env={"DATABASE_URL": database.admin, "ZHIBU_DATA_DIR": str(data_dir)},
    )
    assert code == 0, output
    before = await answers(http, futian.token, ids)
    manifest_text = (dest / "manifest.json").read_text()
    manifest = json.loads(manifest_text)
    assert manifest["secrets"]["field_key"]["env"] == "ZHIBU_FIELD_KEY"
    assert any(f["bytes"] == len(before["photo"]) for f in manifest["objects"]["files"])
    stored = b"".join(p.read_bytes() for p in dest.rglob("*") if p.is_file())
    for value in settings.secrets.values():  # named, never written
        assert value not in manifest_text
        assert value.encode() not in stored

    # A data directory with other keys cannot read the encrypted data: refused, nothing made.
    stranger = tmp_path / "stranger"
    env = {
        "DATABASE_URL": target,
        "ZHIBU_DATA_DIR": str(stranger),
        "ZHIBU_APP_DB_PASSWORD": settings.app_db_password_value,
    }
    code, output = await asyncio.to_thread(run, "restore", str(dest), env=env)
    assert code == 2
    assert "ZHIBU_FIELD_KEY" in output

    # A damaged backup is refused before anything is restored.
    damaged = tmp_path / "damaged"
    shutil.copytree(dest, damaged)
    victim = next(p for p in (damaged / "objects").rglob("*") if p.is_file())
    victim.write_bytes(victim.read_bytes() + b"x")
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    shutil.copy(data_dir / "secrets.json", fresh / "secrets.json")  # the operator's keys
    env = {"DATABASE_URL": target, "ZHIBU_DATA_DIR": str(fresh)}
    code, output = await asyncio.to_thread(run, "restore", str(damaged), env=env)
    assert code == 2
    assert "checksum" in output

    # So is one from a newer schema than this code knows.
    future = tmp_path / "future"
    shutil.copytree(dest, future)
    newer = dict(manifest, alembic_revision="9999_future")
    (future / "manifest.json").write_text(json.dumps(newer))
    code, output = await asyncio.to_thread(run, "restore", str(future), env=env)
    assert code == 2
    assert "newer" in output

    code, output = await asyncio.to_thread(run, "restore", str(dest), env=env)
    assert code == 0, output
    code, output = await asyncio.to_thread(run, "restore", str(dest), env=env)
    assert code == 2  # never over existing data
    assert "not empty" in output
    # On Citus the restored tables are sharded and referenced again as the source's are.
    assert layout(target) == layout(database.admin)

    restored = Settings(
        ZHIBU_DATA_DIR=fresh,
        APP_DATABASE_URL=app_url_for(target, settings.app_db_password_value),
        DB_POOL_SIZE=2,
        ZHIBU_MFA_REQUIRED_FOR_ADMINS=False,
    )
    from api.app import create_app

    async with (
        serve(create_app(restored)) as base,
        httpx.AsyncClient(base_url=base, timeout=30) as other,
    ):
        after = await answers(other, futian.token, ids)
    assert after == before


async def test_audit_events_cannot_be_deleted_through_the_api(
    futian: Api, http: httpx.AsyncClient
) -> None:
    document = (await http.get("/docs/openapi.json")).json()
    audit_paths = {p: ops for p, ops in document["paths"].items() if "audit" in p}
    assert audit_paths
    assert {m for ops in audit_paths.values() for m in ops} == {"get"}
    event = (await futian.get(f"{V1}/audit-events", params={"limit": 1})).json()["items"][0]
    r = await futian.delete(f"{V1}/audit-events/{event['id']}")
    assert r.status_code in (404, 405)
    r = await futian.get(f"{V1}/audit-events", params={"limit": 1})
    assert r.json()["items"][0]["id"] == event["id"]


def _dated_id(days_ago: int) -> uuid.UUID:
    """A uuid7 of that day: the kept event sorts by its time among the others (the audit
    list is newest first by id) and does not top another test's first page."""
    ms = int((time.time() - days_ago * 86400) * 1000)
    return uuid.UUID(int=(ms << 80) | (0x7 << 76) | (0b10 << 62) | secrets.randbits(62))


def test_audit_events_are_kept_six_months_even_from_the_schema_owner(
    database: DatabaseUrls,
) -> None:
    """网络安全法 第二十一条: network logs are kept no less than six months."""
    with psycopg.connect(conninfo_of(database.admin)) as conn:
        conn.execute(f"SET ROLE {OWNER_ROLE}")
        tenant = conn.execute("SELECT id FROM tenant WHERE code = '440304'").fetchone()
        assert tenant is not None
        old, recent = _dated_id(days_ago=213), _dated_id(days_ago=152)
        conn.execute(
            "INSERT INTO audit_event (tenant_id, id, occurred_at, action, resource_type, outcome)"
            " VALUES (%s, %s, now() - interval '7 months', 'test.old', 'test', 'success'),"
            " (%s, %s, now() - interval '5 months', 'test.recent', 'test', 'success')",
            (tenant[0], old, tenant[0], recent),
        )
        conn.commit()
        refused = [
            ("UPDATE audit_event SET action = 'x' WHERE id = %s", recent),
            ("UPDATE audit_event SET action = 'x' WHERE id = %s", old),
            ("DELETE FROM audit_event WHERE id = %s", recent),
        ]
        for statement, event in refused:
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(statement, (event,))
            conn.rollback()
            conn.execute(f"SET ROLE {OWNER_ROLE}")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("TRUNCATE audit_event")
        conn.rollback()
        conn.execute(f"SET ROLE {OWNER_ROLE}")
        assert conn.execute("DELETE FROM audit_event WHERE id = %s", (old,)).rowcount == 1
        conn.commit()
        left = conn.execute(
            "SELECT count(*) FROM audit_event WHERE id = ANY(%s)", ([old, recent],)
        ).fetchone()
        assert left == (1,)


async def test_the_embedded_default_restores_a_backup_and_backs_up_again(
    futian: Api,
    tenant_ids: dict[str, str],
    database: DatabaseUrls,
    data_dir: Path,
    tmp_path: Path,
) -> None:
    """No DATABASE_URL: restore starts an embedded server in the new data directory.

    Under `make test-citus` the backup is of a Citus database and the embedded server is
    plain PostgreSQL: the restored database answers a name-fragment search as the source did.
    """
    orgs = await org_ids(futian, tenant_ids["440304"])
    branch = await new_branch(futian, orgs["福田区直属机关党委"], unique("恢复党支部"))
    for name in ("欧阳恢复", "恢复华", "张复兴"):
        await create_member(futian, branch, name=name)
    search = {"organization_id": branch, "q": "阳恢复"}
    found = await futian.get(f"{V1}/members", params=search)
    assert found.status_code == 200, found.text
    assert [m["name"] for m in found.json()["items"]] == ["欧阳恢复"]
    first = tmp_path / "first"
    code, output = await asyncio.to_thread(
        run,
        "backup",
        str(first),
        env={"DATABASE_URL": database.admin, "ZHIBU_DATA_DIR": str(data_dir)},
    )
    assert code == 0, output
    home = tmp_path / "home"
    home.mkdir()
    shutil.copy(data_dir / "secrets.json", home / "secrets.json")
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL" and not k.startswith("S3_")}
    env["ZHIBU_DATA_DIR"] = str(home)
    second = tmp_path / "second"
    # Both commands in one process of their own (the embedded server they start stops with
    # it), one after the other as an operator would run them.
    script = (
        "import sys; from api.cli import app\n"
        "for args in (['restore', sys.argv[1]], ['backup', sys.argv[2]]):\n"
        "    code = app(args, standalone_mode=False)\n"
        "    if code:\n"
        "        sys.exit(f'{args[0]} exited with {code}')\n"
    )
    done = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-c", script, str(first), str(second)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    one, two = (json.loads((d / "manifest.json").read_text()) for d in (first, second))
    assert one["alembic_revision"] == two["alembic_revision"]
    assert one["objects"]["files"] == two["objects"]["files"]
    assert (home / "pg").is_dir()

    # Served as an operator would after `zhibu restore`: `python -m api.serve`.
    port = free_port()
    env |= {"PORT": str(port), "ZHIBU_MFA_REQUIRED_FOR_ADMINS": "false"}
    api = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "api.serve", env=env, cwd=ROOT, stdout=subprocess.DEVNULL
    )
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as other:
            await until_up(other, api)
            again = await other.get(
                f"{V1}/members", params=search, headers={"Authorization": f"Bearer {futian.token}"}
            )
    finally:
        api.terminate()  # SIGTERM: the server exits and stops its embedded PostgreSQL
        await api.wait()
    assert again.status_code == 200, again.text
    assert again.json()["items"] == found.json()["items"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def until_up(client: httpx.AsyncClient, process: asyncio.subprocess.Process) -> None:
    """Wait for a server starting in `process` to answer (it prepares its database first)."""
    for _ in range(600):
        assert process.returncode is None, "the restored server exited"
        with contextlib.suppress(httpx.TransportError):
            if (await client.get("/health")).status_code == 200:
                return
        await asyncio.sleep(0.2)
    raise AssertionError("the restored server did not start")
