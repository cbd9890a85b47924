"""A bill run's batch in a few short statements, whatever its size.

Members are named by one array parameter (`= ANY(:ids)`), not one placeholder each, so a
statement's text is the same for every batch. On PostgreSQL the bills and their charges
go in as one array per column (`INSERT … SELECT … FROM unnest(…)`): compiling and sending
hundreds of `VALUES` rows cost several times what the database spends writing them, and
the ledger's statement trigger then sees the batch as one set. Citus runs an
`INSERT … SELECT` from a function as a COPY, which row-level security refuses, so there
the rows go as `INSERT … VALUES`.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import any_, bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY, UUID, insert
from sqlalchemy.sql.elements import ColumnElement

from domain.dues import BillDraft, charge_entries
from domain.shared import new_id
from infra.db.session import UnitOfWork
from infra.dues.tables import DuesBillRow, DuesLedgerEntryRow

_UUIDS = ARRAY(UUID(as_uuid=True))


def among(column: Any, ids: Sequence[uuid.UUID], name: str = "batch_ids") -> ColumnElement[bool]:
    """`column = ANY(:ids)`, one array parameter for the whole batch."""
    return column == any_(bindparam(name, list(ids), type_=_UUIDS))  # type: ignore[no-any-return]


_BILLS = text("""
INSERT INTO dues_bill (tenant_id, id, member_id, organization_id, month, standard_fen,
                       amount_fen, status, back_payment, rule)
SELECT :tenant_id, r.id, r.member_id, r.organization_id, r.month, r.standard_fen,
       r.amount_fen, r.status, r.back_payment, r.rule
FROM ROWS FROM (
    unnest(CAST(:ids AS uuid[]), CAST(:members AS uuid[]), CAST(:orgs AS uuid[]),
           CAST(:months AS date[]), CAST(:standard AS bigint[]), CAST(:amount AS bigint[]),
           CAST(:status AS text[]), CAST(:back AS boolean[])),
    jsonb_array_elements(CAST(:rules AS jsonb))
) AS r(id, member_id, organization_id, month, standard_fen, amount_fen, status,
       back_payment, rule)
ON CONFLICT (tenant_id, member_id, month) DO NOTHING
RETURNING member_id, month, id
""")

_CHARGES = text("""
INSERT INTO dues_ledger_entry (tenant_id, id, member_id, organization_id, bill_id, month,
                               kind, amount_fen, recorded_by)
SELECT :tenant_id, r.id, r.member_id, r.organization_id, r.bill_id, r.month, r.kind,
       r.amount_fen, :recorded_by
FROM unnest(CAST(:ids AS uuid[]), CAST(:members AS uuid[]), CAST(:orgs AS uuid[]),
            CAST(:bills AS uuid[]), CAST(:months AS date[]), CAST(:kinds AS text[]),
            CAST(:amounts AS bigint[]))
     AS r(id, member_id, organization_id, bill_id, month, kind, amount_fen)
""")


BillKey = tuple[uuid.UUID, date]
"""A bill's member and month (unique per tenant)."""


async def insert_bills(
    uow: UnitOfWork, tenant_id: uuid.UUID, drafts: Sequence[BillDraft]
) -> dict[BillKey, uuid.UUID]:
    """Insert the drafts; the (member, month) → bill id of those this statement inserted."""
    if not drafts:
        return {}
    if uow.distributed:
        return await _bills_as_values(uow, tenant_id, drafts)
    found = await uow.session.execute(
        _BILLS,
        {
            "tenant_id": tenant_id,
            "ids": [new_id() for _ in drafts],
            "members": [d.member_id for d in drafts],
            "orgs": [d.organization_id for d in drafts],
            "months": [d.month for d in drafts],
            "standard": [d.standard_fen for d in drafts],
            "amount": [d.amount_fen for d in drafts],
            "status": [d.status.value for d in drafts],
            "back": [d.back_payment for d in drafts],
            "rules": json.dumps([d.rule for d in drafts], ensure_ascii=False),
        },
    )
    return {(member, month): bill for member, month, bill in found.all()}


async def _bills_as_values(
    uow: UnitOfWork, tenant_id: uuid.UUID, drafts: Sequence[BillDraft]
) -> dict[BillKey, uuid.UUID]:
    rows = [
        {
            "tenant_id": tenant_id,
            "id": new_id(),
            "member_id": d.member_id,
            "organization_id": d.organization_id,
            "month": d.month,
            "standard_fen": d.standard_fen,
            "amount_fen": d.amount_fen,
            "status": d.status.value,
            "back_payment": d.back_payment,
            "rule": d.rule,
        }
        for d in drafts
    ]
    table = DuesBillRow.__table__  # type: ignore[attr-defined]
    statement = (
        insert(table)
        .values(rows)
        .on_conflict_do_nothing(index_elements=["tenant_id", "member_id", "month"])
        .returning(table.c.member_id, table.c.month, table.c.id)
    )
    found = await uow.session.execute(statement)
    return {(member, month): bill for member, month, bill in found.all()}


def made_now(
    drafts: Sequence[BillDraft], inserted: dict[BillKey, uuid.UUID]
) -> list[tuple[BillDraft, uuid.UUID]]:
    """The drafts this statement inserted, with their bill ids (the others existed)."""
    return [
        (d, inserted[(d.member_id, d.month)]) for d in drafts if (d.member_id, d.month) in inserted
    ]


async def insert_charges(
    uow: UnitOfWork, tenant_id: uuid.UUID, bills: Sequence[tuple[BillDraft, uuid.UUID]]
) -> None:
    """The charge (and any relief) entries of new bills."""
    recorded_by = uow.actor.user_id if uow.actor else None
    entries = [
        (draft, bill_id, kind.value, amount)
        for draft, bill_id in bills
        for kind, amount in charge_entries(draft.standard_fen, draft.amount_fen)
    ]
    if not uow.distributed:
        await uow.session.execute(
            _CHARGES,
            {
                "tenant_id": tenant_id,
                "recorded_by": recorded_by,
                "ids": [new_id() for _ in entries],
                "members": [d.member_id for d, _, _, _ in entries],
                "orgs": [d.organization_id for d, _, _, _ in entries],
                "bills": [b for _, b, _, _ in entries],
                "months": [d.month for d, _, _, _ in entries],
                "kinds": [k for _, _, k, _ in entries],
                "amounts": [a for _, _, _, a in entries],
            },
        )
        return
    rows = [
        {
            "tenant_id": tenant_id,
            "id": new_id(),
            "member_id": draft.member_id,
            "organization_id": draft.organization_id,
            "bill_id": bill_id,
            "month": draft.month,
            "kind": kind,
            "amount_fen": amount,
            "recorded_by": recorded_by,
        }
        for draft, bill_id, kind, amount in entries
    ]
    await uow.session.execute(insert(DuesLedgerEntryRow.__table__).values(rows))  # type: ignore[attr-defined]
