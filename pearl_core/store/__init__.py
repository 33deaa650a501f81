"""PeaRL's SQL store: SQLite (aiosqlite) or PostgreSQL (asyncpg) via SQLAlchemy Core.

``create_engine`` builds the engine, :class:`SqlStore` opens units of work
acting as a principal, and :mod:`~pearl_core.store.migrate` builds and checks
the schema. Nothing here is created at import time.
"""

from pearl_core.store import migrate
from pearl_core.store.engine import create_engine
from pearl_core.store.uow import SqlStore, SqlUnitOfWork

__all__ = ["SqlStore", "SqlUnitOfWork", "create_engine", "migrate"]
