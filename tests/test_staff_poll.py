"""The perception poll: staff guess the week's CSAT, anonymously; the digest shows it beside the customers'."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from bot.config import Config, Settings
from bot.scheduler import post_due_poll
from bot.wiring import build_services
from handlers.core.events import ButtonPressed, MessageRef, Sender
from handlers.core.surveys import BUILTIN
from handlers.core.weeks import week_bounds
from storage.history import PastResponse, add_history
from tests.conftest import file_config
from tests.fakes.recording import RecordingChannel
from tests.fakes.telegram_api import FakeTelegram, callback_update, user
from tests.fakes.telegram_harness import telegram_harness

WEEK = "2026-W47"
GROUP = "-100200"


@pytest.fixture
async def staff(db_url, analyzer):
    """Services for a team whose Hungarian Telegram group gets the digest and the poll."""
    settings = Settings(_env_file=None, DATABASE_URL=db_url, SAYSO_DIGEST_TELEGRAM_CHATS=GROUP)  # type: ignore[call-arg]
    file = file_config(anonymity={"min_group_size": 3}, digest={"languages": {GROUP: "hu"}})
    config = Config(settings=settings, file=file, surveys=dict(BUILTIN))
    async with build_services(config, analyzer=analyzer) as services:
        chat = RecordingChannel(platform="telegram", reaches_unknown_users=False)
        services.channels.add(chat)
        yield services, chat


def _press(user_id: str, percent: int) -> ButtonPressed:
    sender = Sender("telegram", user_id, GROUP, "en", private=False)
    return ButtonPressed(sender, f"p|{WEEK}|{percent}", MessageRef("telegram", GROUP, "1"), event_id=f"{user_id}")


async def _plant(services) -> None:
    """A week with customer answers, and its poll posted to the staff group."""
    await services.staff_poll.post(WEEK)
    start, _ = week_bounds(WEEK, "UTC")
    records = [
        PastResponse("console", f"c{i}", "csat", start + timedelta(days=2), {"overall": v})
        for i, v in enumerate([5, 5, 4, 2, 1])
    ]
    async with services.context.sessions() as session, session.begin():
        await add_history(session, records)


async def test_poll_is_posted_once_with_buttons_from_0_to_100(staff):
    services, chat = staff
    poll = services.staff_poll
    assert await poll.post(WEEK) == {f"telegram:{GROUP}": "sent"}
    assert await poll.post(WEEK) == {f"telegram:{GROUP}": "already sent"}
    (prompt,) = chat.prompts
    assert [o.key for o in prompt.options] == [f"{p}%" for p in range(0, 101, 10)] and prompt.rows == (6, 5)
    assert prompt.text.startswith("Munkatársi szavazás, 2026-W47 hét (névtelen)")


async def test_votes_count_once_each_and_the_digest_shows_the_gap(staff):
    services, chat = staff
    poll, digest, conversation = services.staff_poll, services.digests, services.boundary
    await _plant(services)
    notes = [(await conversation(_press(f"staff-{i}", p))).note for i, p in enumerate([60, 80, 90])]
    assert notes == ["Köszönjük. A becslését névtelenül rögzítettük."] * 3
    again = await conversation(_press("staff-0", 10))
    assert again.note == "Erre a heti szavazásra már válaszolt."
    assert (await poll.estimate(WEEK)).median == 80
    await digest.send(WEEK)
    (report,) = chat.texts("report")
    assert "A munkatársak 80% elégedettséget becsültek (3 válasz mediánja); az ügyfelek szerint 60%." in report
    late = await conversation(_press("staff-9", 50))
    assert late.note == "Ez a szavazás lezárult: a heti adatok már megjelentek."


async def test_too_few_answers_are_not_shown(staff):
    services, chat = staff
    digest = services.digests
    await _plant(services)
    await services.boundary(_press("staff-0", 70))
    await digest.send(WEEK)
    assert "3 munkatársnál kevesebb válaszolt" in chat.texts("report")[0]


async def test_nothing_stored_says_who_answered_what(staff):
    services, _ = staff
    await services.staff_poll.post(WEEK)
    await services.boundary(_press("staff-secret-42", 70))
    async with services.context.sessions() as session:
        estimates = (await session.execute(text("SELECT * FROM staff_estimates"))).all()
        votes = (await session.execute(text("SELECT * FROM staff_votes"))).all()
    assert [tuple(row)[1:] for row in estimates] == [(WEEK, 70)]
    assert "staff-secret-42" not in repr(votes) and "70" not in repr(votes)


async def test_poll_goes_out_on_schedule_and_not_for_a_finished_week(staff):
    services, chat = staff
    friday_afternoon = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)  # default poll_cron: Fridays 14:00
    object.__setattr__(services.context, "clock", lambda: friday_afternoon)
    assert await post_due_poll(services) == {f"telegram:{GROUP}": "sent"}
    next_monday = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
    object.__setattr__(services.context, "clock", lambda: next_monday)
    assert await post_due_poll(services) == {}
    assert len(chat.prompts) == 1


async def test_a_press_in_a_telegram_group_is_answered_privately(tmp_path, analyzer):
    fake = await FakeTelegram().start()
    try:
        env = {"SAYSO_DIGEST_TELEGRAM_CHATS": GROUP}
        async for h in telegram_harness(f"sqlite:///{tmp_path / 'tg.db'}", fake, analyzer, **env):
            await h.services.staff_poll.post(WEEK)
            (posted,) = fake.sent("sendMessage", int(GROUP))
            message = next(m for (chat, _), m in fake.messages.items() if chat == int(GROUP))
            data = posted.params["reply_markup"]["inline_keyboard"][1][2]["callback_data"]
            assert data == f"p|{WEEK}|80"
            fake.push(callback_update(user(7001), message, data))
            (answer,) = await fake.wait_for("answerCallbackQuery", 1)
            assert answer.params["text"] == "Thank you. Your estimate is recorded anonymously."
            assert len(fake.sent("sendMessage", int(GROUP))) == 1  # nothing said in the group
    finally:
        await fake.stop()
