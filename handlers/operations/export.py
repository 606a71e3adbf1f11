"""`sayso export`: answers or suggestions as CSV or JSON Lines, written as they stream in."""

from __future__ import annotations

import csv
import json
import uuid
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, date, datetime, time
from typing import Any, Literal, TextIO

from handlers.core.context import Context
from handlers.core.weeks import week_of
from storage.exports import ANSWER_FIELDS, SUGGESTION_FIELDS, stream_answers, stream_suggestions


def plain(value: Any) -> Any:
    """A value as CSV and JSON write it: times in ISO 8601, ids as text."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


async def export(
    context: Context,
    *,
    timezone: str,
    what: Literal["answers", "suggestions"],
    fmt: Literal["csv", "jsonl"],
    since: date | None,
    out: TextIO,
) -> int:
    """Write the rows; return how many."""
    async with context.reads() as session:
        rows: AsyncIterator[dict[str, Any]]
        fields: Sequence[str]
        if what == "suggestions":
            start = datetime.combine(since, time(), UTC) if since else None
            rows = stream_suggestions(session, since_week=week_of(start, timezone) if start else None)
            fields = SUGGESTION_FIELDS
        else:
            rows = stream_answers(session, since=datetime.combine(since, time(), UTC) if since else None)
            fields = ANSWER_FIELDS
        written = 0
        if fmt == "csv":
            writer = csv.DictWriter(out, fieldnames=list(fields))
            writer.writeheader()
        async for row in rows:
            plain_row = {name: plain(value) for name, value in row.items()}
            if fmt == "csv":
                writer.writerow(plain_row)
            else:
                out.write(json.dumps(plain_row, ensure_ascii=False) + "\n")
            written += 1
    return written
