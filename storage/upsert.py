"""Dialect-aware INSERT … ON CONFLICT, the building block of every idempotent write.

The statements are Core statements on the table (no ORM bulk-insert machinery), built once per
shape and executed with bound parameters, so SQLAlchemy's compiled cache serves every later call:
these run on the hottest paths (every button press claims its delivery id and stores its answer).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import SQLModel


def dialect_insert(session: AsyncSession, model: type[SQLModel]) -> Any:
    """INSERT with ON CONFLICT support for the session's backend (SQLite or PostgreSQL)."""
    return _insert(session.get_bind().dialect.name, _table(model))


async def insert_ignore(
    session: AsyncSession, model: type[SQLModel], values: Mapping[str, Any], *, conflict: Sequence[str]
) -> Any | None:
    """Insert a row unless one with the same `conflict` columns exists; return its primary key or None."""
    stmt = _insert_ignore(session.get_bind().dialect.name, _table(model), tuple(conflict))
    return (await session.execute(stmt, dict(values))).scalar_one_or_none()


async def upsert(
    session: AsyncSession,
    model: type[SQLModel],
    values: Mapping[str, Any],
    *,
    conflict: Sequence[str],
    update: Sequence[str],
) -> None:
    """Insert a row, or overwrite the `update` columns of the one with the same `conflict` columns."""
    stmt = _upsert(session.get_bind().dialect.name, _table(model), tuple(conflict), tuple(update))
    await session.execute(stmt, dict(values))


def _table(model: type[SQLModel]) -> Table:
    return model.__table__  # type: ignore[attr-defined]


def _insert(dialect: str, table: Table) -> Any:
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


@lru_cache(maxsize=64)
def _insert_ignore(dialect: str, table: Table, conflict: tuple[str, ...]) -> Any:
    key = next(iter(table.primary_key.columns))
    stmt = _insert(dialect, table).on_conflict_do_nothing(index_elements=list(conflict))
    return stmt.returning(key)


@lru_cache(maxsize=64)
def _upsert(dialect: str, table: Table, conflict: tuple[str, ...], update: tuple[str, ...]) -> Any:
    stmt = _insert(dialect, table)
    return stmt.on_conflict_do_update(
        index_elements=list(conflict), set_={name: stmt.excluded[name] for name in update}
    )
