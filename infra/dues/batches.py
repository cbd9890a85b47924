"""A bill run's batch in a few short statements, whatever its size.

A batch's members are read by the range of their ids (`among`: members are paged in id
order), not by an array of thousands of ids. On PostgreSQL the bills go in as one array per
column (`INSERT … SELECT … FROM unnest(…)`) and their charges in the same statement, with
ids from `zhibu_uuid7()`: compiling and sending hundreds of `VALUES` rows cost several times
what the database spends writing them, and the ledger's statement trigger then sees the
batch as one set. Arrays go as their text literal (`array_literal`): psycopg's list dumper
tests every element against a regular expression for quoting, and that and making and
printing ids in Python were a quarter of a bill run's time at 50,000 members. Citus runs
an `INSERT … SELECT` from a function as a COPY, which row-level security refuses, so there
the rows go as `INSERT … VALUES`.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import false, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.sql.elements import ColumnElement

from domain.dues import BillDraft, charge_entries
from domain.shared import new_id
from infra.db.session import UnitOfWork
from infra.dues.tables import DuesBillRow, DuesLedgerEntryRow


def array_literal(values: Sequence[uuid.UUID | int | date | bool | str]) -> str:
    """The text of a PostgreSQL array of uuids, integers, dates, booleans or words (values
    whose text needs no quoting), to cast in SQL."""
    return (
        "{"
        + ",".join(("t" if v else "f") if v is True or v is False else str(v) for v in values)
        + "}"
    )


def among(column: Any, ids: Sequence[uuid.UUID]) -> ColumnElement[bool]:
    """The rows of these members and of any member between them in id order: a batch is a
    run of ids, so this is one range of an index. Callers look the rows up by member."""
    if not ids:
        return false()
    return column.between(min(ids), max(ids))  # type: ignore[no-any-return]


_BILLS_AND_CHARGES = text("""
WITH drafted AS (
    SELECT * FROM ROWS FROM (
        unnest(CAST(:members AS uuid[]), CAST(:orgs AS uuid[]), CAST(:months AS date[]),
               CAST(:standard AS bigint[]), CAST(:amount AS bigint[]),
               CAST(:status AS text[]), CAST(:back AS boolean[])),
        jsonb_array_elements(CAST(:rules AS jsonb))
    ) WITH ORDINALITY AS d(member_id, organization_id, month, standard_fen, amount_fen,
                           status, back_payment, rule, draft)
), made AS (
    INSERT INTO dues_bill (tenant_id, id, member_id, organization_id, month, standard_fen,
                           amount_fen, status, back_payment, rule)
    SELECT :tenant_id, zhibu_uuid7(), d.member_id, d.organization_id, d.month,
           d.standard_fen, d.amount_fen, d.status, d.back_payment, d.rule
    FROM drafted d
    ON CONFLICT (tenant_id, member_id, month) DO NOTHING
    RETURNING id, member_id, organization_id, month
), charged AS (
    INSERT INTO dues_ledger_entry (tenant_id, id, member_id, organization_id, bill_id,
                                   month, kind, amount_fen, recorded_by)
    SELECT :tenant_id, zhibu_uuid7(), m.member_id, m.organization_id, m.id, m.month,
           e.kind, e.amount_fen, :recorded_by
    FROM made m
    JOIN drafted d ON d.member_id = m.member_id AND d.month = m.month
    JOIN unnest(CAST(:entry_drafts AS bigint[]), CAST(:entry_kinds AS text[]),
                CAST(:entry_amounts AS bigint[])) AS e(draft, kind, amount_fen)
      ON e.draft = d.draft
)
SELECT member_id, month, id FROM made
""")


BillKey = tuple[uuid.UUID, date]
"""A bill's member and month (unique per tenant)."""


async def insert_bills_and_charges(
    uow: UnitOfWork, tenant_id: uuid.UUID, drafts: Sequence[BillDraft]
) -> dict[BillKey, uuid.UUID]:
    """Insert the drafts and the charge (and any relief) entries of those this statement
    inserted; the (member, month) → bill id of those (the others existed). On PostgreSQL
    one statement, the ids made by `zhibu_uuid7()`."""
    if not drafts:
        return {}
    if uow.distributed:
        inserted = await _bills_as_values(uow, tenant_id, drafts)
        if inserted:
            await _charges_as_values(uow, tenant_id, made_now(drafts, inserted))
        return inserted
    entries = [
        (number, kind.value, amount)
        for number, d in enumerate(drafts, start=1)
        for kind, amount in charge_entries(d.standard_fen, d.amount_fen)
    ]
    found = await uow.session.execute(
        _BILLS_AND_CHARGES,
        {
            "tenant_id": tenant_id,
            "recorded_by": uow.actor.user_id if uow.actor else None,
            "members": array_literal([d.member_id for d in drafts]),
            "orgs": array_literal([d.organization_id for d in drafts]),
            "months": array_literal([d.month for d in drafts]),
            "standard": array_literal([d.standard_fen for d in drafts]),
            "amount": array_literal([d.amount_fen for d in drafts]),
            "status": array_literal([d.status.value for d in drafts]),
            "back": array_literal([d.back_payment for d in drafts]),
            "rules": json.dumps([d.rule for d in drafts], ensure_ascii=False),
            "entry_drafts": array_literal([n for n, _, _ in entries]),
            "entry_kinds": array_literal([k for _, k, _ in entries]),
            "entry_amounts": array_literal([a for _, _, a in entries]),
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


async def _charges_as_values(
    uow: UnitOfWork, tenant_id: uuid.UUID, bills: Sequence[tuple[BillDraft, uuid.UUID]]
) -> None:
    recorded_by = uow.actor.user_id if uow.actor else None
    rows = [
        {
            "tenant_id": tenant_id,
            "id": new_id(),
            "member_id": draft.member_id,
            "organization_id": draft.organization_id,
            "bill_id": bill_id,
            "month": draft.month,
            "kind": kind.value,
            "amount_fen": amount,
            "recorded_by": recorded_by,
        }
        for draft, bill_id in bills
        for kind, amount in charge_entries(draft.standard_fen, draft.amount_fen)
    ]
    await uow.session.execute(insert(DuesLedgerEntryRow.__table__).values(rows))  # type: ignore[attr-defined]
