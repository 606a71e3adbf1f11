"""GroupCommit: writes from concurrent tasks share a transaction, each caller gets its own result
or the batch's error, and nobody waits for a timer."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from handlers.survey.group_commit import GroupCommit


class Writes:
    def __init__(self, *, fail_on: int | None = None) -> None:
        self.batches: list[list[int]] = []
        self._fail_on = fail_on

    async def __call__(self, items: Sequence[int]) -> list[int]:
        self.batches.append(list(items))
        await asyncio.sleep(0.01)  # a transaction takes a while; others arrive meanwhile
        if self._fail_on in items:
            raise RuntimeError("database went away")
        return [item * 10 for item in items]


async def test_callers_arriving_during_a_write_share_the_next_one():
    writes = Writes()
    group = GroupCommit(writes)
    first = asyncio.ensure_future(group(0))
    await asyncio.sleep(0.001)  # its write is under way
    results = await asyncio.gather(first, *(group(i) for i in range(1, 20)))
    assert results == [i * 10 for i in range(20)]
    assert writes.batches == [[0], list(range(1, 20))]
    assert await group(99) == 990  # and a lone write later goes straight through
    assert writes.batches[-1] == [99]


async def test_a_failed_write_fails_its_batch_only():
    writes = Writes(fail_on=3)
    group = GroupCommit(writes)
    first = asyncio.ensure_future(group(0))
    await asyncio.sleep(0)
    batch = [asyncio.ensure_future(group(i)) for i in (2, 3, 4)]
    assert await first == 0
    for future in batch:
        with pytest.raises(RuntimeError, match="went away"):
            await future
    assert await group(5) == 50


async def test_a_caller_that_gives_up_does_not_stop_the_others():
    writes = Writes()
    group = GroupCommit(writes)
    impatient = asyncio.ensure_future(group(1))
    patient = asyncio.ensure_future(group(2))
    await asyncio.sleep(0)
    impatient.cancel()
    assert await patient == 20
    assert writes.batches == [[1, 2]]  # the cancelled caller's write still happened
