"""Row-level security as the app role sees it, straight through psycopg.

Whatever a handler forgets, PostgreSQL must not return another subtree's rows: the app
role cannot bypass the policies, every tenant table forces them, and without a tenant
scope nothing at all is visible. Tables are listed from the catalogue, so a new tenant
table is covered the day it is migrated.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator

import psycopg
import pytest
from psycopg import sql

from domain.tenancy import org_child_path
from infra.db.bootstrap import APP_ROLE, OWNER_ROLE, DatabaseUrls, conninfo_of
from infra.protection import FieldProtector
from infra.settings import Settings

CORE_TABLES = {"tenant", "app_user", "organization", "role_assignment", "login_identity"}


def _one(cursor: psycopg.Cursor[tuple[object, ...]]) -> tuple[object, ...]:
    row = cursor.fetchone()
    assert row is not None
    return row


def _tenant_tables(conn: psycopg.Connection) -> list[str]:
    rows = conn.execute(
        "SELECT c.table_name FROM information_schema.columns c"
        " JOIN information_schema.tables t USING (table_schema, table_name)"
        " WHERE c.table_schema = 'public' AND c.column_name = 'tenant_id'"
        "   AND t.table_type = 'BASE TABLE' ORDER BY 1"
    ).fetchall()
    return [r[0] for r in rows]


@pytest.fixture(scope="module")
def admin_conn(database: DatabaseUrls) -> Iterator[psycopg.Connection]:
    with psycopg.connect(conninfo_of(database.admin), autocommit=True) as conn:
        yield conn


@pytest.fixture
def app_conn(database: DatabaseUrls) -> Iterator[psycopg.Connection]:
    with psycopg.connect(conninfo_of(database.app)) as conn:
        yield conn
        conn.rollback()


@pytest.fixture(scope="module")
def tables(admin_conn: psycopg.Connection) -> list[str]:
    found = _tenant_tables(admin_conn)
    assert CORE_TABLES - {"tenant"} <= set(found), found
    return found


def _path(admin_conn: psycopg.Connection, code: str) -> tuple[uuid.UUID, str]:
    row = _one(admin_conn.execute("SELECT id, path::text FROM tenant WHERE code = %s", (code,)))
    return row[0], row[1]


def _count(conn: psycopg.Connection, table: str, where: str = "", *args: object) -> int:
    query = sql.SQL("SELECT count(*) FROM {} " + where).format(sql.Identifier(table))
    return int(_one(conn.execute(query, args))[0])


def test_app_role_cannot_bypass_row_level_security(app_conn: psycopg.Connection) -> None:
    user, superuser, bypass = _one(
        app_conn.execute(
            "SELECT current_user, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user"
        )
    )
    assert user == APP_ROLE
    assert not superuser
    assert not bypass
    member = app_conn.execute("SELECT pg_has_role(current_user, %s, 'MEMBER')", (OWNER_ROLE,))
    assert _one(member)[0] is False
    owns = app_conn.execute(
        "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE n.nspname = 'public' AND pg_get_userbyid(c.relowner) = current_user"
    )
    assert _one(owns)[0] == 0, "the app role must own no table (owners skip RLS unless FORCE)"


def test_every_tenant_table_forces_row_level_security(
    admin_conn: psycopg.Connection, tables: list[str]
) -> None:
    rows = admin_conn.execute(
        "SELECT relname, relrowsecurity, relforcerowsecurity FROM pg_class"
        " WHERE relnamespace = 'public'::regnamespace AND relname = ANY(%s)",
        (["tenant", *tables],),
    ).fetchall()
    flags = {name: (enabled, forced) for name, enabled, forced in rows}
    assert set(flags) == {"tenant", *tables}
    missing = [t for t, f in flags.items() if f != (True, True)]
    assert not missing, f"tables without ENABLE + FORCE ROW LEVEL SECURITY: {missing}"


def test_no_scope_sees_no_rows_in_any_tenant_table(
    admin_conn: psycopg.Connection, app_conn: psycopg.Connection, tables: list[str]
) -> None:
    populated = {t for t in ["tenant", *tables] if _count(admin_conn, t) > 0}
    assert populated >= CORE_TABLES, "the seed should fill the core tables"
    visible = {t: _count(app_conn, t) for t in ["tenant", *tables]}
    assert visible == dict.fromkeys(visible, 0)
    # An empty scope is no scope either.
    app_conn.execute("SELECT zhibu_set_scope('', '')")
    assert {t: _count(app_conn, t) for t in visible} == visible


def test_sibling_scope_sees_none_of_the_other_county(
    admin_conn: psycopg.Connection, app_conn: psycopg.Connection, tables: list[str]
) -> None:
    futian_id, _ = _path(admin_conn, "440304")
    nanshan_id, nanshan_path = _path(admin_conn, "440305")
    app_conn.execute("SELECT zhibu_set_scope(%s, '')", (nanshan_path,))
    leaked = {t: _count(app_conn, t, "WHERE tenant_id = %s", futian_id) for t in tables}
    assert leaked == dict.fromkeys(tables, 0)
    assert _count(app_conn, "tenant", "WHERE id = %s", futian_id) == 0
    assert _count(app_conn, "tenant", "WHERE code IN ('440000', '440300')") == 0
    # The scope works, it does not just hide everything.
    assert _count(app_conn, "tenant", "WHERE id = %s", nanshan_id) == 1
    assert _count(app_conn, "app_user", "WHERE tenant_id = %s", nanshan_id) >= 1
    assert _count(app_conn, "organization", "WHERE tenant_id = %s", nanshan_id) >= 1


def test_parent_scope_sees_the_subtree(
    admin_conn: psycopg.Connection, app_conn: psycopg.Connection
) -> None:
    futian_id, _ = _path(admin_conn, "440304")
    _, province_path = _path(admin_conn, "440000")
    app_conn.execute("SELECT zhibu_set_scope(%s, '')", (province_path,))
    assert _count(app_conn, "organization", "WHERE tenant_id = %s", futian_id) >= 1
    assert _count(app_conn, "tenant", "WHERE code = '000000'") == 0


def test_writes_outside_the_scope_are_refused(
    admin_conn: psycopg.Connection, app_conn: psycopg.Connection
) -> None:
    futian_id, _ = _path(admin_conn, "440304")
    _, nanshan_path = _path(admin_conn, "440305")
    app_conn.execute("SELECT zhibu_set_scope(%s, '')", (nanshan_path,))
    changed = app_conn.execute(
        "UPDATE organization SET name = 'x' WHERE tenant_id = %s", (futian_id,)
    ).rowcount
    assert changed == 0
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        app_conn.execute(
            "INSERT INTO organization (tenant_id, id, kind, name, path)"
            " VALUES (%s, %s, 'branch', 'x', 'x')",
            (futian_id, uuid.uuid4()),
        )


@pytest.mark.parametrize(
    "statement", ["UPDATE audit_event SET action = 'x'", "DELETE FROM audit_event"]
)
def test_audit_events_are_append_only_for_the_app_role(
    admin_conn: psycopg.Connection, app_conn: psycopg.Connection, statement: str
) -> None:
    _, futian_path = _path(admin_conn, "440304")
    app_conn.execute("SELECT zhibu_set_scope(%s, '')", (futian_path,))
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        app_conn.execute(statement)


def test_the_check_in_context_reader_keeps_to_the_scope(
    admin_conn: psycopg.Connection, app_conn: psycopg.Connection, settings: Settings
) -> None:
    """The one read that runs as the owner (migration 0006) applies the scope itself."""
    futian_id, futian_path = _path(admin_conn, "440304")
    _, nanshan_path = _path(admin_conn, "440305")
    user_id, member_id = uuid.uuid4(), uuid.uuid4()
    org_id = uuid.uuid4()
    protected = FieldProtector.from_settings(settings).id_number("11010519491231002X")
    with admin_conn.transaction():
        admin_conn.execute(f"SET LOCAL ROLE {OWNER_ROLE}")
        admin_conn.execute(
            "INSERT INTO organization (tenant_id, id, kind, name, path)"
            " VALUES (%s, %s, 'branch', '范围测试党支部', %s::ltree)",
            (futian_id, org_id, org_child_path(None, org_id)),
        )
        admin_conn.execute(
            "INSERT INTO app_user (tenant_id, id, username, display_name, password_hash)"
            " VALUES (%s, %s, %s, '范围测试', 'x')",
            (futian_id, user_id, f"scope_probe_{user_id.hex[:12]}"),
        )
        admin_conn.execute(
            "INSERT INTO member (tenant_id, id, organization_id, user_id, name, gender,"
            " birth_date, id_number_enc, id_number_bidx, id_number_masked, status, admitted_on,"
            " full_member_on) VALUES (%s, %s, %s, %s, '范围测试', 'female', '1949-12-31',"
            " %s, %s, %s, 'full', '1980-07-01', '1981-07-01')",
            (
                futian_id,
                member_id,
                org_id,
                user_id,
                protected.ciphertext,
                protected.blind_index,
                protected.masked,
            ),
        )
    items = json.dumps(
        [
            {
                "ord": 0,
                "tenant_id": str(futian_id),
                "user_id": str(user_id),
                "activity_id": str(uuid.uuid4()),
                "key": None,
            }
        ]
    )

    def members_seen(path: str | None) -> list[object]:
        if path is not None:
            app_conn.execute("SELECT zhibu_set_scope(%s, '')", (path,))
        rows = app_conn.execute(
            "SELECT member_id FROM zhibu_self_checkin_contexts(%s)", (items,)
        ).fetchall()
        app_conn.rollback()
        return [r[0] for r in rows]

    assert members_seen(None) == []
    assert members_seen(nanshan_path) == []
    assert members_seen(futian_path) == [member_id]


def test_the_name_fragment_lookup_keeps_to_the_scope(
    admin_conn: psycopg.Connection, app_conn: psycopg.Connection
) -> None:
    """Name fragments are looked up as the owner (migration 0013): the function returns
    exactly the members the same search under row-level security returns."""
    paths = [None, *(_path(admin_conn, code)[1] for code in ("440304", "440305", "440000"))]
    for fragment in ("三", "张三", "党", "芳"):
        for path in paths:
            if path is not None:
                app_conn.execute("SELECT zhibu_set_scope(%s, '')", (path,))
            named = app_conn.execute(
                "SELECT id FROM zhibu_members_named(%s) ORDER BY id", (fragment,)
            ).fetchall()
            visible = app_conn.execute(
                "SELECT id FROM member WHERE strpos(name, %s) > 0 ORDER BY id", (fragment,)
            ).fetchall()
            app_conn.rollback()
            assert named == visible, (fragment, path)
            assert path is not None or named == []


def test_name_grams_follow_the_visible_members_and_only_triggers_write_them(
    admin_conn: psycopg.Connection, app_conn: psycopg.Connection
) -> None:
    """The ordered fragment lookup (migration 0018) is a tenant table like any other: a scope
    sees the grams of exactly the members it sees, and only member's triggers write them."""
    for code in ("440304", "440305", "440000"):
        app_conn.execute("SELECT zhibu_set_scope(%s, '')", (_path(admin_conn, code)[1],))
        grams = sorted(app_conn.execute("SELECT tenant_id, member_id, gram FROM member_name_gram"))
        names = sorted(
            app_conn.execute("SELECT m.tenant_id, m.id, g FROM member m, unnest(m.name_grams) g")
        )
        app_conn.rollback()
        assert grams == names, code
        assert grams
    futian_id, futian_path = _path(admin_conn, "440304")
    app_conn.execute("SELECT zhibu_set_scope(%s, '')", (futian_path,))
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        app_conn.execute(
            "INSERT INTO member_name_gram (tenant_id, gram, member_id, name_pinyin, admitted_on)"
            " VALUES (%s, '王', %s, 'wang', '2000-01-01')",
            (futian_id, uuid.uuid4()),
        )
