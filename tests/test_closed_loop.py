"""Every low score followed up: alert → claim → resolve with a note → "Is it sorted now?", on both platforms."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from handlers.core.broadcast import Destination
from handlers.survey.trigger import TriggerRequest
from storage.models import Alert, AlertState
from tests.fakes.chat import Person
from tests.fakes.recording import RecordingChannel
from tests.fakes.slack_api import block_actions, dm_event
from tests.fakes.slack_harness import slack_harness
from tests.fakes.telegram_api import FakeTelegram, callback_update, message_update, user
from tests.fakes.telegram_harness import TgUser, telegram_harness

STAFF_GROUP = -100300
SORRY = "We are sorry it did not go well. Someone from our team will get back to you."


async def _alert(services) -> Alert:
    async with services.context.sessions() as session:
        return (await session.execute(select(Alert))).scalar_one()


async def test_alert_claim_resolve_and_check_on_telegram(tmp_path, analyzer):
    fake = await FakeTelegram().start()
    try:
        env = {"SAYSO_DIGEST_TELEGRAM_CHATS": str(STAFF_GROUP)}
        async for h in telegram_harness(f"sqlite:///{tmp_path / 'tg.db'}", fake, analyzer, **env):
            customer = TgUser(h, 601)
            await customer.says("/start")
            await h.trigger(customer.id, touchpoint="phone", agent="Ann")
            await fake.wait_for("sendMessage", 2, chat_id=customer.id)
            await customer.press("1")
            said = await fake.wait_for("sendMessage", 4, chat_id=customer.id)
            assert SORRY in [call.params["text"] for call in said]
            for score in ["2", "3", "2"]:
                before = len(fake.sent(chat_id=customer.id))
                await customer.press(score)
                await fake.wait_for("sendMessage", before + 1, chat_id=customer.id)
            await customer.says("Nobody called me back")
            assert await h.services.followup.run_once() == (1, 0)
            assert await h.services.followup.run_once() == (0, 0)  # posted once
            (posted,) = fake.sent("sendMessage", STAFF_GROUP)
            text = posted.params["text"]
            assert "Low score #1: csat 1" in text and "“Nobody called me back”" in text
            assert "Touchpoint: phone · Agent: Ann · Language: en" in text and "tg://user?id=601" in text
            alert_message = next(m for (chat, _), m in fake.messages.items() if chat == STAFF_GROUP)
            staff = user(9001)
            buttons = posted.params["reply_markup"]["inline_keyboard"][0]
            assert [b["text"] for b in buttons] == ["Claim", "Resolve"]

            async def press(who: dict, button: dict) -> str:
                before = len(fake.sent("answerCallbackQuery"))
                fake.push(callback_update(who, alert_message, button["callback_data"]))  # noqa: B023
                return (await fake.wait_for("answerCallbackQuery", before + 1))[-1].params["text"]

            assert (await press(staff, buttons[0])).startswith("You claimed alert #1")
            assert await press(user(9002), buttons[0]) == "Alert #1 is already claimed by a colleague."
            assert await press(staff, buttons[1]) == "Write your note in reply to the message the bot just sent."
            asked = (await fake.wait_for("sendMessage", 2, chat_id=STAFF_GROUP))[-1]
            assert asked.params["text"].startswith("Alert #1: write a short note")
            question = fake.messages[(STAFF_GROUP, max(mid for chat, mid in fake.messages if chat == STAFF_GROUP))]
            reply = message_update(staff, "Called her, refunded the fee", chat_id=STAFF_GROUP)
            reply["message"]["reply_to_message"] = question
            told = len(fake.sent("sendMessage", customer.id))
            fake.push(reply)
            done = (await fake.wait_for("sendMessage", 3, chat_id=STAFF_GROUP))[-1]
            assert done.params["text"].startswith("Alert #1 is resolved")

            check = (await fake.wait_for("sendMessage", told + 1, chat_id=customer.id))[-1]
            assert check.params["text"] == "Our team has followed up on your feedback. Is it sorted now?"
            answer = await customer.press("Yes")
            assert answer["text"] == "Thank you for letting us know."
            alert = await _alert(h.services)
            assert alert.state == AlertState.RESOLVED and alert.note == "Called her, refunded the fee"
            assert alert.claimed_by == alert.resolved_by == "telegram:9001" and alert.sorted is True
            start, end = alert.created_at - timedelta(hours=1), alert.created_at + timedelta(hours=1)
            loop = await h.services.followup.closed_loop(start, end)
            assert (loop.opened, loop.claimed, loop.resolved, loop.sorted_yes, loop.unresolved) == (1, 1, 1, 1, ())
    finally:
        await fake.stop()


async def test_alert_claim_resolve_and_check_on_slack(tmp_path, analyzer):
    env = {"SAYSO_ALERT_SLACK_CHANNELS": "C0ALERT"}
    async for s in slack_harness(f"sqlite:///{tmp_path / 'slack.db'}", analyzer, **env):
        await s.trigger("U100", touchpoint="chat")
        for i, score in enumerate(["1", "1", "2", "1"], start=1):
            await s.press("U100", "D100", score)
            await s.fake.wait_for("chat.update", i, channel="D100")
        sorry = await s.fake.wait_for("chat.postMessage", 2, channel="D100")
        assert sorry[-1].params["text"] == SORRY
        await s.event(dm_event("U100", "D100", "Terrible, I was cut off twice", "Ev-1"))
        await s.fake.wait_for("chat.postMessage", 3, channel="D100")
        assert await s.services.followup.run_once() == (1, 0)
        (posted,) = s.fake.sent("chat.postMessage", "C0ALERT")
        assert "<@U100>" in posted.params["text"] and "Low score #1: csat 1" in posted.params["text"]

        await s.press("U900", "C0ALERT", "Claim")
        whisper = (await s.fake.wait_for("chat.postEphemeral", 1))[-1]
        assert whisper.params["user"] == "U900" and whisper.params["text"].startswith("You claimed alert #1")
        await s.press("U900", "C0ALERT", "Resolve")
        asked = (await s.fake.wait_for("chat.postMessage", 1, channel="D900"))[-1]
        assert asked.params["text"].startswith("Alert #1: write a short note")
        await s.event(dm_event("U900", "D900", "Apologised and fixed the line", "Ev-2"))
        await s.fake.wait_for("chat.postMessage", 2, channel="D900")

        check = (await s.fake.wait_for("chat.postMessage", 4, channel="D100"))[-1]
        assert check.params["text"] == "Our team has followed up on your feedback. Is it sorted now?"
        ts, _ = s.message("D100")
        no = next(b for b in s.buttons("D100") if b["text"]["text"] == "No, not yet")
        action = {"type": "button", "action_id": no["action_id"], "value": no["value"], "text": no["text"]}
        await s.interact(block_actions("U100", "D100", ts, action))
        alert = await _alert(s.services)
        assert alert.state == AlertState.RESOLVED and alert.sorted is False
        assert alert.note == "Apologised and fixed the line"


async def test_unclaimed_alert_is_raised_again_once(services, channel):
    staff = RecordingChannel(platform="slack")
    services.channels.add(staff)
    services.followup.destinations.append(Destination("slack", "C1"))
    await services.trigger(TriggerRequest(interaction_id="x1", platform="console", user_id="c1", delay_seconds=0))
    await services.survey_sender.send_due()
    person = Person(services, channel, user_id="c1")
    await person.press("2")
    clock_now = services.context.clock()
    object.__setattr__(services.context, "clock", lambda: clock_now + timedelta(minutes=11))
    assert await services.followup.run_once() == (1, 0)
    object.__setattr__(services.context, "clock", lambda: clock_now + timedelta(hours=5))
    assert await services.followup.run_once() == (0, 1)
    assert await services.followup.run_once() == (0, 0)
    texts = [s.text for s in staff.sent]
    assert len(texts) == 2 and texts[1].startswith("Still unclaimed after 4 hours:")
