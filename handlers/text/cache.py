"""Embeddings of stored texts, computed once: a weekly report over 10,000 suggestions embeds only
the ones it has not seen (the model runs in a worker thread; the database does the remembering)."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Sequence

import numpy as np
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.text.model import DIMENSIONS, MODEL_VERSION, TextModel
from storage.embeddings import cached_vectors, store_vectors


def cache_key(text: str) -> str:
    return hashlib.sha256(f"{MODEL_VERSION}\n{text}".encode()).hexdigest()


async def embeddings(
    reads: async_sessionmaker[AsyncSession],
    writes: async_sessionmaker[AsyncSession],
    model: TextModel,
    texts: Sequence[str],
) -> np.ndarray:
    """One unit vector per text, from the cache where it has one."""
    if not texts:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    keys = [cache_key(text) for text in texts]
    async with reads() as session:
        stored = await cached_vectors(session, sorted(set(keys)))
    missing = {key: text for key, text in zip(keys, texts, strict=True) if key not in stored}
    if missing:
        fresh = await asyncio.to_thread(model.embed, list(missing.values()))
        new = {key: vector.astype(np.float32).tobytes() for key, vector in zip(missing, fresh, strict=True)}
        async with writes() as session, session.begin():
            await store_vectors(session, new)
        stored.update(new)
    return np.vstack([np.frombuffer(stored[key], dtype=np.float32) for key in keys]).reshape(len(texts), DIMENSIONS)
