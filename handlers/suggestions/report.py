"""What staff see of the suggestion box: themes, repeated complaints and breakdowns, with small
groups suppressed so that no count or quote points at one person."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from handlers.core.context import Context
from handlers.suggestions.rules import ThemeRules
from handlers.text.cache import embeddings
from handlers.text.themes import Theme, find_themes, model_themes
from handlers.text.topics import TOPICS
from storage.suggestions import add_theme_response, counts_by, set_themes, suggestions_in, theme_labels

MAX_QUOTES = 3


@dataclass(frozen=True, slots=True)
class ThemeSummary:
    label: str | None
    count: int | None  # None: fewer than min_group_size
    repeated: bool
    quotes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Breakdown:
    by: str
    rows: tuple[tuple[str, int | None], ...]  # (key, count or None when suppressed)


@dataclass(frozen=True, slots=True)
class SuggestionReport:
    weeks: tuple[str, ...]
    total: int | None
    themes: tuple[ThemeSummary, ...]
    breakdowns: tuple[Breakdown, ...]
    min_group_size: int

    @property
    def repeated(self) -> tuple[ThemeSummary, ...]:
        return tuple(theme for theme in self.themes if theme.repeated)


def _shown(count: int, rules: ThemeRules) -> int | None:
    return count if count >= rules.min_group_size else None


async def build_report(context: Context, *, weeks: tuple[str, ...], rules: ThemeRules) -> SuggestionReport:
    """Recompute themes over `weeks`, store each suggestion's theme, and summarize."""
    async with context.reads() as session:
        rows = await suggestions_in(session, weeks=weeks)
    themes = await _themes(context, [row.text for row in rows], [row.language for row in rows])
    labels = {rows[i].id: theme.label for theme in themes for i in theme.members}
    async with context.sessions() as session, session.begin():
        await set_themes(session, labels)
    summaries = []
    for theme in themes:
        if theme.label is None:
            continue
        count = len(theme.members)
        quotes: tuple[str, ...] = ()
        if rules.show_verbatims and count >= rules.min_group_size:
            texts = sorted({rows[i].text for i in theme.members}, key=len)
            quotes = tuple(texts[:MAX_QUOTES])
        summaries.append(ThemeSummary(theme.label, _shown(count, rules), count >= rules.repeat_min, quotes))
    breakdowns = []
    async with context.reads() as session:
        for by in ("language", "channel", "iso_week"):
            counted = await counts_by(session, by=by, weeks=weeks)
            breakdowns.append(Breakdown(by, tuple((str(key), _shown(n, rules)) for key, n in counted)))
    return SuggestionReport(
        weeks=weeks,
        total=_shown(len(rows), rules),
        themes=tuple(summaries),
        breakdowns=tuple(breakdowns),
        min_group_size=rules.min_group_size,
    )


async def _themes(context: Context, texts: list[str], languages: list[str | None]) -> list[Theme]:
    """On the text model's embeddings (cached in the database) when it is there, else by TF-IDF."""
    model = context.analyzer.model
    if not texts or not await asyncio.to_thread(model.load):
        return await asyncio.to_thread(find_themes, texts)
    staff = context.policy.default_language
    names = TOPICS.get(staff, TOPICS["en"])
    vectors = await embeddings(context.reads, context.sessions, model, [*texts, *names])
    mine = vectors[: len(texts)]
    centred = await asyncio.to_thread(model.centred, mine, languages)
    return await asyncio.to_thread(
        model_themes, texts, mine, centred, languages, staff_language=staff, topics=(names, vectors[len(texts) :])
    )


class UnknownTheme(ValueError):
    """No stored suggestion carries that theme: announcing a response to it would tell people nothing true."""


async def respond_to_theme(context: Context, *, theme: str, text: str) -> None:
    """Record "you said, we did" for a theme the report has named; the next invitation announces it."""
    async with context.sessions() as session, session.begin():
        known = await theme_labels(session)
        if theme not in known:
            shown = ", ".join(repr(label) for label in known[:10]) or "none yet (run `sayso suggestions report`)"
            raise UnknownTheme(f"no theme {theme!r}; known: {shown}")
        await add_theme_response(session, theme=theme, response=text)
