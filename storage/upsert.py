"""Dialect-aware INSERT … ON CONFLICT, the building block of every idempotent write."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import SQLModel


def dialect_insert(session: AsyncSession, model: type[SQLModel]) -> Any:
    """INSERT with ON CONFLICT support for the session's backend (SQLite or PostgreSQL)."""
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(model)


async def insert_ignore(
    session: AsyncSession, model: type[SQLModel], values: Mapping[str, Any], *, conflict: Sequence[str]
) -> Any | None:
    """Insert a row unless one with the same `conflict` columns exists; return its primary key or None."""
    stmt = dialect_insert(session, model).values(**values).on_conflict_do_nothing(index_elements=list(conflict))
    key = next(iter(model.__table__.primary_key.columns))  # type: ignore[attr-defined]
    return (await session.execute(stmt.returning(key))).scalar_one_or_none()


async def upsert(
    session: AsyncSession,
    model: type[SQLModel],
    values: Mapping[str, Any],
    *,
    conflict: Sequence[str],
    update: Sequence[str],
) -> None:
    """Insert a row, or overwrite the `update` columns of the one with the same `conflict` columns."""
    stmt = dialect_insert(session, model).values(**values)
    stmt = stmt.on_conflict_do_update(
        index_elements=list(conflict), set_={name: stmt.excluded[name] for name in update}
    )
    await session.execute(stmt)
