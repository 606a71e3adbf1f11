"""Synthetic suggestion-box history for `sayso demo-data`, so `sayso suggestions report` and the
digest's repeated complaints have something to show: a few complaints, each in four languages."""

from __future__ import annotations

import random
from datetime import timedelta

from handlers.core.context import Context
from handlers.core.weeks import week_of
from storage.models import SentimentStatus
from storage.suggestions import NewSuggestion, add_suggestion

# Each theme in en, ur, hi and hu, a few wordings each: the themes join one complaint across languages.
THEMES: dict[str, dict[str, tuple[str, ...]]] = {
    "parking": {
        "en": ("There is never any parking near the office", "Please add more parking spaces"),
        "ur": ("دفتر کے قریب پارکنگ کی جگہ نہیں ملتی", "براہ کرم پارکنگ کی جگہ بڑھائیں"),
        "hi": ("दफ़्तर के पास पार्किंग की जगह नहीं मिलती", "कृपया पार्किंग की जगह बढ़ाइए"),
        "hu": ("Az iroda közelében soha nincs parkolóhely", "Kérem, legyen több parkolóhely"),
    },
    "refunds": {
        "en": ("My refund took weeks to arrive", "Refunds should not take a month"),
        "ur": ("میری رقم کی واپسی میں کئی ہفتے لگ گئے", "رقم واپسی میں ایک مہینہ نہیں لگنا چاہیے"),
        "hi": ("मेरा रिफ़ंड आने में कई हफ़्ते लग गए", "रिफ़ंड में एक महीना नहीं लगना चाहिए"),
        "hu": ("Hetekig tartott, mire visszakaptam a pénzem", "A visszatérítés ne tartson egy hónapig"),
    },
    "opening hours": {
        "en": ("Please stay open later in the evening", "Open on Saturdays too, please"),
        "ur": ("براہ کرم شام کو دیر تک کھلے رہیں", "ہفتے کے دن بھی کھولیں"),
        "hi": ("कृपया शाम को देर तक खुले रहें", "शनिवार को भी खोलिए"),
        "hu": ("Kérem, legyenek nyitva tovább este", "Szombaton is legyenek nyitva"),
    },
}
LANGUAGE_WEIGHTS = {"en": 0.4, "ur": 0.25, "hi": 0.2, "hu": 0.15}
CHANNELS = ("telegram", "slack")
COMPLAINT = -0.6  # as the text model scores these (`sayso text rescore` recomputes them for real)


async def fill_suggestions(context: Context, *, count: int, weeks: int, seed: int) -> int:
    """Store `count` suggestions spread over the last `weeks` weeks; return how many were stored."""
    rng = random.Random(seed)
    now, zone = context.clock(), context.policy.timezone
    async with context.sessions() as session, session.begin():
        for _ in range(count):
            theme = THEMES[rng.choice(list(THEMES))]
            language = rng.choices(list(LANGUAGE_WEIGHTS), weights=list(LANGUAGE_WEIGHTS.values()))[0]
            suggestion = NewSuggestion(
                text=rng.choice(theme[language]),
                language=language,
                channel=rng.choice(CHANNELS),
                iso_week=week_of(now - timedelta(weeks=weeks) * rng.random(), zone),
                sentiment=COMPLAINT,
                sentiment_status=SentimentStatus.SCORED,
            )
            await add_suggestion(session, suggestion)
    return count
