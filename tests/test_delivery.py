"""The survey sender: claiming due surveys, retrying transient faults, giving up on permanent ones."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import event, func, select
from sqlalchemy.engine import Engine

from handlers.core.ports import DeliveryFailed
from handlers.survey import trigger as trigger_module
from handlers.survey.trigger import Trigger, TriggerRequest
from storage.models import RequestState, Respondent, SurveyRequest
from tests.fakes.chat import Person, request_row
from tests.fakes.recording import RecordingChannel


async def _schedule(services, channel, user="U1", delay_seconds=0):
    result = await services.trigger(
        TriggerRequest(interaction_id=f"d-{user}", platform=channel.platform, user_id=user, delay_seconds=delay_seconds)
    )
    return Person(services, channel, user_id=user), result


async def test_due_survey_is_sent_once(services, channel):
    _, result = await _schedule(services, channel)
    assert await services.survey_sender.send_due() == 1
    assert await services.survey_sender.send_due() == 0
    assert len(channel.prompts) == 1
    request = await request_row(services, result.request_id)
    assert request.state == RequestState.ACTIVE and request.current_question == "overall"
    assert request.message_ref == "dm-U1|1"
    assert request.expires_at - request.sent_at == timedelta(days=3)


async def test_delayed_survey_waits(services, channel):
    await _schedule(services, channel)
    later = await services.trigger(
        TriggerRequest(interaction_id="x-late", platform="console", user_id="U7", delay_seconds=3600)
    )
    assert await services.survey_sender.send_due() == 1
    assert (await request_row(services, later.request_id)).state == RequestState.SCHEDULED


async def test_transient_failure_is_retried_after_the_platforms_pause(services, channel):
    channel.failures.append(DeliveryFailed("console", "rate limited", retry_after=120))
    _, result = await _schedule(services, channel)
    await services.survey_sender.send_due()
    request = await request_row(services, result.request_id)
    assert request.state == RequestState.SCHEDULED and request.last_error == "rate limited"
    assert request.due_at - request.claimed_at >= timedelta(seconds=120)
    clock = services.context.clock
    object.__setattr__(services.context, "clock", lambda: clock() + timedelta(minutes=3))
    assert await services.survey_sender.send_due() == 1
    request = await request_row(services, result.request_id)
    assert request.state == RequestState.ACTIVE and request.attempts == 2 and request.last_error is None
    assert len(channel.prompts) == 1


async def test_permanent_failure_marks_the_person_unreachable(services, channel):
    channel.failures.append(DeliveryFailed("console", "bot was blocked by the user", permanent=True))
    _, result = await _schedule(services, channel)
    await services.survey_sender.send_due()
    request = await request_row(services, result.request_id)
    assert request.state == RequestState.UNREACHABLE and request.reason == "bot was blocked by the user"
    async with services.context.sessions() as session:
        respondent = await session.get(Respondent, request.respondent_id)
    assert respondent.unreachable_reason == "bot was blocked by the user"
    again = await services.trigger(TriggerRequest(interaction_id="after-block", platform="console", user_id="U1"))
    assert (again.status, again.reason) == ("unreachable", "bot was blocked by the user")


async def test_gives_up_after_max_attempts(services, channel):
    channel.failures.extend(DeliveryFailed("console", f"timeout {i}") for i in range(10))
    _, result = await _schedule(services, channel)
    clock = services.context.clock
    for hop in range(5):
        object.__setattr__(services.context, "clock", lambda hop=hop: clock() + timedelta(hours=hop))
        await services.survey_sender.send_due()
    request = await request_row(services, result.request_id)
    assert request.state == RequestState.FAILED and request.attempts == 5 and request.last_error == "timeout 4"


async def test_opted_out_before_sending_is_cancelled(services, channel):
    person, result = await _schedule(services, channel)
    await person.command("stop")
    assert await services.survey_sender.send_due() == 0
    assert (await request_row(services, result.request_id)).state == RequestState.CANCELLED
    assert channel.prompts == []


async def test_start_link_opens_the_survey(services):
    telegram = RecordingChannel(platform="telegram", reaches_unknown_users=False)
    services.channels.add(telegram)
    result = await services.trigger(TriggerRequest(interaction_id="tg-1", platform="telegram", user_id="777"))
    assert result.status == "unreachable" and result.start_link
    payload = result.start_link.rsplit("=", 1)[1]
    person = Person(services, telegram, user_id="777")
    await person.command("start", payload)
    await services.survey_sender.send_due()
    assert telegram.prompts and telegram.prompts[0].text.startswith("Thank you for talking to us!")
    assert telegram.sent[0].chat_id == "dm-777"
    stranger = Person(services, telegram, user_id="888")
    await stranger.command("start", payload)
    assert await services.survey_sender.send_due() == 0
    assert len(telegram.prompts) == 1


class _SlowChannel(RecordingChannel):
    """A platform that takes its time, so a shutdown arrives while sends are under way."""

    async def ask(self, chat_id, prompt):
        await asyncio.sleep(0.3)
        return await super().ask(chat_id, prompt)


async def test_shutdown_finishes_the_sends_under_way(services):
    slow = _SlowChannel(platform="slack")
    services.channels.add(slow)
    results = [
        await services.trigger(
            TriggerRequest(interaction_id=f"s{i}", platform="slack", user_id=f"U{i}", delay_seconds=0)
        )
        for i in range(20)
    ]
    running = asyncio.create_task(services.survey_sender.run())
    await asyncio.sleep(0.1)  # the batch is claimed and its sends have started
    services.survey_sender.stop()
    await asyncio.wait_for(running, 5)
    states = {(await request_row(services, r.request_id)).state for r in results}
    assert states == {RequestState.ACTIVE} and len(slow.prompts) == 20


async def test_sends_in_flight_share_their_write_transactions(services, channel):
    """Sixteen sends at once record their intents together and their outcomes together: a few
    transactions, not two per survey, and every survey still sent once and recorded."""
    people = [f"G{i}" for i in range(32)]
    for user in people:
        await _schedule(services, channel, user=user)
    writes: list[str] = []

    def seen(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        if statement.startswith("UPDATE survey_requests SET posting_at") or "SET state=CASE" in statement:
            writes.append(statement)

    event.listen(Engine, "before_cursor_execute", seen)
    try:
        assert await services.survey_sender.drain() == 32
    finally:
        event.remove(Engine, "before_cursor_execute", seen)
    asked = sorted(sent.chat_id for sent in channel.sent if sent.kind == "ask")
    assert asked == sorted(f"dm-{user}" for user in people)
    assert len(writes) < 32  # intents and outcomes of 32 surveys, in far fewer statements than 64
    async with services.context.reads() as session:
        states = (await session.execute(select(SurveyRequest.state, func.count()).group_by(SurveyRequest.state))).all()
    assert dict(states) == {RequestState.ACTIVE: 32}


async def test_intake_holds_a_bounded_share_of_the_database(services, channel, monkeypatch):
    """However many reports arrive at once, at most `share` intake transactions are open, so the
    sends' and presses' writes never queue behind all of them; every report is still recorded."""
    open_now, most = 0, 0
    real = trigger_module.ensure_respondent

    async def counted(session, **kwargs):  # type: ignore[no-untyped-def]
        nonlocal open_now, most
        open_now += 1
        most = max(most, open_now)
        try:
            await asyncio.sleep(0.01)  # the rest of a busy transaction
            return await real(session, **kwargs)
        finally:
            open_now -= 1

    monkeypatch.setattr(trigger_module, "ensure_respondent", counted)
    trigger = Trigger(services.context, share=3)
    reports = [TriggerRequest(interaction_id=f"b-{i}", platform=channel.platform, user_id=f"B{i}") for i in range(12)]
    results = await asyncio.gather(*(trigger(report) for report in reports))
    assert most == 3
    assert len({result.request_id for result in results}) == 12
