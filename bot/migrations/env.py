"""Alembic environment: runs against the engine Commonplace hands over, online only."""

from alembic import context
from sqlalchemy import Engine
from sqlmodel import SQLModel

import bot.models  # noqa: F401  (registers the tables on SQLModel.metadata)

engine = context.config.attributes.get("engine")
if not isinstance(engine, Engine):
    raise RuntimeError("Run migrations with `commonplace db upgrade`, which supplies the engine.")

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=SQLModel.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()
