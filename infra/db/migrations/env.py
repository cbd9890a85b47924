"""Alembic environment: migrations run as the schema owner role, never as the app role."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, pool, text

from infra.db.bootstrap import OWNER_ROLE

config = context.config
url = config.attributes["url"]
engine = create_engine(url, poolclass=pool.NullPool)

with engine.connect() as connection:
    connection.execute(text(f"SET ROLE {OWNER_ROLE}"))
    connection.commit()
    context.configure(connection=connection, target_metadata=None, transaction_per_migration=True)
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
engine.dispose()
