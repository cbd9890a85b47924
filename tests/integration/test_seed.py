"""Seeding is idempotent: a second start inserts nothing twice and keeps passwords."""

from __future__ import annotations

import httpx
import psycopg

from infra.db.bootstrap import DatabaseUrls, conninfo_of
from infra.protection import FieldProtector
from infra.seed import seed
from infra.settings import Settings
from tests.conftest import ADMIN_PASSWORD, Api

TABLES = ("tenant", "app_user", "organization", "role_assignment", "login_identity", "member")


def _counts(url: str) -> dict[str, int]:
    with psycopg.connect(conninfo_of(url)) as conn:
        conn.execute("SET ROLE zhibu_owner")
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}


def test_second_seed_changes_nothing(database: DatabaseUrls, settings: Settings) -> None:
    before = _counts(database.admin)
    assert before["member"] > 0
    result = seed(
        database.admin,
        admin_password=None,
        demo=True,
        protector=FieldProtector.from_settings(settings),
    )
    assert result.admin_created is False
    assert result.admin_password is None  # nothing printed on a later start
    assert _counts(database.admin) == before


async def test_admin_keeps_its_password_after_reseed(
    database: DatabaseUrls, http: httpx.AsyncClient
) -> None:
    seed(database.admin, admin_password="Another-Pass-2026", demo=True)
    r = await http.post(
        "/api/v1/auth/login", json={"username": "admin", "password": ADMIN_PASSWORD}
    )
    assert r.status_code == 200


async def test_demo_branches_have_members(futian: Api) -> None:
    r = await futian.get("/api/v1/members", params={"q": "张三"})
    assert r.status_code == 200
    assert any(m["name"] == "张三" for m in r.json()["items"])
