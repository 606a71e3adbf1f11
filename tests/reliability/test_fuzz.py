"""Hostile bodies from hypothesis at /slack/events (signed and unsigned) and /telegram/webhook: every
answer is a 4xx or a 200, never a 500, and no error is logged for them."""

from __future__ import annotations

import asyncio
import json
import logging
import urllib.parse
from collections import Counter
from collections.abc import Iterator
from contextlib import AsyncExitStack
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import SecretStr

from bot.http import create_app
from bot.platforms import build_adapters
from bot.wiring import build_services
from tests.fakes.slack_api import FakeSlack, block_actions, dm_event, sign, view_submission
from tests.fakes.slack_harness import slack_config
from tests.fakes.telegram_api import TOKEN as TELEGRAM_TOKEN
from tests.fakes.telegram_api import FakeTelegram

SECRET = "fuzz-webhook-secret"
EXAMPLES = 150

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=25,
)
nested = st.integers(min_value=1, max_value=6000).map(lambda depth: "[" * depth + "]" * depth)
real_shapes = st.sampled_from(
    [
        block_actions("U1", "D1", "1.1", {"type": "button", "action_id": "answer-0", "value": "a|x|0|4"}),
        dm_event("U1", "D1", "hello", "Ev1"),
    ]
)


def _mutated(shape: dict[str, Any], key: str, value: Any) -> dict[str, Any]:
    return {**shape, key: value}


def _deep_mutated(shape: dict[str, Any], path: list[str], value: Any) -> dict[str, Any]:
    """`shape` with the value at `path` (as deep as it goes) replaced: the shapes Bolt accepts, one field off."""
    copied = json.loads(json.dumps(shape))
    holder: Any = copied
    for key in path[:-1]:
        inner = holder.get(key) if isinstance(holder, dict) else None
        if isinstance(inner, list) and inner:
            inner = inner[0]
        if not isinstance(inner, dict):
            break
        holder = inner
    if isinstance(holder, dict):
        holder[path[-1]] = value
    return copied


modal = view_submission("U1", "answer_text", "fine")
deep_paths = st.sampled_from(
    [
        ["actions", "action_id"],
        ["actions", "value"],
        ["actions", "type"],
        ["actions", "selected_option"],
        ["view", "id"],
        ["view", "state"],
        ["view", "state", "values"],
        ["view", "callback_id"],
        ["view", "private_metadata"],
        ["user", "id"],
        ["event", "type"],
        ["event", "user"],
        ["container", "channel_id"],
    ]
)
deep_shapes = st.sampled_from(
    [
        block_actions("U1", "D1", "1.1", {"type": "button", "action_id": "answer-0", "value": "a|x|0|4"}),
        block_actions("U1", "D1", "1.1", {"type": "static_select", "action_id": "home_language"}),
        modal,
        dm_event("U1", "D1", "hello", "Ev1"),
    ]
)
slack_bodies = st.one_of(
    st.builds(_deep_mutated, deep_shapes, deep_paths, json_values | st.just([]) | st.just([{}])).map(
        lambda d: urllib.parse.urlencode({"payload": json.dumps(d)}).encode()
    ),
    st.binary(max_size=600),
    json_values.map(lambda v: json.dumps(v).encode()),
    json_values.map(lambda v: urllib.parse.urlencode({"payload": json.dumps(v)}).encode()),
    st.text(max_size=200).map(lambda t: urllib.parse.urlencode({"payload": t}).encode()),
    nested.map(lambda n: urllib.parse.urlencode({"payload": n}).encode()),
    st.builds(
        _mutated, real_shapes, st.sampled_from(["type", "user", "actions", "event", "container"]), json_values
    ).map(lambda d: urllib.parse.urlencode({"payload": json.dumps(d)}).encode()),
)
telegram_bodies = st.one_of(
    st.binary(max_size=400),
    json_values.map(lambda v: json.dumps(v).encode()),
    st.fixed_dictionaries({"update_id": st.integers(), "message": json_values}).map(lambda d: json.dumps(d).encode()),
    st.fixed_dictionaries({"update_id": st.integers(), "callback_query": json_values}).map(
        lambda d: json.dumps(d).encode()
    ),
    nested.map(str.encode),
)


class Stack:
    """Slack (HTTP mode) and Telegram (webhook mode) adapters on one app, on a loop of their own,
    so hypothesis can drive them from a plain function."""

    def __init__(self, loop: asyncio.AbstractEventLoop, http: httpx.AsyncClient) -> None:
        self.loop, self.http = loop, http
        self.codes: Counter[int] = Counter()

    def post(self, path: str, body: bytes, headers: dict[str, str]) -> int:
        response = self.loop.run_until_complete(self.http.post(path, content=body, headers=headers))
        self.codes[response.status_code] += 1
        return response.status_code


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory, analyzer) -> Iterator[Stack]:
    loop = asyncio.new_event_loop()
    folder = tmp_path_factory.mktemp("fuzz")

    async def build() -> Any:
        slack, telegram = await FakeSlack().start(), await FakeTelegram().start()
        config = slack_config(f"sqlite:///{folder / 'fuzz.db'}", slack)
        settings = config.settings.model_copy(
            update={
                "telegram_bot_token": SecretStr(TELEGRAM_TOKEN),
                "telegram_api_base_url": telegram.base_url,
                "telegram_webhook_url": "https://sayso.example.com/telegram/webhook",
                "telegram_webhook_secret": SecretStr(SECRET),
            }
        )
        scope = AsyncExitStack()
        services = await scope.enter_async_context(
            build_services(config.model_copy(update={"settings": settings}), analyzer=analyzer)
        )
        adapters = build_adapters(services)
        for adapter in adapters:
            await adapter.start()
        app = create_app(services, [adapter.router() for adapter in adapters])
        http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sayso")
        return slack, telegram, scope, adapters, http

    slack, telegram, scope, adapters, http = loop.run_until_complete(build())
    try:
        yield Stack(loop, http)
    finally:

        async def close() -> None:
            await http.aclose()
            for adapter in adapters:
                await adapter.stop()
            await scope.aclose()
            await slack.stop()
            await telegram.stop()

        loop.run_until_complete(close())
        loop.close()


@pytest.fixture
def errors(caplog: pytest.LogCaptureFixture) -> Iterator[list[logging.LogRecord]]:
    caplog.set_level(logging.INFO)
    yield caplog.records


def test_slack_bodies_get_4xx_or_200_never_500(stack, errors):
    @given(body=slack_bodies, signed=st.booleans())
    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def answers(body: bytes, signed: bool) -> None:
        headers = {"Content-Type": "application/x-www-form-urlencoded", **(sign(body) if signed else {})}
        code = stack.post("/slack/events", body, headers)
        assert code < 500 and (signed or code == 401), code

    answers()
    print(f"\nslack: {sum(stack.codes.values())} requests, answers {dict(stack.codes)}")
    assert not [r for r in errors if r.levelno >= logging.ERROR]


def test_telegram_updates_get_4xx_or_200_never_500(stack, errors):
    stack.codes.clear()

    @given(body=telegram_bodies, secret=st.sampled_from([SECRET, "wrong", ""]))
    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def answers(body: bytes, secret: str) -> None:
        headers = {"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": secret}
        code = stack.post("/telegram/webhook", body, headers)
        assert code < 500 and (secret == SECRET or code == 403), code

    answers()
    print(f"\ntelegram: {sum(stack.codes.values())} requests, answers {dict(stack.codes)}")
    assert not [r for r in errors if r.levelno >= logging.ERROR]
