"""Idempotent seeding: the platform root, the `admin` account and a demo province.

Runs as the schema owner before the API starts; a second start inserts nothing twice.
No fixed password exists: `admin` gets ZHIBU_ADMIN_PASSWORD, or a random one printed once.
"""

from __future__ import annotations

import secrets
import sys
import uuid
from dataclasses import dataclass

import psycopg

from domain.shared import new_id
from domain.tenancy import org_child_path
from infra.authz import org_domain, subtree, tenant_domain
from infra.db.bootstrap import OWNER_ROLE, conninfo_of
from infra.security import hash_password
from infra.tenancy.service import PLATFORM_CODE, PLATFORM_PATH

DEMO_TENANTS = [
    ("440000", "广东省直属机关工委", "province"),
    ("440300", "深圳市直属机关工委", "city"),
    ("440304", "深圳市福田区直属机关工委", "county"),
    ("440305", "深圳市南山区直属机关工委", "county"),
]
DEMO_USERS = [
    ("gd_admin", "广东省管理员", "440000", "tenant_admin"),
    ("sz_admin", "深圳市管理员", "440300", "tenant_admin"),
    ("futian_admin", "福田区管理员", "440304", "tenant_admin"),
    ("nanshan_admin", "南山区管理员", "440305", "tenant_admin"),
    ("gd_inspector", "广东省督查员", "440000", "inspector"),
]
DEMO_ORGS = [
    ("440304", "福田区直属机关党委", "party_committee", None),
    ("440304", "区委办公室党支部", "branch", "福田区直属机关党委"),
    ("440304", "区财政局党支部", "branch", "福田区直属机关党委"),
    ("440304", "区委办公室第一党小组", "party_group", "区委办公室党支部"),
    ("440305", "南山区直属机关党委", "party_committee", None),
    ("440305", "区教育局党支部", "branch", "南山区直属机关党委"),
]


@dataclass(frozen=True)
class SeedResult:
    admin_created: bool
    admin_password: str | None


def _tenant(conn: psycopg.Connection, code: str) -> tuple[uuid.UUID, str] | None:
    row = conn.execute("SELECT id, path::text FROM tenant WHERE code = %s", (code,)).fetchone()
    return (row[0], row[1]) if row else None


def _ensure_tenant(
    conn: psycopg.Connection, code: str, name: str, level: str, parent: tuple[uuid.UUID, str] | None
) -> tuple[uuid.UUID, str]:
    found = _tenant(conn, code)
    if found:
        return found
    tid = new_id()
    path = f"{parent[1]}.{code}" if parent else PLATFORM_PATH
    conn.execute(
        "INSERT INTO tenant (id, parent_id, level, code, name, path)"
        " VALUES (%s, %s, %s, %s, %s, %s::ltree)",
        (tid, parent[0] if parent else None, level, code, name, path),
    )
    return tid, path


def _ensure_user(
    conn: psycopg.Connection,
    tenant: tuple[uuid.UUID, str],
    username: str,
    display_name: str,
    password_hash: str,
) -> tuple[uuid.UUID, bool]:
    row = conn.execute(
        "SELECT user_id FROM login_identity WHERE identifier = %s", ("u:" + username,)
    ).fetchone()
    if row:
        return row[0], False
    uid = new_id()
    conn.execute(
        "INSERT INTO app_user (tenant_id, id, username, display_name, password_hash)"
        " VALUES (%s, %s, %s, %s, %s)",
        (tenant[0], uid, username, display_name, password_hash),
    )
    conn.execute(
        "INSERT INTO login_identity (identifier, tenant_id, user_id) VALUES (%s, %s, %s)",
        ("u:" + username, tenant[0], uid),
    )
    return uid, True


def _grant(
    conn: psycopg.Connection, tenant: tuple[uuid.UUID, str], user_id: uuid.UUID, role: str
) -> None:
    domain = subtree(tenant_domain(tenant[1]))
    conn.execute(
        "INSERT INTO role_assignment (tenant_id, id, user_id, role, domain, scope_tenant_id)"
        " VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
        (tenant[0], new_id(), user_id, role, domain, tenant[0]),
    )


