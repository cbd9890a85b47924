"""Roles, database and migrations, done with the administrator's connection.

Three roles keep row-level security honest: the administrator (superuser or a role
with CREATEROLE) only bootstraps; `zhibu_owner` owns the schema and runs migrations;
`zhibu_app` is what the API connects as: no superuser, no BYPASSRLS, not a member of
the owner, so FORCE'd policies always apply to it.

On a Citus coordinator (the citus extension in the administrator's database) a new
database is created on every worker too and joined to the cluster, and the owner may log
in: Citus runs DDL and distributed queries on the workers as the current role.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql
from sqlalchemy.engine import make_url

from infra.protection import FieldProtector

OWNER_ROLE = "zhibu_owner"
APP_ROLE = "zhibu_app"


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
        if _is_citus(conn):
            conn.execute(sql.SQL("ALTER ROLE {} WITH LOGIN").format(sql.Identifier(OWNER_ROLE)))
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


def _is_citus(conn: psycopg.Connection[Any]) -> bool:
    found = conn.execute("SELECT 1 FROM pg_extension WHERE extname = 'citus'").fetchone()
    return found is not None


def _on_node(url: str, host: str, port: int, database: str | None = None) -> str:
    u = make_url(url).set(host=host, port=port)
    return (u if database is None else u.set(database=database)).render_as_string(
        hide_password=False
    )


Address = tuple[str, int]


def _citus_nodes(conn: psycopg.Connection[Any]) -> tuple[Address | None, list[Address]]:
    """The coordinator (if registered) and the primary workers known to this database."""
    if not _is_citus(conn):
        return None, []
    rows = conn.execute(
        "SELECT groupid = 0, nodename, nodeport FROM pg_dist_node"
        " WHERE noderole = 'primary' ORDER BY nodeid"
    ).fetchall()
    coordinator = next(((host, port) for first, host, port in rows if first), None)
    return coordinator, [(host, port) for first, host, port in rows if not first]


def _create_database(conn: psycopg.Connection[Any], name: str) -> None:
    exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
    if not exists:
        conn.execute(
            sql.SQL("CREATE DATABASE {} OWNER {} ENCODING 'UTF8' TEMPLATE template0").format(
                sql.Identifier(name), sql.Identifier(OWNER_ROLE)
            )
        )


def ensure_database(admin_url: str, name: str) -> str:
    """Create database `name` owned by the owner role if missing; return its admin URL.

    On a Citus coordinator the database is created on each worker as well, with the
    extension, and the new database's metadata lists the same coordinator and workers.
    """
    with psycopg.connect(conninfo_of(admin_url), autocommit=True) as conn:
        coordinator, workers = _citus_nodes(conn)
        _create_database(conn, name)
    db_url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    if not workers:
        return db_url
    for host, port in workers:
        with psycopg.connect(conninfo_of(_on_node(admin_url, host, port)), autocommit=True) as w:
            _create_database(w, name)
        with psycopg.connect(conninfo_of(_on_node(db_url, host, port)), autocommit=True) as w:
            w.execute("CREATE EXTENSION IF NOT EXISTS citus")
    with psycopg.connect(conninfo_of(db_url), autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS citus")
        if coordinator is not None:
            conn.execute("SELECT citus_set_coordinator_host(%s, %s)", coordinator)
        for worker in workers:
            conn.execute("SELECT citus_add_node(%s, %s)", worker)
    return db_url


def drop_database(admin_url: str, name: str) -> None:
    """Drop database `name` (on a Citus coordinator: on its workers too)."""
    statement = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
    with psycopg.connect(conninfo_of(admin_url), autocommit=True) as conn:
        _, workers = _citus_nodes(conn)
        conn.execute(statement)
    for host, port in workers:
        with psycopg.connect(conninfo_of(_on_node(admin_url, host, port)), autocommit=True) as w:
            w.execute(statement)


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
    """A new, migrated database `name` (dropped first if it exists), for tests and benchmarks.

    On Citus, databases of one cluster are migrated one at a time: DDL propagated to the
    workers at once from two databases fails there with "tuple concurrently updated".
    """
    ensure_roles(root_url, app_password)
    with psycopg.connect(conninfo_of(root_url), autocommit=True) as root:
        if _is_citus(root):
            root.execute("SELECT pg_advisory_lock(hashtext('zhibu.fresh_database'))")
        drop_database(root_url, name)
        admin_db = ensure_database(root_url, name)
        ensure_schema_rights(admin_db)
        migrate(admin_db)
    return DatabaseUrls(admin=admin_db, app=app_url_for(admin_db, app_password))
