"""Alembic environment: migrations run as the schema owner role, never as the app role."""

from __future__ import annotations

import re
from typing import Any

from alembic import context
from sqlalchemy import create_engine, event, pool, text

from infra.db.bootstrap import OWNER_ROLE

config = context.config
url = config.attributes["url"]
engine = create_engine(url, poolclass=pool.NullPool)

_CREATE_EXTENSION = re.compile(r"\s*CREATE EXTENSION IF NOT EXISTS (\w+)\s*", re.IGNORECASE)


def _skip_installed_extensions(installed: set[str]) -> Any:
    """Old migrations say `CREATE EXTENSION IF NOT EXISTS` as the owner; the bootstrap
    already created those extensions as the administrator. On Citus such a statement by a
    non-owner is an error rather than a notice, so it is not sent at all."""

    def rewrite(
        conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool
    ) -> tuple[str, Any]:
        found = _CREATE_EXTENSION.fullmatch(statement)
        if found and found.group(1).lower() in installed:
            return "SELECT 1", parameters
        return statement, parameters

    return rewrite


with engine.connect() as connection:
    installed = set(connection.execute(text("SELECT extname FROM pg_extension")).scalars())
    event.listen(
        connection, "before_cursor_execute", _skip_installed_extensions(installed), retval=True
    )
    if "citus" in installed:
        # One connection per node: Citus refuses a function's DDL in a transaction that
        # already ran a parallel operation on a distributed table (a migration that
        # creates a table and then its trigger function).
        connection.execute(text("SET citus.multi_shard_modify_mode TO 'sequential'"))
    connection.execute(text(f"SET ROLE {OWNER_ROLE}"))
    connection.commit()
    context.configure(connection=connection, target_metadata=None, transaction_per_migration=True)
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
engine.dispose()
