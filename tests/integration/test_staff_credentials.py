"""Staff passwords refuse the guessable; staff phones are stored encrypted (issue 9, item 3)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg
import pytest
from alembic.script import ScriptDirectory

from infra.db.bootstrap import (
    DatabaseUrls,
    conninfo_of,
    drop_database,
    ensure_database,
    ensure_roles,
    ensure_schema_rights,
    migrate,
    server_url,
)
from infra.protection import FieldProtector
from infra.settings import Settings
from tests.conftest import ROOT, Api, unique

V1 = "/api/v1"
MIGRATIONS = Path(__file__).resolve().parents[2] / "infra" / "db" / "migrations"


def revision_before_phones() -> str:
    """The revision the phone-encrypting migration follows, however it is chained."""
    (script,) = [
        s
        for s in ScriptDirectory(str(MIGRATIONS)).walk_revisions()
        if s.path.endswith("_staff_phone_and_limits.py")
    ]
    return str(script.down_revision)


PASSWORD = "Strong-Pass-2026"


def phone_number() -> str:
    return "139" + str(int.from_bytes(os.urandom(4)) % 10**8).zfill(8)


def field_codes(r: httpx.Response) -> list[str]:
    assert r.status_code == 422, r.text
    assert r.json()["code"] == "password_weak"
    return [e["code"] for e in r.json()["errors"] if e["field"] == "password"]


async def test_common_and_guessable_passwords_are_refused_with_a_reason(futian: Api) -> None:
    def body(password: str, **extra: str) -> dict[str, str]:
        return {"username": unique("pw"), "display_name": "口令", "password": password, **extra}

    r = await futian.post(f"{V1}/users", json=body("Password123!"))
    assert field_codes(r) == ["password_common"]
    assert "常见密码" in r.json()["errors"][0]["message"]
    r = await futian.post(
        f"{V1}/users", json=body("Dangjian2025!"), headers={"Accept-Language": "en"}
    )
    assert field_codes(r) == ["password_guessable"]
    assert r.json()["errors"][0]["message"].startswith("The password is easy to guess")
    phone = phone_number()
    r = await futian.post(f"{V1}/users", json=body(f"Xq#{phone}", phone=phone))
    assert field_codes(r) == ["password_contains_phone"]


async def test_a_new_password_is_held_to_the_same_rules(futian: Api) -> None:
    phone = phone_number()
    r = await futian.post(
        f"{V1}/users",
        json={
            "username": unique("pw"),
            "display_name": "口令",
            "password": PASSWORD,
            "phone": phone,
        },
    )
    assert r.status_code == 201, r.text
    user = r.json()
    for password, code in (
        ("Iloveyou123!", "password_common"),
        (f"Zz-{phone}", "password_contains_phone"),
    ):
        r = await futian.patch(f"{V1}/users/{user['id']}", json={"password": password})
        assert field_codes(r) == [code]


async def test_staff_phones_are_stored_encrypted_and_still_log_in(
    http: httpx.AsyncClient, futian: Api, database: DatabaseUrls
) -> None:
    phone = phone_number()
    r = await futian.post(
        f"{V1}/users",
        json={
            "username": unique("ph"),
            "display_name": "手机",
            "password": PASSWORD,
            "phone": phone,
        },
    )
    assert r.status_code == 201, r.text
    assert r.json()["phone"] == phone[:3] + "****" + phone[-4:]
    with psycopg.connect(conninfo_of(database.admin)) as conn:
        columns = {
            row[0]
            for row in conn.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = 'app_user'"
            )
        }
        assert "phone" not in columns
        stored = conn.execute(
            "SELECT phone_enc, phone_bidx, phone_masked FROM app_user WHERE id = %s",
            (r.json()["id"],),
        ).fetchone()
        identifiers = [row[0] for row in conn.execute("SELECT identifier FROM login_identity")]
    assert stored is not None
    assert phone.encode() not in bytes(stored[0]) + bytes(stored[1])
    assert not [i for i in identifiers if phone in i]
    r = await http.post(f"{V1}/auth/login", json={"username": phone, "password": PASSWORD})
    assert r.status_code == 200, r.text


@pytest.fixture
def old_database(data_dir: Path) -> Iterator[tuple[str, Settings]]:
    """A database migrated only to the revision before staff phones were encrypted."""
    settings = Settings(ZHIBU_DATA_DIR=data_dir)
    root = server_url(os.environ.get("DATABASE_URL"), ROOT / "var" / "test")
    name = f"zhibu_before_phones_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}_{os.getpid()}"
    ensure_roles(root, settings.app_db_password_value)
    drop_database(root, name)
    admin_db = ensure_database(root, name)
    ensure_schema_rights(admin_db)
    migrate(admin_db, revision=revision_before_phones())
    yield admin_db, settings
    drop_database(root, name)


def test_the_migration_encrypts_existing_staff_phones(old_database: tuple[str, Settings]) -> None:
    admin_db, settings = old_database
    phone = "13912345678"
    with psycopg.connect(conninfo_of(admin_db)) as conn:
        tenant = conn.execute(
            "INSERT INTO tenant (id, level, code, name, path)"
            " VALUES (gen_random_uuid(), 'platform', '000000', '平台', 'zb') RETURNING id"
        ).fetchone()
        assert tenant is not None
        user = conn.execute(
            "INSERT INTO app_user (tenant_id, id, username, display_name, password_hash, phone)"
            " VALUES (%s, gen_random_uuid(), 'old', '旧账号', 'x', %s) RETURNING id",
            (tenant[0], phone),
        ).fetchone()
        assert user is not None
        conn.execute(
            "INSERT INTO login_identity VALUES (%s, %s, %s), (%s, %s, %s)",
            ("u:old", tenant[0], user[0], "p:" + phone, tenant[0], user[0]),
        )
    # Without the keys the phones cannot be encrypted: the migration refuses, changing nothing.
    with pytest.raises(RuntimeError, match="protector"):
        migrate(admin_db)
    protector = FieldProtector.from_settings(settings)
    migrate(admin_db, protector)
    with psycopg.connect(conninfo_of(admin_db)) as conn:
        row = conn.execute("SELECT phone_enc, phone_masked FROM app_user").fetchone()
        identifiers = {r[0] for r in conn.execute("SELECT identifier FROM login_identity")}
    assert row is not None
    assert protector.reveal_staff_phone(bytes(row[0])) == phone
    assert row[1] == "139****5678"
    assert identifiers == {"u:old", "p:" + protector.staff_phone_index(phone).hex()}
