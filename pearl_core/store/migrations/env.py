"""Alembic environment for PeaRL.

PeaRL's own code (``pearl_core.store.migrate``) passes an open connection in
``config.attributes["connection"]``. Developers running the ``alembic`` command
give the URL with ``-x url=...`` (or ``sqlalchemy.url`` in ``alembic.ini``);
the async engine is then built here with PeaRL's SQLite settings.
"""

from __future__ import annotations

import asyncio
from logging.config import fileConfig
from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy.engine import Connection

from pearl_core.store.engine import create_engine
from pearl_core.store.tables import metadata
from pearl_core.store.types import UtcDateTime

config = context.config


def _render_item(kind: str, obj: Any, _context: AutogenContext) -> str | Literal[False]:
    """Render PeaRL's column types as plain SQLAlchemy ones: migrations stay frozen."""
    if kind == "type" and isinstance(obj, UtcDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        compare_type=True,
        # The engine emits BEGIN IMMEDIATE itself, so DDL is transactional on SQLite too.
        transactional_ddl=True,
        render_as_batch=connection.dialect.name == "sqlite",
        render_item=_render_item,
    )


def _run(connection: Connection) -> None:
    _configure(connection)
    with context.begin_transaction():
        context.run_migrations()


def _url() -> str:
    url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option(
        "sqlalchemy.url"
    )
    if not url:
        raise SystemExit("give the database URL: alembic -x url=sqlite+aiosqlite:///pearl.db ...")
    return url


async def _run_async() -> None:
    engine = create_engine(_url())
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_run)
            await connection.commit()
    finally:
        await engine.dispose()


def _run_offline() -> None:
    context.configure(
        url=_url(),
        target_metadata=metadata,
        literal_binds=True,
        transactional_ddl=True,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    _run_offline()
elif (shared := config.attributes.get("connection")) is not None:
    _run(shared)
else:
    if config.config_file_name is not None:
        fileConfig(config.config_file_name)
    asyncio.run(_run_async())
