"""Survey flows through the real handlers and database, with a recording channel."""

from __future__ import annotations

from datetime import timedelta

import pytest

from handlers.core import notes
from handlers.core.callbacks import answer_data
from handlers.i18n import lang
from storage.models import Answer, RequestState
from tests.fakes.chat import Person, count, request_row, stored_answers


@pytest.fixture
def person(services, channel) -> Person:
    return Person(services, channel)


async def test_full_csat_in_english(person, services, channel):
    result = await person.gets_survey()
    assert result.status == "scheduled" and result.created
    first = person.prompt
    assert first.text.startswith("Thank you for talking to us!")
    assert [o.label for o in first.options][3] == "4 — Satisfied"
    for key in ("4", "5", "4", "5"):
        ack = await person.press(key)
        assert ack.note is None
    assert person.prompt.text == "Glad to hear it! What did we do well?"
    await person.types("Quick and kind")

    assert channel.texts("text")[-1] == "Thank you! Your answers help us serve you better."
    assert channel.texts("show_choice")[0].endswith("✓ 4 — Satisfied")
    answers = await stored_answers(services, result.request_id)
    assert {q: (a.value_int, a.value_text) for q, a in answers.items()} == {
        "overall": (4, None),
        "speed": (5, None),
        "attitude": (4, None),
        "solution": (5, None),
        "went_well": (None, "Quick and kind"),
    }
    assert answers["went_well"].sentiment_status == "scored" and answers["went_well"].sentiment > 0
    request = await request_row(services, result.request_id)
    assert request.state == RequestState.COMPLETED and request.completed_at is not None


async def test_full_csat_in_urdu_is_right_to_left_and_scored(person, services, channel):
    result = await person.gets_survey(language="ur")
    urdu = lang("ur")
    assert person.prompt.rtl
    assert person.prompt.text.startswith("\u200f")
    assert urdu.gettext("Overall, how satisfied are you with the help you received?") in person.prompt.text
    assert "4 — مطمئن" in [o.label for o in person.prompt.options]
    for key in ("2", "3", "2", "1"):
        await person.press(key)
    assert urdu.gettext("We are sorry to hear that. What went wrong?") in person.prompt.text
    await person.types("جواب بہت دیر سے آیا اور مسئلہ حل نہیں ہوا")
    assert channel.texts("text")[-1] == urdu.directional(urdu.gettext(notes.THANKS))
    went_wrong = (await stored_answers(services, result.request_id))["went_wrong"]
    assert went_wrong.text_language == "ur"
    assert went_wrong.sentiment_status == "scored" and went_wrong.sentiment_method == "e5-head"


async def test_repeated_press_stores_one_row_and_says_so(person, services):
    result = await person.gets_survey()
    first = person.prompt
    await person.press("4", prompt=first)
    ack = await person.press("4", prompt=first)
    assert ack.note == notes.REPEATED
    assert len(await stored_answers(services, result.request_id)) == 1


async def test_redelivered_event_changes_nothing(person, services, channel):
    result = await person.gets_survey()
    await person.press("4", event_id="update-77")
    sent_before = len(channel.sent)
    ack = await person.press("4", event_id="update-77")
    assert ack.note is None
    assert len(channel.sent) == sent_before
    assert await count(services, Answer) == 1
    assert (await request_row(services, result.request_id)).current_question == "speed"


async def test_later_press_replaces_the_earlier_answer(person, services):
    result = await person.gets_survey()
    first = person.prompt
    await person.press("4", prompt=first)
    ack = await person.press("2", prompt=first)
    assert ack.note == notes.CHANGED
    answers = await stored_answers(services, result.request_id)
    assert len(answers) == 1 and answers["overall"].value_int == 2
    # the open question stays the same and is not asked twice
    assert person.prompt.text.startswith("How satisfied are you with the speed")
    assert sum(1 for p in person.channel.prompts if "speed" in p.text) == 1


async def test_press_after_completion_is_refused_kindly(person, services):
    result = await person.gets_survey("nps")
    first = person.prompt
    await person.press("9")
    await person.press("-")
    ack = await person.press("3", prompt=first)
    assert ack.note == notes.ALREADY_COMPLETED
    answers = await stored_answers(services, result.request_id)
    assert answers["recommend"].value_int == 9


