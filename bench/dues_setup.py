"""A province for the dues benchmarks: the demo tree (广东 440000 > 深圳 440300 > 福田
440304 / 南山 440305), a party committee per tenant with branches of about 40 members,
members loaded with COPY (as `bench.members_search` does) and an approved dues base for
each (employed, salary, 2,000–14,000 yuan, so every bracket of the 2008 standard occurs).

`FLOOR_BILLS` and `FLOOR_CHARGES` are the hand-written `INSERT … SELECT`s that make the
same bills and charges as a bill run under the national standard (round half up); the
ledger's trigger keeps the figures for both alike.
"""

from __future__ import annotations

import json
import time
import uuid
from datetime import date
from pathlib import Path
from typing import Any

import psycopg

from bench.members_import import BenchDb
from bench.members_search import load_members
from domain.dues import NATIONAL_2008
from domain.members import OrgRef
from domain.tenancy import org_child_path
from infra.db.bootstrap import conninfo_of

ROOT = Path(__file__).resolve().parent.parent
MEMBERS_PER_BRANCH = 40
CODES = ("440000", "440300", "440304", "440305")


def build_branches(db: BenchDb, members: int) -> dict[str, list[OrgRef]]:
    """One party committee per demo tenant and `members / 40` branches spread over them."""
    count = max(len(CODES), members // MEMBERS_PER_BRANCH)
    out: dict[str, list[OrgRef]] = {}
    with psycopg.connect(conninfo_of(db.admin)) as conn:
        tenants = conn.execute(
            "SELECT id, code, path::text FROM tenant WHERE code = ANY(%s) ORDER BY code",
            (list(CODES),),
        ).fetchall()
        rows = []
        for index, (tenant_id, code, tenant_path) in enumerate(tenants):
            root_id = uuid.uuid4()
            root_path = org_child_path(None, root_id)
            rows.append((tenant_id, root_id, None, "party_committee", f"基准党委{code}", root_path))
            branches = []
            for i in range(index, count, len(tenants)):
                oid = uuid.uuid4()
                path = org_child_path(root_path, oid)
                name = f"基准第{i + 1}党支部"
                rows.append((tenant_id, oid, root_id, "branch", name, path))
                branches.append(OrgRef(oid, tenant_id, name, "branch", path, tenant_path))
            out[code] = branches
        with conn.cursor().copy(
            "COPY organization (tenant_id, id, parent_id, kind, name, path) FROM STDIN"
        ) as copy:
            for row in rows:
                copy.write_row(row)
        conn.commit()
    return out


BASES = """
INSERT INTO dues_base (tenant_id, id, member_id, organization_id, category, income_kind,
                       monthly_income_fen, effective_from, status, declared_by, decided_by,
                       decided_at)
SELECT m.tenant_id, gen_random_uuid(), m.id, m.organization_id, 'employed', 'salary',
       200000 + abs(hashtext(m.id::text)) % 1200000, DATE '2019-01-01', 'approved',
       gen_random_uuid(), gen_random_uuid(), now()
FROM member m
"""


def province(db: BenchDb, members: int) -> float:
    """Organizations, members and their bases; returns the seconds it took."""
    started = time.perf_counter()
    orgs = build_branches(db, members)
    load_members(db, orgs, members)
    with psycopg.connect(conninfo_of(db.admin), autocommit=True) as conn:
        conn.execute(BASES)
        conn.execute("VACUUM (ANALYZE) organization, dues_base")
    return time.perf_counter() - started


_RATE = (
    "CASE WHEN b.monthly_income_fen <= 300000 THEN 50"
    " WHEN b.monthly_income_fen <= 500000 THEN 100"
    " WHEN b.monthly_income_fen <= 1000000 THEN 150 ELSE 200 END"
)
_ABOVE = (
    "CASE WHEN b.monthly_income_fen <= 300000 THEN NULL"
    " WHEN b.monthly_income_fen <= 500000 THEN 300000"
    " WHEN b.monthly_income_fen <= 1000000 THEN 500000 ELSE 1000000 END"
)
_UP_TO = (
    "CASE WHEN b.monthly_income_fen <= 300000 THEN 300000"
    " WHEN b.monthly_income_fen <= 500000 THEN 500000"
    " WHEN b.monthly_income_fen <= 1000000 THEN 1000000 END"
)

FLOOR_BILLS = f"""
INSERT INTO dues_bill (tenant_id, id, member_id, organization_id, month, standard_fen,
                       amount_fen, status, back_payment, rule)
SELECT m.tenant_id, gen_random_uuid(), m.id, m.organization_id, %(month)s, a.fen, a.fen,
       CASE WHEN a.fen > 0 THEN 'unpaid' ELSE 'exempted' END, %(back)s,
       jsonb_build_object(
           'standard_id', '{NATIONAL_2008.id}', 'standard_name', '{NATIONAL_2008.name}',
           'category', 'employed', 'above_fen', {_ABOVE}, 'up_to_fen', {_UP_TO},
           'rate_bp', {_RATE}, 'fixed_fen', NULL, 'base_id', b.id::text)
FROM member m
JOIN LATERAL (
    SELECT * FROM dues_base b
    WHERE b.tenant_id = m.tenant_id AND b.member_id = m.id AND b.status = 'approved'
      AND b.effective_from <= %(month)s
    ORDER BY b.effective_from DESC LIMIT 1
) b ON true
CROSS JOIN LATERAL (SELECT (b.monthly_income_fen * {_RATE} + 5000) / 10000 AS fen) a
WHERE m.tenant_id = %(tenant)s AND m.status IN ('probationary', 'full')
  AND date_trunc('month', m.admitted_on) <= %(month)s
ON CONFLICT (tenant_id, member_id, month) DO NOTHING
"""

FLOOR_CHARGES = """
INSERT INTO dues_ledger_entry (tenant_id, id, member_id, organization_id, bill_id, month,
                               kind, amount_fen)
SELECT tenant_id, gen_random_uuid(), member_id, organization_id, id, month, 'charge',
       standard_fen
FROM dues_bill WHERE tenant_id = %(tenant)s AND month = %(month)s
"""


def floor_bills(db: BenchDb, month: date, *, back: bool) -> float:
    """The hand-written bills and charges of a month for every tenant; seconds taken."""
    with psycopg.connect(conninfo_of(db.admin)) as conn:
        tenants = [
            t for (t,) in conn.execute("SELECT id FROM tenant WHERE code = ANY(%s)", (list(CODES),))
        ]
        started = time.perf_counter()
        for tenant in tenants:
            params = {"tenant": tenant, "month": month, "back": back}
            conn.execute(FLOOR_BILLS, params)
            conn.execute(FLOOR_CHARGES, params)
            conn.commit()
        return time.perf_counter() - started


def write_results(name: str, data: dict[str, Any]) -> Path:
    path = ROOT / "bench" / f"results-{name}.json"
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path
