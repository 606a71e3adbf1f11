"""Scoring stored comments again with the current text model (`sayso text rescore`): streamed a
page at a time, so millions of answers need little memory; the model runs in a worker thread."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import datetime

from handlers.core.context import Context
from handlers.text.sentiment import TextAnalyzer, TextVerdict
from storage.answers import AnswerValue, Comment, comments_after, count_comments, set_sentiments

PAGE = 200


async def comments_to_rescore(context: Context, *, since: datetime | None) -> int:
    async with context.reads() as session:
        return await count_comments(session, since=since)


async def rescore(context: Context, *, since: datetime | None) -> AsyncIterator[int]:
    """Rescore every comment answered since `since` (all when None); yields how many each page did."""
    analyzer, after = context.analyzer, 0
    await asyncio.to_thread(analyzer.warm_up)
    while True:
        async with context.reads() as session:
            page = await comments_after(session, after_id=after, since=since, limit=PAGE)
        if not page:
            return
        verdicts = await asyncio.to_thread(_analyze_all, analyzer, page)
        scores = [
            (
                comment.answer_id,
                AnswerValue(
                    "",
                    value_text=comment.text,
                    text_language=verdict.language,
                    sentiment=verdict.polarity,
                    sentiment_status=str(verdict.status),
                    sentiment_method=verdict.method,
                ),
            )
            for comment, verdict in zip(page, verdicts, strict=True)
        ]
        async with context.sessions() as session, session.begin():
            await set_sentiments(session, scores)
        after = page[-1].answer_id
        yield len(page)


def _analyze_all(analyzer: TextAnalyzer, page: list[Comment]) -> list[TextVerdict]:
    return [analyzer.analyze(comment.text, comment.survey_language) for comment in page]
