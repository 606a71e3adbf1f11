"""The error boundary and the layering rules."""

from __future__ import annotations

import ast
import dataclasses
from pathlib import Path

import pytest

from handlers.boundary import ErrorBoundary
from handlers.conversation import Conversation
from handlers.core import notes
from handlers.core.events import ButtonPressed, Sender, TextReceived
from handlers.i18n import lang
from handlers.suggestions.box import SuggestionBox
from handlers.suggestions.rules import SuggestionRules
from storage.db import create_engine, session_factory

ROOT = Path(__file__).resolve().parents[1]
PLATFORM_SDKS = {"slack_bolt", "slack_sdk", "telegram"}


@pytest.mark.parametrize("package", ["handlers", "storage"])
def test_core_packages_import_no_platform_sdk(package):
    offenders = []
    for path in (ROOT / package).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            offenders += [f"{path.relative_to(ROOT)}: {n}" for n in names if n.split(".")[0] in PLATFORM_SDKS]
    assert offenders == []


def test_storage_does_not_import_handlers_or_bot():
    for path in (ROOT / "storage").rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        assert "from handlers" not in source and "from bot" not in source, path


@pytest.fixture
def broken_dispatch(services):
    database = create_engine("postgresql://nobody@127.0.0.1:1/none", connect_args={"connect_timeout": 2})
    context = dataclasses.replace(services.context, sessions=session_factory(database))
    return ErrorBoundary(context, Conversation(context, SuggestionBox(context, SuggestionRules())))


@pytest.mark.parametrize("language_code", ["en", "hu", "ur"])
async def test_database_outage_gets_a_clear_reply_in_the_users_language(broken_dispatch, language_code, caplog):
    sender = Sender("console", "U1", "dm-U1", language_code)
    ack = await broken_dispatch(TextReceived(sender, "hello", event_id="e1"))
    expected = lang(language_code)
    assert ack.note == expected.directional(expected.gettext(notes.TRY_AGAIN))
    assert "database unavailable" in caplog.text and "U1" not in caplog.text


async def test_unexpected_errors_are_logged_with_context_and_answered(services, caplog):
    class Exploding(Conversation):
        async def handle(self, event):
            raise RuntimeError("boom")

    boundary = ErrorBoundary(
        services.context, Exploding(services.context, SuggestionBox(services.context, SuggestionRules()))
    )
    ack = await boundary(ButtonPressed(Sender("console", "U1", "dm-U1", "hi"), "a|AAAAAAAAAAAA|0|1"))
    assert ack.note == lang("hi").gettext(notes.SOMETHING_WRONG)
    record = next(r for r in caplog.records if r.message == "event handling failed")
    assert record.event == "ButtonPressed" and record.platform == "console"
