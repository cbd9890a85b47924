"""SQL functions are defined in `.sql` files (`infra/<context>/sql/<function>.sql`), one
per function; the migrated database runs what they say.

Migrations hold frozen copies of the files' text (a migration must not change later). Each
file is run, as the schema owner, against the database migrated to head in a transaction
that is rolled back: if that changes any function (or fails), the file has drifted from
the migrations, and a new migration copying the file's text is missing.

On Citus the database runs what Citus needs instead: the file in `sql/citus/` beside it
where there is one (0021), and otherwise the file as migration 0017 rewrites SQL functions
with parameters in PL/pgSQL, so the comparison there is with that.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from types import ModuleType

import psycopg
import pytest

from domain.shared import new_id
from infra.db.bootstrap import DatabaseUrls, conninfo_of

ROOT = Path(__file__).resolve().parents[2]
SQL_FILES = sorted(ROOT.glob("infra/*/sql/*.sql"))
CITUS_FILES = sorted(ROOT.glob("infra/*/sql/citus/*.sql"))
_CREATE = re.compile(r"^CREATE OR REPLACE FUNCTION (\w+)\(", re.MULTILINE)


def _definitions(conn: psycopg.Connection) -> dict[str, str]:
    rows = conn.execute(
        "SELECT p.oid::regprocedure::text, pg_get_functiondef(p.oid) FROM pg_proc p"
        " WHERE p.pronamespace = 'public'::regnamespace AND p.proname LIKE 'zhibu\\_%'"
    ).fetchall()
    return {name: definition for name, definition in rows}


def test_every_function_of_the_migrated_database_has_its_file(database: DatabaseUrls) -> None:
    with psycopg.connect(conninfo_of(database.admin)) as conn:
        migrated = {name.partition("(")[0] for name in _definitions(conn)}
    assert migrated == {path.stem for path in SQL_FILES}


def _is_citus(conn: psycopg.Connection) -> bool:
    return conn.execute("SELECT 1 FROM pg_extension WHERE extname = 'citus'").fetchone() is not None


def _migration_0017() -> ModuleType:
    path = next(ROOT.glob("infra/db/migrations/versions/0017_*.py"))
    spec = importlib.util.spec_from_file_location("migration_0017", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _as_citus_runs_it(conn: psycopg.Connection, path: Path) -> None:
    """Run the file as a Citus database holds it: its `citus/` version, or rewritten as 0017
    rewrites SQL functions with parameters."""
    variant = path.parent / "citus" / path.name
    if variant.exists():
        conn.execute(variant.read_text())
        return
    conn.execute(path.read_text())
    migration = _migration_0017()
    for row in conn.execute(
        migration.SQL_FUNCTIONS.replace("ORDER BY 1", "AND p.proname = %s ORDER BY 1"),
        (path.stem,),
    ).fetchall():
        conn.execute(migration._as_plpgsql(*row))


def test_every_citus_version_has_its_file() -> None:
    assert {p.name for p in CITUS_FILES} <= {p.name for p in SQL_FILES}


@pytest.mark.parametrize("path", SQL_FILES + CITUS_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_each_file_defines_the_function_it_is_named_after(path: Path) -> None:
    assert _CREATE.findall(path.read_text()) == [path.stem]


@pytest.mark.parametrize("path", SQL_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_the_migrated_database_runs_the_function_as_its_file_says(
    database: DatabaseUrls, path: Path
) -> None:
    with psycopg.connect(conninfo_of(database.admin)) as conn:
        conn.execute("SET ROLE zhibu_owner")
        before = _definitions(conn)
        try:
            if _is_citus(conn):
                _as_citus_runs_it(conn, path)
            else:
                conn.execute(path.read_text())
        except psycopg.Error as error:
            pytest.fail(f"{path.name} cannot replace the migrated function: {error}")
        after = _definitions(conn)
        conn.rollback()
    changed = sorted(name for name, definition in after.items() if before.get(name) != definition)
    assert not changed, (
        f"{path.name} differs from the migrated {changed}: add a migration with its text"
    )


def test_ids_made_in_sql_are_version_7_in_time_order(database: DatabaseUrls) -> None:
    """The audit trail is paged by id: an id a SQL function makes sorts by its time among
    the application's own."""
    before = new_id()
    with psycopg.connect(conninfo_of(database.admin)) as conn:
        row = conn.execute("SELECT zhibu_uuid7(), zhibu_uuid7()").fetchone()
    after = new_id()
    assert row is not None
    first, second = row
    assert (first.version, second.version) == (7, 7)
    # their milliseconds (the first 48 bits) lie between those of ids made around them
    ms = [u.int >> 80 for u in (before, first, second, after)]
    assert ms == sorted(ms)
