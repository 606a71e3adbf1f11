"""Column types shared by the tables."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, TypeVar

from sqlalchemy import Column, DateTime, String
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

E = TypeVar("E", bound=StrEnum)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend.

    PostgreSQL stores `timestamptz`; SQLite has no zone support, so values are stored as
    naive UTC and handed back aware, keeping comparisons in Python free of mixed kinds.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


class StateColumn(TypeDecorator[E]):
    """A `StrEnum` stored as its string in a VARCHAR (no database enum type, so a new state needs no
    migration) and read back as the enum, so code and mypy see the states, not bare strings."""

    impl = String(16)
    cache_ok = True

    def __init__(self, states: type[E]) -> None:
        super().__init__()
        self.states = states

    def process_bind_param(self, value: E | str | None, dialect: Dialect) -> str | None:
        return None if value is None else self.states(value).value

    def process_result_value(self, value: Any, dialect: Dialect) -> E | None:
        return None if value is None else self.states(value)


def utc_column(*, nullable: bool = True, index: bool = False, stamp: bool = False) -> Column[datetime]:
    """A UTC timestamp column; `stamp` fills it with the current time on INSERT, also for Core inserts."""
    return Column(UTCDateTime(), nullable=nullable, index=index, default=utcnow if stamp else None)