def seed(admin_db_url: str, *, admin_password: str | None, demo: bool) -> SeedResult:
    with psycopg.connect(conninfo_of(admin_db_url)) as conn:
        conn.execute(f"SET ROLE {OWNER_ROLE}")
        conn.execute("SELECT pg_advisory_xact_lock(727274)")
        root = _ensure_tenant(conn, PLATFORM_CODE, "支部平台", "platform", None)
        password = admin_password
        exists = conn.execute(
            "SELECT 1 FROM login_identity WHERE identifier = 'u:admin'"
        ).fetchone()
        generated = None
        if not exists and password is None:
            generated = password = secrets.token_urlsafe(12)
        admin_hash = hash_password(password) if password else ""
        admin_id, created = _ensure_user(conn, root, "admin", "平台管理员", admin_hash)
        _grant(conn, root, admin_id, "platform_admin")
        if demo:
            _seed_demo(conn, root, admin_hash if created else None)
        conn.commit()
    return SeedResult(created, generated)


def _seed_demo(
    conn: psycopg.Connection, root: tuple[uuid.UUID, str], password_hash: str | None
) -> None:
    tenants: dict[str, tuple[uuid.UUID, str]] = {}
    parent = root
    for code, name, level in DEMO_TENANTS:
        parent_code = {"province": None, "city": "440000", "county": "440300"}[level]
        parent = tenants[parent_code] if parent_code else root
        tenants[code] = _ensure_tenant(conn, code, name, level, parent)
    if password_hash is not None:
        for username, display, code, role in DEMO_USERS:
            uid, _ = _ensure_user(conn, tenants[code], username, display, password_hash)
            _grant(conn, tenants[code], uid, role)
    orgs: dict[str, tuple[uuid.UUID, str]] = {}
    for code, name, kind, parent_name in DEMO_ORGS:
        tenant = tenants[code]
        row = conn.execute(
            "SELECT id, path::text FROM organization WHERE tenant_id = %s AND name = %s",
            (tenant[0], name),
        ).fetchone()
        if row:
            orgs[name] = (row[0], row[1])
            continue
        oid = new_id()
        parent_org = orgs.get(parent_name) if parent_name else None
        path = org_child_path(parent_org[1] if parent_org else None, oid)
        conn.execute(
            "INSERT INTO organization (tenant_id, id, parent_id, kind, name, path)"
            " VALUES (%s, %s, %s, %s, %s, %s::ltree)",
            (tenant[0], oid, parent_org[0] if parent_org else None, kind, name, path),
        )
        orgs[name] = (oid, path)
    if password_hash is not None:
        futian = tenants["440304"]
        branch = orgs["区委办公室党支部"]
        uid, _ = _ensure_user(
            conn, futian, "futian_secretary", "区委办公室党支部书记", password_hash
        )
        conn.execute(
            "INSERT INTO role_assignment"
            " (tenant_id, id, user_id, role, domain, scope_tenant_id, organization_id)"
            " VALUES (%s, %s, %s, 'org_secretary', %s, %s, %s) ON CONFLICT DO NOTHING",
            (
                futian[0],
                new_id(),
                uid,
                subtree(org_domain(futian[1], branch[1])),
                futian[0],
                branch[0],
            ),
        )


def announce(result: SeedResult) -> None:
    if result.admin_password:
        sys.stdout.write(
            "\n  首次启动：平台管理员 admin 的初始密码（仅显示这一次）/ initial admin password"
            f" (shown once): {result.admin_password}\n"
            "  演示账号 gd_admin、sz_admin、futian_admin、nanshan_admin、gd_inspector、"
            "futian_secretary 使用同一密码 / demo accounts share it.\n\n"
        )
        sys.stdout.flush()
