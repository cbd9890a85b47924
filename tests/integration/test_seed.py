"""Seeding is idempotent: a second start inserts nothing twice and keeps passwords."""

from __future__ import annotations

import httpx
import psycopg

from infra.db.bootstrap import DatabaseUrls, conninfo_of
from infra.seed import seed
from tests.conftest import ADMIN_PASSWORD

TABLES = ("tenant", "app_user", "organization", "role_assignment", "login_identity")


def _counts(url: str) -> dict[str, int]:
    with psycopg.connect(conninfo_of(url)) as conn:
        conn.execute("SET ROLE zhibu_owner")
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}


def test_second_seed_changes_nothing(database: DatabaseUrls) -> None:
    before = _counts(database.admin)
    result = seed(database.admin, admin_password=None, demo=True)
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
