"""Demo members for `make run` (infra.seed): written as the registry writes them, with their
directory entry and first history version, on the seed's own connection."""

from __future__ import annotations

import uuid

import psycopg
from psycopg.types.json import Jsonb

from domain.members import MemberDraft
from domain.shared import new_id
from infra.members.records import creation_changes, member_values
from infra.members.tables import Member
from infra.protection import FieldProtector


def add_seed_member(
    conn: psycopg.Connection,
    draft: MemberDraft,
    tenant_id: uuid.UUID,
    organization_id: uuid.UUID,
    protector: FieldProtector,
) -> bool:
    """Register a validated draft unless its 身份证号 is registered already (then False)."""
    bidx = protector.id_number_index(draft.id_number)
    if conn.execute("SELECT 1 FROM member_identity WHERE id_number_bidx = %s", (bidx,)).fetchone():
        return False
    values = member_values(draft, tenant_id, organization_id, protector)
    columns = ", ".join(values)
    conn.execute(
        f"INSERT INTO member ({columns}) VALUES ({', '.join(['%s'] * len(values))})",  # noqa: S608 - column names from our own mapping
        [Jsonb(v) if isinstance(v, dict) else v for v in values.values()],
    )
    conn.execute(
        "INSERT INTO member_identity (id_number_bidx, tenant_id, member_id) VALUES (%s, %s, %s)",
        (bidx, tenant_id, values["id"]),
    )
    conn.execute(
        "INSERT INTO member_history (tenant_id, id, member_id, version, action, changes)"
        " VALUES (%s, %s, %s, 1, 'seed', %s)",
        (tenant_id, new_id(), values["id"], Jsonb(creation_changes(Member(**values)))),
    )
    return True
