"""Realistic synthetic history, so a newcomer's first digest (and every benchmark) has something to say.

Satisfaction is driven mostly by staff attitude, then by the solution, least by speed; touchpoints
and agents differ; scores improve slowly over the weeks; a share of people comment, in English,
Urdu, Hindi or Hungarian.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import datetime, timedelta

from handlers.core.context import Context
from handlers.text.model import METHOD
from storage.history import PastResponse, add_history
from storage.rollups import invalidate_rollups

_CHUNK = 2000

TOUCHPOINTS = {"phone": -0.3, "chat": 0.2, "email": -0.1, "in_person": 0.4, "online": 0.0}
AGENTS = {"Ann": 0.4, "Bilal": 0.1, "Csilla": -0.2, "Deepa": 0.3, "Erik": -0.4, "Farah": 0.0}
LANGUAGES = {"en": 0.55, "ur": 0.2, "hi": 0.15, "hu": 0.1}
PLATFORMS = ("telegram", "slack")
COMMENTS = {
    "en": (
        ["Quick and kind, thank you", "The agent solved it in minutes", "Very friendly staff"],
        ["I waited far too long on the phone", "Nobody answered my second email", "The problem is still there"],
    ),
    "ur": (["بہت اچھی سروس، شکریہ", "عملہ بہت مددگار تھا"], ["فون پر انتظار بہت لمبا تھا", "میرا مسئلہ حل نہیں ہوا"]),
    "hi": (["बहुत अच्छी सेवा, धन्यवाद", "कर्मचारी बहुत विनम्र थे"], ["फ़ोन पर बहुत लंबा इंतज़ार करना पड़ा", "मेरी समस्या हल नहीं हुई"]),
    "hu": (
        ["Gyors és kedves ügyintézés", "Nagyon segítőkész volt a kolléga"],
        ["Túl sokat kellett várni a telefonban", "A problémám nem oldódott meg"],
    ),
}


def _scale(value: float, low: int, high: int) -> int:
    return max(low, min(high, round(value)))


def generate(*, answers: int, weeks: int, seed: int, until: datetime) -> Iterator[PastResponse]:
    """Yield past responses until about `answers` answers exist, spread over `weeks` weeks."""
    rng = random.Random(seed)
    produced = 0
    span = timedelta(weeks=weeks)
    people = max(50, answers // 20)
    while produced < answers:
        moment = until - span * rng.random()
        progress = 1 - (until - moment) / span  # later weeks a little better
        touchpoint = rng.choice(list(TOUCHPOINTS))
        agent = rng.choice(list(AGENTS))
        language = rng.choices(list(LANGUAGES), weights=list(LANGUAGES.values()))[0]
        mood = TOUCHPOINTS[touchpoint] + AGENTS[agent] + 0.6 * progress + rng.gauss(0, 0.8)
        kind = rng.choices(("csat", "nps", "ces"), weights=(0.7, 0.2, 0.1))[0]
        record: dict[str, int | str | None]
        if kind == "csat":
            speed, attitude, solution = (_scale(3.4 + mood + rng.gauss(0, 0.9), 1, 5) for _ in range(3))
            overall = _scale(0.15 * speed + 0.55 * attitude + 0.3 * solution + rng.gauss(0, 0.45), 1, 5)
            record = {"overall": overall, "speed": speed, "attitude": attitude, "solution": solution}
            follow_up = "went_well" if overall >= 4 else "went_wrong"
        elif kind == "nps":
            record, overall, follow_up = {"recommend": _scale(7.2 + 1.8 * mood, 0, 10)}, 0, "why"
            overall = 4 if record["recommend"] >= 9 else 2 if record["recommend"] <= 6 else 3  # type: ignore[operator]
        else:
            record, overall, follow_up = {"effort": _scale(5 + 1.2 * mood, 1, 7)}, 0, "why"
            overall = 4 if record["effort"] >= 5 else 2  # type: ignore[operator]
        sentiment = None
        if rng.random() < 0.35:
            good, bad = COMMENTS[language]
            record[follow_up] = rng.choice(good if overall >= 4 else bad)
            # As the text model scores these comments in every shipped language (`sayso text rescore`
            # recomputes them for real).
            sentiment = 0.8 if overall >= 4 else -0.8
        completed = rng.random() > 0.08
        if not completed:
            record = dict(list(record.items())[:1])
        produced += len(record)
        yield PastResponse(
            platform=rng.choice(PLATFORMS),
            user_id=f"demo-{rng.randrange(people)}",
            survey=kind,
            sent_at=moment,
            answers=record,
            touchpoint=touchpoint,
            agent=agent,
            language=language,
            completed=completed,
            text_language=language,
            sentiment=sentiment,
            sentiment_method=METHOD if sentiment is not None else None,
        )


async def fill(context: Context, *, answers: int, weeks: int, seed: int) -> tuple[int, int]:
    """Write a generated history in chunks, so a million answers need little memory; return (responses, answers)."""
    responses = written = 0
    chunk: list[PastResponse] = []

    async def flush() -> None:
        nonlocal responses, written
        async with context.sessions() as session, session.begin():
            await add_history(session, chunk)
            await invalidate_rollups(session)  # past weeks gain answers: their rollups no longer hold
        responses, written = responses + len(chunk), written + sum(len(r.answers) for r in chunk)
        chunk.clear()

    for record in generate(answers=answers, weeks=weeks, seed=seed, until=context.clock()):
        chunk.append(record)
        if len(chunk) == _CHUNK:
            await flush()
    if chunk:
        await flush()
    return responses, written
