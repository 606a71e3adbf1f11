"""Every low score followed up: alert → claim → resolve with a note → "Is it sorted now?", on both platforms."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

from sqlalchemy import select

from handlers.core.broadcast import Destination
from handlers.followup.closed_loop import closed_loop
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
            await customer.answers("1", "2", "3", "2")
            assert SORRY not in [call.params["text"] for call in fake.sent(chat_id=customer.id)]  # not mid-survey
            await asyncio.to_thread(analyzer.warm_up)  # as `sayso run` does before it serves
            answered = time.monotonic()
            await customer.says("Nobody called me back")
            (posted,) = await fake.wait_for("sendMessage", 1, chat_id=STAFF_GROUP)
            latency = time.monotonic() - answered
            print(f"last answer → alert in the staff group: {latency:.2f} s")
            assert latency < 5
            said = [call.params["text"] for call in await fake.wait_for("sendMessage", 7, chat_id=customer.id)]
            assert said[-2:] == ["Thank you! Your answers help us serve you better.", SORRY]
            assert await h.services.followup.run_once() == (0, 0)  # posted once
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
            edited = (await fake.wait_for("editMessageText", 1, chat_id=STAFF_GROUP))[-1]
            assert alert_message["text"].endswith("Claimed by User9001.")  # everyone in the group sees it
            assert [b["text"] for b in alert_message["reply_markup"]["inline_keyboard"][0]] == ["Resolve"]
            assert int(edited.params["message_id"]) == alert_message["message_id"]
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
            await fake.wait_for("editMessageText", 3, chat_id=STAFF_GROUP)
            assert alert_message["text"].endswith("Resolved by User9001: Called her, refunded the fee")
            assert "reply_markup" not in alert_message  # no buttons left

            check = (await fake.wait_for("sendMessage", told + 1, chat_id=customer.id))[-1]
            assert check.params["text"] == "Our team has followed up on your feedback. Is it sorted now?"
            answer = await customer.press("Yes")
            assert answer["text"] == "Thank you for letting us know."
            alert = await _alert(h.services)
            assert alert.state == AlertState.RESOLVED and alert.note == "Called her, refunded the fee"
            assert alert.claimed_by == alert.resolved_by == "telegram:9001" and alert.sorted is True
            start, end = alert.created_at - timedelta(hours=1), alert.created_at + timedelta(hours=1)
            loop = await closed_loop(h.services.context, start, end)
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
        await s.event(dm_event("U100", "D100", "Terrible, I was cut off twice", "Ev-1"))
        said = await s.fake.wait_for("chat.postMessage", 3, channel="D100")
        assert [call.params["text"] for call in said[1:]] == [
            "Thank you! Your answers help us serve you better.",
            SORRY,
        ]
        (posted,) = await s.fake.wait_for("chat.postMessage", 1, channel="C0ALERT")
        assert await s.services.followup.run_once() == (0, 0)
        assert "<@U100>" in posted.params["text"] and "Low score #1: csat 1" in posted.params["text"]
        mention = next(b["text"] for b in posted.params["blocks"] if "<@U100>" in b.get("text", {}).get("text", ""))
        assert mention["type"] == "mrkdwn"  # a real mention staff can click, not plain text

        await s.press("U900", "C0ALERT", "Claim")
        whisper = (await s.fake.wait_for("chat.postEphemeral", 1))[-1]
        assert whisper.params["user"] == "U900" and whisper.params["text"].startswith("You claimed alert #1")
        await s.fake.wait_for("chat.update", 1, channel="C0ALERT")
        _, shown = s.message("C0ALERT")  # the channel's copy of the alert, as Slack now shows it
        assert shown["text"].endswith("Claimed by someone.")
        assert [b["text"]["text"] for b in s.buttons("C0ALERT")] == ["Resolve"]
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
        await s.fake.wait_for("chat.update", 3, channel="C0ALERT")
        final = next(m for (chat, _), m in s.fake.messages.items() if chat == "C0ALERT")
        assert final["text"].endswith("Resolved by someone: Apologised and fixed the line")
        assert not any(b["type"] == "actions" for b in final["blocks"])


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
