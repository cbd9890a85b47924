"""Roles, database and migrations, done with the administrator's connection.

Three roles keep row-level security honest: the administrator (superuser or a role
with CREATEROLE) only bootstraps; `zhibu_owner` owns the schema and runs migrations;
`zhibu_app` is what the API connects as: no superuser, no BYPASSRLS, not a member of
the owner, so FORCE'd policies always apply to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import psycopg
from psycopg import sql
from sqlalchemy.engine import make_url

OWNER_ROLE = "zhibu_owner"
APP_ROLE = "zhibu_app"


class Sealed(Protocol):
    @property
    def ciphertext(self) -> bytes: ...

    @property
    def blind_index(self) -> bytes: ...

    @property
    def masked(self) -> str: ...


class FieldProtector(Protocol):
    """What migrations that encrypt existing rows need of the field keys (the caller's)."""

    def staff_phone(self, phone: str) -> Sealed: ...


@dataclass(frozen=True)
class DatabaseUrls:
    admin: str
    app: str


def conninfo_of(url: str) -> str:
    """A libpq connection string for psycopg, from any SQLAlchemy-style URL."""
    u = make_url(url)
    return u.set(drivername="postgresql").render_as_string(hide_password=False)


def async_url(url: str) -> str:
    return make_url(url).set(drivername="postgresql+psycopg").render_as_string(hide_password=False)


def ensure_roles(admin_url: str, app_password: str) -> None:
    """Create or update the owner and app roles; safe to run from several processes at once.

    Roles are shared by the whole server, so concurrent starters (test workers, API
    workers) take turns: two `ALTER ROLE`s at once fail with "tuple concurrently updated".
    """
    with psycopg.connect(conninfo_of(admin_url)) as conn:
        conn.execute("SELECT pg_advisory_xact_lock(hashtext('zhibu.ensure_roles'))")
        for role, login in ((OWNER_ROLE, False), (APP_ROLE, True)):
            exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone()
            if not exists:
                conn.execute(
                    sql.SQL(
                        "CREATE ROLE {} {} NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE"
                    ).format(sql.Identifier(role), sql.SQL("LOGIN" if login else "NOLOGIN"))
                )
        conn.execute(
            sql.SQL(
                "ALTER ROLE {} WITH LOGIN NOSUPERUSER NOBYPASSRLS NOINHERIT PASSWORD {}"
            ).format(sql.Identifier(APP_ROLE), sql.Literal(app_password))
        )
        member = conn.execute(
            "SELECT pg_has_role(current_user, %s, 'MEMBER')", (OWNER_ROLE,)
        ).fetchone()
        if not (member and member[0]):
            conn.execute(
                sql.SQL("GRANT {} TO {}").format(
                    sql.Identifier(OWNER_ROLE), sql.SQL("CURRENT_USER")
                )
            )
        conn.commit()


def ensure_database(admin_url: str, name: str) -> str:
    """Create database `name` owned by the owner role if missing; return its admin URL."""
    with psycopg.connect(conninfo_of(admin_url), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            conn.execute(
                sql.SQL("CREATE DATABASE {} OWNER {} ENCODING 'UTF8' TEMPLATE template0").format(
                    sql.Identifier(name), sql.Identifier(OWNER_ROLE)
                )
            )
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def drop_database(admin_url: str, name: str) -> None:
    with psycopg.connect(conninfo_of(admin_url), autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def app_url_for(admin_db_url: str, app_password: str) -> str:
    return (
        make_url(admin_db_url)
        .set(drivername="postgresql+psycopg", username=APP_ROLE, password=app_password)
        .render_as_string(hide_password=False)
    )


def migrate(
    admin_db_url: str, protector: FieldProtector | None = None, revision: str = "head"
) -> None:
    """Upgrade to `revision`; migrations that encrypt existing rows use `protector`'s keys."""
    from alembic import command
    from alembic.config import Config

    here = Path(__file__).parent
    cfg = Config()
    cfg.set_main_option("script_location", str(here / "migrations"))
    cfg.attributes["url"] = make_url(admin_db_url).set(drivername="postgresql+psycopg")
    cfg.attributes["protector"] = protector
    command.upgrade(cfg, revision)


def ensure_schema_rights(admin_db_url: str) -> None:
    """On a database we did not create, let the owner role build the schema in `public`."""
    with psycopg.connect(conninfo_of(admin_db_url), autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS ltree")
        conn.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        conn.execute(
            sql.SQL("GRANT USAGE, CREATE ON SCHEMA public TO {}").format(sql.Identifier(OWNER_ROLE))
        )


def prepare(
    *,
    database_url: str | None,
    data_dir: Path,
    app_password: str,
    protector: FieldProtector | None = None,
    database: str = "zhibu",
) -> DatabaseUrls:
    """Everything before the API can connect: server, roles, database, migrations."""
    if database_url:
        admin_db = database_url
        ensure_roles(admin_db, app_password)
    else:
        from infra.db.embedded import start_embedded

        root = start_embedded(data_dir)
        ensure_roles(root, app_password)
        admin_db = ensure_database(root, database)
    ensure_schema_rights(admin_db)
    migrate(admin_db, protector)
    return DatabaseUrls(admin=admin_db, app=app_url_for(admin_db, app_password))


def server_url(database_url: str | None, data_dir: Path) -> str:
    """The administrator URL of `DATABASE_URL`, or of the embedded server under `data_dir`."""
    if database_url:
        return database_url
    from infra.db.embedded import start_embedded

    return start_embedded(data_dir)


def fresh_database(root_url: str, name: str, app_password: str) -> DatabaseUrls:
    """A new, migrated database `name` (dropped first if it exists), for tests and benchmarks."""
    ensure_roles(root_url, app_password)
    drop_database(root_url, name)
    admin_db = ensure_database(root_url, name)
    ensure_schema_rights(admin_db)
    migrate(admin_db)
    return DatabaseUrls(admin=admin_db, app=app_url_for(admin_db, app_password))
