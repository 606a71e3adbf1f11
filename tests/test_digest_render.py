"""The digest as each platform shows it: Block Kit and HTML within their limits, a chart, the extras."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlmodel import select

from bot.slack_adapter.render import report_messages
from bot.telegram_adapter.render import report_html
from handlers.core.broadcast import Destination
from handlers.core.replies import Report, Section
from handlers.core.weeks import week_bounds
from handlers.digest.sender import DigestSender
from handlers.operations.demo_history import generate
from storage.history import PastResponse, add_history
from storage.models import BroadcastPost
from storage.suggestions import NewSuggestion, add_suggestion
from tests.fakes.slack_harness import Slack, slack_harness
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.telegram_harness import Harness, telegram_harness

WEEK = "2026-W47"
PNG = b"\x89PNG\r\n\x1a\n"
RLM = "\u200f"


def _long_report(sections: int, line: str) -> Report:
    return Report("Customer feedback, week 2026-W47", tuple(Section(f"Part {i}", (line,) * 4) for i in range(sections)))


def test_block_kit_stays_within_slacks_limits_and_escapes_text():
    messages = report_messages(_long_report(60, "x" * 900))
    blocks = [block for message in messages for block in message]
    assert len(messages) == 3 and all(len(message) <= 50 for message in messages)
    header = messages[0][0]
    assert header["type"] == "header" and header["text"]["text"] == "Customer feedback, week 2026-W47"
    assert all(len(b["text"]["text"]) <= 3000 for b in blocks if b["type"] == "section")
    # Each 4×900-character part is cut between lines, not inside one.
    assert sum(b["text"]["text"].count("x" * 900) for b in blocks if b["type"] == "section") == 240
    (escaped,) = report_messages(Report("t", (Section(None, ("<!channel> & <@U1>",)),)))
    assert escaped[1]["text"] == {"type": "mrkdwn", "text": "&lt;!channel&gt; &amp; &lt;@U1&gt;"}


def test_telegram_html_splits_between_sections_and_escapes_text():
    messages = report_html(_long_report(10, "y" * 400))
    assert len(messages) == 5 and all(len(m) <= 4096 for m in messages)
    assert all(m.count("y" * 400) == 4 * m.count("<b>Part") for m in messages)  # sections stay whole
    assert messages[0].startswith("<b>Customer feedback, week 2026-W47</b>\n\n<b>Part 0</b>\n")
    assert all(m.count("<b>") == m.count("</b>") for m in messages)
    (tag,) = report_html(Report("t", (Section(None, ("<script>&",)),)))
    assert "&lt;script&gt;&amp;" in tag
    (urdu,) = report_html(Report("ہفتہ", (Section("اسکور", ("CSAT: 80%",)),), rtl=True))
    assert all(line.startswith(RLM) for line in urdu.split("\n") if line)


async def _busy_week(services) -> None:
    """A realistic history (enough answers for drivers), long comments, and a repeated complaint."""
    _, end = week_bounds(WEEK, "UTC")
    history = list(generate(answers=3000, weeks=4, seed=3, until=end - timedelta(hours=1)))
    async with services.context.sessions() as session, session.begin():
        await add_history(session, history)
        for text in ["The phone line is always busy", "Phone line busy all the time", "The phone line was busy again"]:
            await add_suggestion(session, NewSuggestion(text, "en", "telegram", WEEK, None, None))


def _sender(services, destination: Destination) -> DigestSender:
    digests = services.digests
    return DigestSender(
        services.context,
        services.weekly,
        [destination],
        poll=services.staff_poll,
        complaints=digests._complaints,
        csat_target=0.85,
    )


@pytest.fixture
async def tg(tmp_path, analyzer) -> AsyncIterator[Harness]:
    fake = await FakeTelegram().start()
    try:
        async for harness in telegram_harness(f"sqlite:///{tmp_path / 'tg.db'}", fake, analyzer):
            yield harness
    finally:
        await fake.stop()


async def test_telegram_gets_html_messages_and_a_photo(tg: Harness):
    await _busy_week(tg.services)
    outcome = await _sender(tg.services, Destination("telegram", "-100200", "hu")).send(WEEK)
    assert outcome == {"telegram:-100200": "sent"}
    texts = tg.fake.sent("sendMessage", -100200)
    assert texts and all(call.params["parse_mode"] == "HTML" and call.status == 200 for call in texts)
    shown = "\n".join(
        tg.fake.messages[key]["text"]
        for key in sorted(tg.fake.messages)
        if key[0] == -100200 and "text" in tg.fake.messages[key]
    )
    assert shown.startswith("Ügyfél-visszajelzések, 2026-W47 hét")
    assert "Mi hat leginkább az elégedettségre" in shown and "Visszatérő témák az ötletládában" in shown
    (photo,) = tg.fake.sent("sendPhoto", -100200)
    assert photo.params["photo"].startswith(PNG)


@pytest.fixture
async def sl(tmp_path, analyzer) -> AsyncIterator[Slack]:
    async for harness in slack_harness(f"sqlite:///{tmp_path / 'slack.db'}", analyzer):
        yield harness


async def test_slack_gets_block_kit_and_an_uploaded_chart(sl: Slack):
    await _busy_week(sl.services)
    outcome = await _sender(sl.services, Destination("slack", "C0STAFF")).send(WEEK)
    assert outcome == {"slack:C0STAFF": "sent"}
    posts = sl.fake.sent("chat.postMessage", "C0STAFF")
    assert posts and not any(call.failed for call in posts)
    blocks = [block for call in posts for block in call.params["blocks"]]
    assert blocks[0]["type"] == "header" and blocks[0]["text"]["text"] == "Customer feedback, week 2026-W47"
    text = "\n".join(b["text"]["text"] for b in blocks if b["type"] == "section")
    assert "*What drives satisfaction*" in text and "*Repeated in the suggestion box*" in text
    (complete,) = sl.fake.sent("files.completeUploadExternal")
    assert complete.params["channel_id"] == "C0STAFF"
    (upload,) = sl.fake.uploads.values()
    assert upload.startswith(PNG)


def test_preview_writes_the_chart(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from bot.cli import app

    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    runner = CliRunner()
    assert runner.invoke(app, ["demo-data", "--answers", "2000", "--weeks", "3"]).exit_code == 0
    chart = tmp_path / "digest.png"
    result = runner.invoke(app, ["digest", "--preview", "--chart", str(chart)])  # last week
    assert result.exit_code == 0, result.output
    assert chart.read_bytes().startswith(PNG) and "What drives satisfaction" in result.output


HOSTILE = ("&<> " * 500)[:2000]  # about 3,100 characters once escaped for Slack or Telegram


async def _hostile_week(services) -> None:
    """One 2,000-character comment of &<> and 200 long suggestions, beside an ordinary week."""
    await _busy_week(services)
    _, end = week_bounds(WEEK, "UTC")
    answers = {"overall": 1, "went_wrong": HOSTILE}
    comment = PastResponse("telegram", "hostile", "csat", end - timedelta(minutes=5), answers)  # the newest
    async with services.context.sessions() as session, session.begin():
        await add_history(session, [comment])
        text = "The phone line is always busy and " + "nobody calls back " * 50  # one text: embedded once
        for _ in range(200):
            await add_suggestion(session, NewSuggestion(text, "en", "telegram", WEEK, None, None))


async def test_one_hostile_comment_never_stops_the_digest_on_telegram(tg: Harness):
    await _hostile_week(tg.services)
    outcome = await _sender(tg.services, Destination("telegram", "-100200")).send(WEEK)
    assert outcome == {"telegram:-100200": "sent"}
    texts = tg.fake.sent("sendMessage", -100200)
    assert texts and all(call.status == 200 and len(call.params["text"]) <= 4096 for call in texts)
    shown = "".join(call.params["text"] for call in texts)
    assert shown.count("&amp;") >= 400  # the comment arrived, escaped, in pieces
    async with tg.services.context.sessions() as session:
        states = [row.state for row in (await session.execute(select(BroadcastPost))).scalars()]
    assert states == ["sent"]


async def test_one_hostile_comment_never_stops_the_digest_on_slack(sl: Slack):
    await _hostile_week(sl.services)
    outcome = await _sender(sl.services, Destination("slack", "C0STAFF")).send(WEEK)
    assert outcome == {"slack:C0STAFF": "sent"}
    posts = sl.fake.sent("chat.postMessage", "C0STAFF")
    assert posts and not any(call.failed for call in posts)  # the fake refuses sections over 3,000
    sections = [b["text"]["text"] for call in posts for b in call.params["blocks"] if b["type"] == "section"]
    assert all(len(text) <= 3000 for text in sections)
    assert "".join(sections).count("&amp;") >= 400
