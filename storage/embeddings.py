"""The embedding cache: vectors of stored texts by a hash of model version + text."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from storage.models import TextEmbedding
from storage.upsert import dialect_insert

_CHUNK = 500  # keys per IN list


async def cached_vectors(session: AsyncSession, keys: Sequence[str]) -> dict[str, bytes]:
    found: dict[str, bytes] = {}
    for start in range(0, len(keys), _CHUNK):
        chunk = list(keys[start : start + _CHUNK])
        rows = await session.execute(
            select(TextEmbedding.key, TextEmbedding.vector).where(col(TextEmbedding.key).in_(chunk))
        )
        found.update({key: vector for key, vector in rows.all()})
    return found


async def store_vectors(session: AsyncSession, vectors: Mapping[str, bytes]) -> None:
    """Keep new vectors; one another process stored first is left as it is."""
    if vectors:
        stmt = dialect_insert(session, TextEmbedding).on_conflict_do_nothing(index_elements=["key"])
        await session.execute(stmt, [{"key": key, "vector": vector} for key, vector in vectors.items()])
