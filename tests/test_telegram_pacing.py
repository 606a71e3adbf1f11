"""Per-chat pacing of Telegram sends (PTB's own limiter paces groups and the whole bot): a chat's
next message waits until a gap after its last one *left*, however long PTB's overall queue held
that one, and one chat's messages keep their order."""

from __future__ import annotations

import asyncio
from itertools import pairwise
from typing import Any

from bot.telegram_adapter.outbound import PerChatRateLimiter

GAP = 0.05


async def _sends(limiter: PerChatRateLimiter, calls: list[tuple[str, str, float]], *messages: tuple[str, str]) -> None:
    loop = asyncio.get_running_loop()

    async def post(endpoint: str, chat_id: str, text: str) -> bool:
        await asyncio.sleep(0.03 if text == "slow" else 0)  # a send held up in the overall queue
        calls.append((chat_id, text, loop.time()))
        return True

    await asyncio.gather(
        *(
            limiter.process_request(post, (endpoint, chat_id, text), {}, endpoint, {"chat_id": chat_id}, None)
            for chat_id, text in messages
            for endpoint in ("sendMessage",)
        )
    )


async def test_one_chat_gets_a_gap_after_each_message_in_order():
    limiter = PerChatRateLimiter(per_chat_rate=1 / GAP)
    calls: list[tuple[str, str, float]] = []
    await limiter.initialize()
    await _sends(limiter, calls, ("42", "slow"), ("42", "second"), ("42", "third"), ("7", "other chat"))
    mine = [(text, at) for chat, text, at in calls if chat == "42"]
    assert [text for text, _ in mine] == ["slow", "second", "third"]
    gaps = [later - earlier for (_, earlier), (_, later) in pairwise(mine)]
    assert min(gaps) >= GAP
    assert calls[0][:2] == ("7", "other chat")  # another chat does not wait for this one


async def test_edits_and_group_chats_are_not_paced_per_chat():
    limiter = PerChatRateLimiter(per_chat_rate=0.1)  # a ten-second gap, if it applied
    seen: list[str] = []

    async def call(name: str) -> Any:
        seen.append(name)

    await limiter.initialize()
    await asyncio.wait_for(
        asyncio.gather(
            limiter.process_request(call, ("edit",), {}, "editMessageText", {"chat_id": "42"}, None),
            limiter.process_request(call, ("edit again",), {}, "editMessageText", {"chat_id": "42"}, None),
            limiter.process_request(call, ("first",), {}, "sendMessage", {"chat_id": "42"}, None),
            limiter.process_request(call, ("group",), {}, "sendMessage", {"chat_id": "-100123"}, None),
            limiter.process_request(call, ("group again",), {}, "sendMessage", {"chat_id": "-100123"}, None),
        ),
        timeout=5,
    )
    assert sorted(seen) == ["edit", "edit again", "first", "group", "group again"]