@pytest.mark.parametrize(
    ("data", "note"),
    [
        ("garbage", notes.INVALID_BUTTON),
        ("a|AAAAAAAAAAAA|0|4", notes.INVALID_BUTTON),  # unknown token
        ("a|{token}|0|9", notes.OUT_OF_RANGE),  # outside the scale
        ("a|{token}|7|4", notes.INVALID_BUTTON),  # no such question
        ("a|{token}|3|4", notes.NOT_YET),  # a question not asked yet
        ("a|" + "x" * 80, notes.INVALID_BUTTON),  # over 64 bytes
    ],
)
async def test_forged_or_out_of_range_presses_store_nothing(person, services, data, note):
    result = await person.gets_survey()
    token = (await request_row(services, result.request_id)).token
    ack = await person.press_data(data.format(token=token))
    assert ack.note == note
    assert await count(services, Answer) == 0


async def test_someone_elses_button_is_refused(person, services, channel):
    result = await person.gets_survey()
    token = (await request_row(services, result.request_id)).token
    intruder = Person(services, channel, user_id="U2")
    ack = await intruder.press_data(answer_data(token, 0, 5))
    assert ack.note == notes.INVALID_BUTTON
    assert await count(services, Answer) == 0


async def test_expired_survey_is_closed(person, services):
    result = await person.gets_survey()
    first = person.prompt
    clock = services.context.clock
    object.__setattr__(services.context, "clock", lambda: clock() + timedelta(days=4))
    ack = await person.press("4", prompt=first)
    assert ack.note == notes.CLOSED
    assert await count(services, Answer) == 0
    assert (await request_row(services, result.request_id)).state == RequestState.EXPIRED


async def test_typed_numbers_answer_rating_questions(person, services):
    result = await person.gets_survey()
    assert (await person.types("abc")).note == "Please choose one of the options shown, or type a number from 1 to 5."
    assert (await person.types("7")).note == notes.OUT_OF_RANGE
    assert (await person.types(" 5 ")).note is None
    assert (await stored_answers(services, result.request_id))["overall"].value_int == 5


async def test_text_limits(person, services):
    result = await person.gets_survey("ces")
    await person.press("6")
    ack = await person.types("x" * 2001)
    assert ack.note == "Your message is too long (2000 characters at most). Please shorten it and send it again."
    assert "why" not in await stored_answers(services, result.request_id)


async def test_message_without_open_survey(person):
    assert (await person.types("hello")).note == notes.NO_OPEN_SURVEY


async def test_opt_out_cancels_and_blocks_new_surveys(person, services):
    result = await person.gets_survey()
    first = person.prompt
    assert (await person.command("stop")).note == notes.OPTED_OUT
    assert (await request_row(services, result.request_id)).state == RequestState.CANCELLED
    assert (await person.press("4", prompt=first)).note == notes.OPTED_OUT_PRESS
    assert (await person.gets_survey()).status == "opted_out"
    assert (await person.command("start")).note == notes.OPTED_IN
    assert await count(services, Answer) == 0


async def test_throttle_window(person):
    assert (await person.gets_survey()).status == "scheduled"
    assert (await person.gets_survey()).status == "throttled"


async def test_language_choice_wins_and_applies_to_the_open_survey(person, services, channel):
    await person.gets_survey()
    await person.command("language")
    chooser = person.prompt
    assert [o.key for o in chooser.options] == ["en", "ur", "hi", "hu"]
    ack = await person.press("hu", prompt=chooser)
    assert ack.note == "A nyelv beállítva: magyar."
    await person.types("4")
    assert person.prompt.text == "Mennyire elégedett a válaszunk gyorsaságával?"
    person.user_id = "U9"
    await person.command("language", "hi-IN")
    assert person.last_ack.note == "भाषा हिन्दी पर सेट कर दी गई है।"


async def test_platform_language_used_when_nothing_else_is_known(services, channel):
    person = Person(services, channel, user_id="U5", language_code="hu-HU")
    await person.command("start")
    assert person.last_ack.note == lang("hu").gettext(notes.WELCOME)


async def test_group_commands_point_to_private_chat(person):
    assert (await person.command("start", private=False)).note == notes.PRIVATE_ONLY


async def test_help(person):
    assert "/stop" in (await person.command("help")).note


async def test_start_while_a_survey_is_open_shows_its_question_not_a_welcome(person, services, channel):
    await person.gets_survey()
    await person.press("4")
    asked = len(channel.prompts)
    ack = await person.command("start")
    assert ack.note is None
    assert len(channel.prompts) == asked + 1 and channel.prompts[-1].text == channel.prompts[-2].text  # "speed" again
    assert "speed" in channel.prompts[-1].text
