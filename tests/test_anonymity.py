"""The suggestion box's promise, checked the way a suspicious administrator would: every table,
every column and every log line, after known people submitted on every channel."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from sqlalchemy import text
from sqlmodel import SQLModel

from handlers.core import notes
from handlers.core.events import CommandReceived, Sender, TextReceived
from tests.fakes.telegram_api import FakeTelegram, message_update
from tests.fakes.telegram_harness import telegram_harness

TELEGRAM_PEOPLE = [
    {"id": 7310042, "is_bot": False, "first_name": "Ayesha", "username": "ayesha_k_71", "language_code": "ur"},
    {"id": 7310043, "is_bot": False, "first_name": "Bence", "username": "bence_t_88", "language_code": "hu"},
]
CONSOLE_PERSON = "anon-console-5511"
NEEDLES = ["7310042", "7310043", "ayesha_k_71", "bence_t_88", "Ayesha", "Bence", CONSOLE_PERSON]


async def _all_values(services) -> list[tuple[str, str, object]]:
    values = []
    tables = [table.name for table in SQLModel.metadata.sorted_tables] + ["alembic_version"]
    async with services.database.connect() as conn:
        for table in tables:
            result = await conn.execute(text(f"SELECT * FROM {table}"))
            for row in result:
                values += [(table, column, value) for column, value in zip(result.keys(), row, strict=True)]
    return values


def _as_utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


async def test_nobody_can_tell_who_wrote_a_suggestion(db_url, analyzer, caplog):
    caplog.set_level(logging.DEBUG)
    fake = await FakeTelegram().start()
    moments: list[datetime] = []
    try:
        async for h in telegram_harness(db_url, fake, analyzer):
            ayesha, bence = TELEGRAM_PEOPLE
            moments.append(datetime.now(UTC))
            fake.push(message_update(ayesha, "/suggest پارکنگ کی جگہ بہت کم ہے"))
            await fake.wait_for("sendMessage", 1, chat_id=ayesha["id"])
            moments.append(datetime.now(UTC))
            fake.push(message_update(bence, "/suggest"))
            await fake.wait_for("sendMessage", 1, chat_id=bence["id"])
            fake.push(message_update(bence, "Túl sokat kellett várni a telefonban"))
            replies = await fake.wait_for("sendMessage", 2, chat_id=bence["id"])
            moments.append(datetime.now(UTC))
            assert "névtelenül" in replies[-1].params["text"]
            console = Sender("console", CONSOLE_PERSON, CONSOLE_PERSON, "en")
            ack = await h.services.boundary(CommandReceived(console, "suggest", "", event_id="c-1"))
            assert ack.note == notes.SUGGEST_PROMPT
            ack = await h.services.boundary(TextReceived(console, "Please add a wheelchair ramp", event_id="c-2"))
            assert ack.note == notes.SUGGESTION_THANKS
            moments.append(datetime.now(UTC))
            values = await _all_values(h.services)
    finally:
        await fake.stop()

    stored = {value for table, _, value in values if table == "suggestions"}
    assert {"پارکنگ کی جگہ بہت کم ہے", "Túl sokat kellett várni a telefonban", "Please add a wheelchair ramp"} <= stored
    for table, column, value in values:
        shown = str(value)
        assert not any(needle in shown for needle in NEEDLES), f"{table}.{column} holds {shown!r}"
        if isinstance(value, datetime):
            near = [m for m in moments if abs(_as_utc(value) - m) < timedelta(seconds=2)]
            assert not near, f"{table}.{column} holds a submission time {value}"
        for moment in moments:
            for stamp in (moment.strftime("%Y-%m-%d %H:%M:%S"), moment.strftime("%Y-%m-%dT%H:%M:%S")):
                assert stamp not in shown, f"{table}.{column} holds a submission time"

    logged = "\n".join(record.getMessage() + (record.exc_text or "") for record in caplog.records)
    assert "suggestion stored" in logged
    for needle in NEEDLES:
        assert needle not in logged, f"the logs mention {needle!r}"
