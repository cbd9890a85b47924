"""Idempotent seeding: the platform root, the `admin` account and a demo province.

Runs as the schema owner before the API starts; a second start inserts nothing twice.
No fixed password exists: `admin` gets ZHIBU_ADMIN_PASSWORD, or a random one printed once.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime

import psycopg

from domain.members import MemberDraft, MemberStatus, id_check_character, validate_member
from domain.shared import DomainError, new_id
from domain.tenancy import PLATFORM_CODE, PLATFORM_PATH, check_password, org_child_path
from infra.authz import org_domain, subtree, tenant_domain
from infra.db.bootstrap import OWNER_ROLE, conninfo_of
from infra.members import add_seed_member
from infra.protection import FieldProtector
from infra.security import hash_password

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
    # ZHIBU_ADMIN_PASSWORD was set but admin already existed: it only sets the first password.
    admin_password_ignored: bool = False


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


DEMO_MEMBERS = [
    # name, branch, tenant code, birth (yyyymmdd), sequence, status, admitted, full member on
    ("张三", "区委办公室党支部", "440304", "19910312", "011", "full", "2015-07-01", "2016-07-01"),
    ("李四", "区委办公室党支部", "440304", "19920508", "022", "full", "2016-06-20", "2017-06-20"),
    ("王芳", "区委办公室党支部", "440304", "19931120", "034", "probationary", "2026-06-28", None),
    ("赵敏", "区财政局党支部", "440304", "19940201", "046", "full", "2018-07-01", "2019-07-01"),
    ("陈伟", "区财政局党支部", "440304", "19950917", "057", "full", "2019-06-30", "2020-06-30"),
    ("刘洋", "区教育局党支部", "440305", "19960704", "063", "full", "2020-07-01", "2021-07-01"),
    ("黄静", "区教育局党支部", "440305", "19971225", "078", "probationary", "2026-05-20", None),
]
"""A few members for the demo branches. Their 身份证号 use area 440303 and birth years
after 1990, which the test helpers never generate, so tests cannot collide with them."""


def _generated_password() -> str:
    """A random initial password that also meets the password rules, as users' must."""
    while True:
        candidate = secrets.token_urlsafe(12)
        try:
            check_password(candidate, "admin")
        except DomainError:
            continue
        return candidate


def seed(
    admin_db_url: str,
    *,
    admin_password: str | None,
    demo: bool,
    protector: FieldProtector | None = None,
) -> SeedResult:
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
            generated = password = _generated_password()
        admin_hash = hash_password(password) if password and not exists else ""
        admin_id, created = _ensure_user(conn, root, "admin", "平台管理员", admin_hash)
        _grant(conn, root, admin_id, "platform_admin")
        if demo:
            orgs = _seed_demo(conn, root, admin_hash if created else None)
            if protector is not None:
                _seed_members(conn, orgs, protector)
        conn.commit()
    return SeedResult(created, generated, admin_password_ignored=bool(exists and admin_password))


def _seed_demo(
    conn: psycopg.Connection, root: tuple[uuid.UUID, str], password_hash: str | None
) -> dict[str, tuple[uuid.UUID, uuid.UUID]]:
    """Demo tenants, users and organizations; returns organization name → (tenant, id)."""
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
        # The demo counties' 直属机关党委 approve their branches' admissions (审批权限).
        conn.execute(
            "INSERT INTO organization"
            " (tenant_id, id, parent_id, kind, name, path, approval_authority)"
            " VALUES (%s, %s, %s, %s, %s, %s::ltree, %s)",
            (
                tenant[0],
                oid,
                parent_org[0] if parent_org else None,
                kind,
                name,
                path,
                kind == "party_committee",
            ),
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
    return {name: (tenants[code][0], orgs[name][0]) for code, name, _, _ in DEMO_ORGS}


def _seed_members(
    conn: psycopg.Connection,
    orgs: dict[str, tuple[uuid.UUID, uuid.UUID]],
    protector: FieldProtector,
) -> None:
    for name, branch, _, birth, sequence, status, admitted, full_on in DEMO_MEMBERS:
        first17 = f"440303{birth}{sequence}"
        number = first17 + id_check_character(first17)
        tenant_id, org_id = orgs[branch]
        draft = validate_member(
            MemberDraft(
                name=name,
                organization_id=org_id,
                id_number=number,
                status=MemberStatus(status),
                admitted_on=date.fromisoformat(admitted),
                full_member_on=date.fromisoformat(full_on) if full_on else None,
                ethnicity="汉族",
            ),
            today=datetime.now(UTC).date(),
        )
        add_seed_member(conn, draft, tenant_id, org_id, protector)


def first_start_notice(result: SeedResult) -> str | None:
    """What a start must tell the operator: the initial admin password, framed so that it
    stands out (shown this once only), or that ZHIBU_ADMIN_PASSWORD was ignored."""
    if result.admin_password_ignored:
        return (
            "\n  注意：admin 账号已存在，ZHIBU_ADMIN_PASSWORD 已被忽略（它只设置首次启动的密码）；"
            "重置密码请用 `zhibu users reset-password admin`。\n"
            "  Note: ZHIBU_ADMIN_PASSWORD is ignored because admin already exists (it sets the"
            " first password only); reset it with `zhibu users reset-password admin`.\n\n"
        )
    if not result.admin_password:
        return None
    rule = "=" * 78
    return (
        f"\n{rule}\n"
        "  首次启动：平台管理员 admin 的初始密码（仅显示这一次，请立即保存）\n"
        "  First start: the initial password of the platform admin `admin` (shown once):\n\n"
        f"      {result.admin_password}\n\n"
        "  演示账号 gd_admin、sz_admin、futian_admin、nanshan_admin、gd_inspector、\n"
        "  futian_secretary 使用同一密码 / the demo accounts share it.\n"
        f"{rule}\n\n"
    )
