"""The responses behind every figure, for a desk: a page, one in full, their answers as rows to
download, and the values each filter can take (`storage.explorer` does the SQL)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Any

from handlers.core.context import Context
from storage.explorer import (
    HEADLINE,
    ResponseFilter,
    ResponsePage,
    ResponseRow,
    Tone,
    filter_choices,
    response_detail,
    response_page,
    stream_filtered_answers,
)
from storage.exports import ANSWER_FIELDS
from storage.models import AlertState

__all__ = ["ANSWER_FIELDS", "HEADLINE", "AlertState", "ResponseFilter", "ResponseRow", "Tone"]


async def page_of_responses(
    context: Context, chosen: ResponseFilter, *, size: int, older_than: int | None, newer_than: int | None
) -> tuple[ResponsePage, dict[str, list[str]]]:
    """A page of the filtered responses, and the values the who-filters can take in its weeks."""
    async with context.reads() as session:
        page = await response_page(session, chosen, size=size, older_than=older_than, newer_than=newer_than)
        choices = await filter_choices(session, start=chosen.start, end=chosen.end)
    return page, choices


async def one_response(context: Context, request_id: int) -> ResponseRow | None:
    async with context.reads() as session:
        return await response_detail(session, request_id)


async def answer_batches(context: Context, chosen: ResponseFilter) -> AsyncIterator[Sequence[Sequence[Any]]]:
    """The filtered responses' answers with `sayso export`'s columns (`ANSWER_FIELDS`), in the
    batches the database streams them in."""
    async with context.reads() as session:
        async for batch in stream_filtered_answers(session, chosen):
            yield batch
