"""Input nobody should send: each gets a clear answer, nothing is stored wrongly, nothing twice."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from handlers.core import notes
from handlers.core.characters import typed_number
from handlers.core.events import ButtonPressed, Sender, TextReceived
from handlers.survey.trigger import TriggerRequest
from handlers.text.sentiment import TextAnalyzer
from storage.models import Answer, RequestState, Suggestion
from tests.fakes.chat import Person, count, request_row, stored_answers


async def _survey(services, channel, user: str = "H1") -> tuple[Person, int]:
    result = await services.trigger(
        TriggerRequest(interaction_id=f"h-{user}", platform="console", user_id=user, delay_seconds=0)
    )
    await services.survey_sender.send_due()
    return Person(services, channel, user_id=user), result.request_id


@pytest.mark.parametrize("text", ["bad\x00text", "half a pair \ud83d here"])
async def test_unstorable_characters_get_a_note_not_a_database_error(services, channel, text):
    person, request_id = await _survey(services, channel)
    for score in ("4", "5", "4", "5"):
        await person.press(score)
    assert (await person.types(text)).note == notes.UNSTORABLE
    assert "went_well" not in await stored_answers(services, request_id)
    assert (await person.command("suggest", text)).note == notes.UNSTORABLE
    assert await count(services, Suggestion) == 0


def test_only_the_survey_scripts_digits_are_numbers():
    assert typed_number("7", "en") == 7 and typed_number("-1", "en") == -1
    assert typed_number("۴", "ur") == 4 and typed_number("४", "hi") == 4
    assert typed_number("٤", "ur") is None  # Arabic-Indic, not Urdu's extended digits
    assert typed_number("４", "en") is None and typed_number("۴", "en") is None and typed_number("4.0", "en") is None


async def test_a_typed_urdu_digit_answers_an_urdu_survey(services, channel):
    result = await services.trigger(
        TriggerRequest(interaction_id="h-ur", platform="console", user_id="H2", language="ur", delay_seconds=0)
    )
    await services.survey_sender.send_due()
    person = Person(services, channel, user_id="H2")
    assert (await person.types("۴")).note is None
    assert (await stored_answers(services, result.request_id))["overall"].value_int == 4
    assert (await person.types("４")).note is not None  # fullwidth is not read as 4


async def test_a_survey_still_sending_takes_typed_answers(services, channel):
    person, request_id = await _survey(services, channel, "H3")
    async with services.context.sessions() as session, session.begin():
        row = await session.get(type(await request_row(services, request_id)), request_id)
        row.state = RequestState.SENDING  # the question is on screen; the sender has not recorded it
    assert (await person.types("4")).note is None
    assert (await stored_answers(services, request_id))["overall"].value_int == 4


async def test_a_repeated_press_after_a_lost_update_shows_the_next_question(services, channel):
    person, request_id = await _survey(services, channel, "H4")
    first = person.prompt
    shown = person.message_of(first)  # the survey's question, where its buttons are
    assert shown is not None
    await person.press("4", prompt=first)
    asks = len(channel.prompts)
    # The update after that press was lost: the question message still shows question 1.
    async with services.context.sessions() as session, session.begin():
        row = await session.get(type(await request_row(services, request_id)), request_id)
        row.message_ref = shown.stored
    now = services.context.clock()
    object.__setattr__(services.context, "clock", lambda: now + timedelta(seconds=30))
    data = next(option.data for option in first.options if option.key == "4")
    ack = await services.boundary(
        ButtonPressed(Sender("console", "H4", "dm-H4"), data, message=shown, event_id="again")
    )
    assert ack.note is None
    await services.boundary.follow_up(ack, ButtonPressed(Sender("console", "H4", "dm-H4"), data))
    assert len(channel.prompts) == asks + 1 and "speed" in channel.prompts[-1].text
    assert await count(services, Answer) == 1


async def test_a_repeated_press_soon_after_a_lost_update_re_shows_the_current_question(services, channel):
    """The update after a press was lost; the person presses the same button again at once (and
    again): each time the same message is edited to show the next question, nothing new is posted."""
    person, request_id = await _survey(services, channel, "H7")
    first = person.prompt
    shown = person.message_of(first)
    assert shown is not None
    await person.press("4", prompt=first)
    async with services.context.sessions() as session, session.begin():  # the update was lost
        row = await session.get(type(await request_row(services, request_id)), request_id)
        row.message_ref = shown.stored
    data = next(option.data for option in first.options if option.key == "4")
    asks = len([s for s in channel.sent if s.kind == "ask"])
    for attempt in ("again-1", "again-2"):
        event = ButtonPressed(Sender("console", "H7", "dm-H7"), data, message=shown, event_id=attempt)
        ack = await services.boundary(event)
        assert ack.note == notes.REPEATED  # within seconds: it counted
        await services.boundary.follow_up(ack, event)
        edit = channel.sent[-1]
        assert edit.kind == "replace" and edit.message == shown and "speed" in edit.text
        assert [o.key for o in edit.prompt.options] == [o.key for o in first.options]
    assert len([s for s in channel.sent if s.kind == "ask"]) == asks  # nothing posted twice
    assert await count(services, Answer) == 1


async def test_a_double_click_is_still_just_a_note(services, channel):
    person, _ = await _survey(services, channel, "H5")
    first = person.prompt
    await person.press("4", prompt=first)
    assert (await person.press("4", prompt=first)).note == notes.REPEATED


async def test_replies_that_store_nothing_go_out_once_per_delivery(services, channel):
    sender = Sender("console", "H6", "dm-H6")
    for event in (TextReceived(sender, "hello?", event_id="ev-1"), TextReceived(sender, "hello?", event_id="ev-1")):
        await services.boundary(event)
    first = await services.boundary(TextReceived(sender, "hello again", event_id="ev-2"))
    again = await services.boundary(TextReceived(sender, "hello again", event_id="ev-2"))
    assert first.note == notes.NO_OPEN_SURVEY and again.note is None
    from handlers.core.events import CommandReceived

    helped = [(await services.boundary(CommandReceived(sender, "help", event_id="ev-3"))).note for _ in range(2)]
    assert helped[0] and helped[1] is None


async def test_staff_poll_votes_only_count_under_a_posted_poll(services, channel):
    from handlers.core.broadcast import Destination
    from tests.fakes.recording import RecordingChannel

    staff = RecordingChannel(platform="slack")
    services.channels.add(staff)
    services.staff_poll.destinations.append(Destination("slack", "CSTAFF"))
    forged = ButtonPressed(Sender("console", "H7", "dm-H7"), "p|2026-W47|90", event_id="f1")
    assert (
        await services.boundary(forged)
    ).note == "There is no staff poll here for that week, so nothing was recorded."
    in_channel = ButtonPressed(Sender("slack", "U1", "CSTAFF", private=False), "p|2026-W47|90", event_id="f2")
    assert (await services.boundary(in_channel)).note.startswith("There is no staff poll here")  # never posted
    await services.staff_poll.post("2026-W47")
    odd = ButtonPressed(Sender("slack", "U1", "CSTAFF", private=False), "p|2026-W47|37", event_id="f3")
    assert (await services.boundary(odd)).note.startswith("There is no staff poll here")  # not a button value
    assert (await services.staff_poll.estimate("2026-W47")).n == 0
    vote = ButtonPressed(Sender("slack", "U1", "CSTAFF", private=False), "p|2026-W47|90", event_id="f4")
    assert (await services.boundary(vote)).note == "Thank you. Your estimate is recorded anonymously."
    assert (await services.staff_poll.estimate("2026-W47")).n == 1


async def test_alert_buttons_do_not_work_outside_the_staff_channel(services, channel):
    forged = ButtonPressed(Sender("console", "H8", "dm-H8"), "al|c|1", event_id="a1")
    assert (await services.boundary(forged)).note == (
        "Alerts are claimed and resolved in the staff channel they were posted to."
    )


def test_sentiment_from_many_threads_at_once_scores_every_comment():
    """TextBlob loads its lexicon lazily into a shared dict; concurrent first uses must not fail."""
    analyzer = TextAnalyzer()

    async def score_all() -> list[object]:
        texts = [f"The service was great, thank you {i}" for i in range(16)]
        return await asyncio.gather(*(asyncio.to_thread(analyzer.analyze, text, "en") for text in texts))

    verdicts = asyncio.run(score_all())
    assert all(verdict.status == "scored" for verdict in verdicts)  # type: ignore[attr-defined]


async def test_the_event_deadline_does_not_count_text_analysis():
    from handlers.core.deadline import outside, within

    async with within(0.2):
        async with outside():
            await asyncio.sleep(0.4)  # a model loading in a worker thread
        await asyncio.sleep(0.05)
    with pytest.raises(TimeoutError):
        async with within(0.2):
            await asyncio.sleep(0.4)  # a database that does not answer
