"""Statements that name the caller's tenants, so that Citus routes them.

Row-level security admits the rows of the tenants listed in the scope
(`zhibu_scope_tenant_ids()`, a setting), which Citus cannot prune shards by: a county's
list would touch every shard. So the scope statement also returns that list, the session
keeps it, and every ORM statement on a sharded tenant table gets
`tenant_id = ANY(<the list>)` as a bound value, which Citus prunes to those tenants'
shards (one, for a county). Raw statements add the same with `tenant_filter`.

The filter is for routing only; the policies remain the guarantee. A scope at the root of
the tree (the platform) sees every tenant: no filter, as it would prune nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

from sqlalchemy import any_, bindparam, event, select, true
from sqlalchemy.dialects.postgresql import ARRAY, UUID
from sqlalchemy.orm import ORMExecuteState, Session, with_loader_criteria
from sqlmodel import SQLModel

SCOPE_TENANTS = "scope_tenants"
"""`session.info` key: the scope's tenant ids, or None when no filter applies."""

OTHER_SIDE = "other_side"
"""Execution option of a read that a read-only policy lets reach another tenant's rows on
purpose (the host of a 流动党员活动证, migration 0052): not filtered, so on Citus it asks
every shard."""

REFERENCE_TABLES = ("tenant", "login_identity", "member_identity", "point_rule_version")
"""Copied to every node (migrations 0017 and 0030), tenant first (the others refer to it);
read by every scope and before any scope exists, so never filtered."""

_UUIDS = ARRAY(UUID(as_uuid=True))
_Row = TypeVar("_Row", bound=Any)


def routed_ids(tenant_path: str, ids: Sequence[uuid.UUID]) -> list[uuid.UUID] | None:
    """The ids a scope's statements filter on; None for the root, which sees them all."""
    return None if "." not in tenant_path else list(ids)


def scope_tenants(session: Any) -> list[uuid.UUID] | None:
    """The tenant ids the session's scope filters on (an AsyncSession or a Session)."""
    ids: list[uuid.UUID] | None = session.info.get(SCOPE_TENANTS)
    return ids


def tenant_filter(session: Any, column: str = "tenant_id") -> tuple[str, dict[str, Any]]:
    """`<column> = ANY(:scope_tenants)` and its parameter, for a raw statement's WHERE
    clause; `true` when the scope is not filtered."""
    ids = scope_tenants(session)
    if ids is None:
        return "true", {}
    return f"{column} = ANY(:{SCOPE_TENANTS})", {SCOPE_TENANTS: ids}


def _criterion(cls: Any) -> Any:
    table = getattr(cls, "__table__", None)  # None: SQLModel itself, as the option is built
    if table is None or "tenant_id" not in table.c or table.name in REFERENCE_TABLES:
        return true()
    return cls.tenant_id == any_(bindparam(SCOPE_TENANTS, type_=_UUIDS))


def _named_tenants(cls: Any) -> Any:
    # SQLAlchemy analyses this function's code for caching and wraps the literal globals it
    # names (REFERENCE_TABLES…), so the work is done by another function.
    return _criterion(cls)


# `tenant_id = ANY(:scope_tenants)` for every sharded table wherever it appears in a
# statement (joins, subqueries, aliases): Citus routes a statement to one shard only when
# each of its tables names the tenant. One option, analysed once and cached.
_ROUTING = with_loader_criteria(SQLModel, _named_tenants, include_aliases=True)


class RoutedSession(Session):
    """A Session whose ORM statements on sharded tables name the scope's tenants."""


@event.listens_for(RoutedSession, "do_orm_execute")
def _name_the_tenants(state: ORMExecuteState) -> None:
    ids = state.session.info.get(SCOPE_TENANTS)
    if ids is None or state.is_column_load or state.is_relationship_load:
        return
    if state.execution_options.get(OTHER_SIDE):
        return
    if not (state.is_select or state.is_update or state.is_delete):
        return
    params = state.parameters
    if params is not None and not isinstance(params, Mapping):
        return  # a bulk UPDATE by primary key, which names each row's tenant already
    state.statement = state.statement.options(_ROUTING)
    state.parameters = {**(params or {}), SCOPE_TENANTS: ids}


async def locked(session: Any, row: _Row) -> _Row:
    """`row`, found by id, read again under FOR UPDATE by its tenant and id (one shard on
    Citus, which refuses a lock across shards) with the values the lock saw, not the
    ones the session read before it: a decision two people make at once is then made once."""
    cls = type(row)
    stmt = (
        select(cls)
        .where(cls.tenant_id == row.tenant_id, cls.id == row.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    result: _Row = (await session.execute(stmt)).scalar_one()
    return result
