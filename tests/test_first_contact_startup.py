"""First contact at start-up and on the command line: rejected tokens, unreachable platforms, CLI
mistakes, the console in a real terminal. Each ends in one clear line, and nothing leaks."""

from __future__ import annotations

import asyncio

import httpx

from handlers.core import notes
from tests.fakes.process import free_port, run_to_end, running_sayso
from tests.fakes.slack_api import SIGNING_SECRET, FakeSlack
from tests.fakes.telegram_api import TOKEN as TELEGRAM_TOKEN
from tests.fakes.telegram_api import FakeTelegram
from tests.test_cli import sayso

# -- tokens checked at start ---------------------------------------------------------------------


async def test_a_rejected_telegram_token_stops_run_in_one_line(tmp_path):
    wrong = "987654:a-token-that-telegram-rejects"
    fake = await FakeTelegram().start()
    try:
        env = {"TELEGRAM_BOT_TOKEN": wrong, "TELEGRAM_API_BASE_URL": fake.base_url}
        ended = await run_to_end("run", env=env, cwd=tmp_path)
    finally:
        await fake.stop()
    assert ended.code == 2
    assert ended.stderr.strip().splitlines()[-1] == (
        "error: TELEGRAM_BOT_TOKEN: the Bot API rejected this token (401 Unauthorized); copy it again from @BotFather"
    )
    assert "Traceback" not in ended.stderr
    assert wrong not in ended.stdout + ended.stderr and "a-token-that" not in ended.stdout + ended.stderr


async def test_a_rejected_slack_token_stops_run_in_one_line(tmp_path):
    wrong = "xoxb-revoked-long-ago"
    fake = await FakeSlack().start()
    try:
        env = {"SLACK_BOT_TOKEN": wrong, "SLACK_SIGNING_SECRET": SIGNING_SECRET, "SLACK_API_BASE_URL": fake.base_url}
        ended = await run_to_end("run", env=env, cwd=tmp_path)
    finally:
        await fake.stop()
    assert ended.code == 2
    last = ended.stderr.strip().splitlines()[-1]
    assert last.startswith("error: SLACK_BOT_TOKEN: Slack rejected the bot token (invalid_auth)")
    assert "Traceback" not in ended.stderr and wrong not in ended.stdout + ended.stderr


async def test_an_unreachable_platform_is_degraded_and_retried(tmp_path):
    port = free_port()  # nothing listens there yet
    env = {"TELEGRAM_BOT_TOKEN": TELEGRAM_TOKEN, "TELEGRAM_API_BASE_URL": f"http://127.0.0.1:{port}/bot"}
    async with running_sayso(env, tmp_path) as sayso_run, httpx.AsyncClient(base_url=sayso_run.url) as http:
        health = (await http.get("/healthz")).json()
        assert health["status"] == "degraded"
        assert health["platforms"]["telegram"].startswith("degraded: Bot API did not answer")
        fake = await FakeTelegram().start(port=port)
        try:
            for _ in range(100):  # the retry waits 1, 2, 4 … seconds
                health = (await http.get("/healthz")).json()
                if health["platforms"]["telegram"] == "ok":
                    break
                await asyncio.sleep(0.2)
            assert health["status"] == "ok" and health["platforms"]["telegram"] == "ok"
        finally:
            await fake.stop()
    assert TELEGRAM_TOKEN not in sayso_run.log.read_text()


# -- the command line ----------------------------------------------------------------------------


def test_command_line_mistakes_are_one_line(tmp_path):
    def one_line(result, code: int, text: str) -> None:
        assert result.returncode == code, result.stderr
        lines = [line for line in result.stderr.strip().splitlines() if not line.startswith("{")]
        assert lines == [lines[0]] and text in lines[0] and "Traceback" not in result.stderr, result.stderr

    one_line(
        sayso("digest", "--preview", "--chart", "no/such/folder/chart.png", cwd=tmp_path),
        2,
        "--chart: folder no/such/folder does not exist",
    )
    one_line(sayso("digest", "--preview", "--force", cwd=tmp_path), 2, "--force goes with --send")
    one_line(
        sayso("suggestions", "respond", "--theme", "parking", "--text", "We rented spaces", cwd=tmp_path),
        1,
        "--theme: no theme 'parking'",
    )
    (tmp_path / "not-a-db.db").write_text("plain text, not SQLite")
    for url in (f"sqlite:///{tmp_path}/missing/dir/sayso.db", f"sqlite:///{tmp_path}/not-a-db.db"):
        result = sayso("db", "upgrade", env={"DATABASE_URL": url}, cwd=tmp_path)
        one_line(result, 2, "DATABASE_URL: cannot use sqlite:///")
        assert "Event loop is closed" not in result.stderr
    version = sayso("--version", cwd=tmp_path)
    assert version.returncode == 0 and version.stdout.startswith("sayso ")


async def test_help_lists_every_command(services, channel):
    from handlers.core.commands import COMMANDS
    from tests.fakes.chat import Person

    shown = (await Person(services, channel, user_id="U5").command("help")).note
    assert shown is not None
    for name, _ in COMMANDS:
        assert f"/{name} — " in shown
    receipt = notes.SUGGESTION_THANKS  # names every stored field of a suggestion
    for field in ("text", "language", "app it came through", "tone", "week"):
        assert field in receipt


def test_the_console_shows_no_buttons_wording_and_keeps_urdu_brackets(tmp_path):
    shown = sayso("demo", input="9\nabc\n4\n5\n4\n5\nQuick\n", cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    assert "button" not in shown.stdout.lower()
    urdu = sayso("demo", "--lang", "ur", input="4\n", env={"SAYSO_CONSOLE_BIDI": "on"}, cwd=tmp_path)
    options = [line for line in urdu.stdout.splitlines() if line.lstrip().startswith("[")]
    assert [line[:6] for line in options[:5]] == ["  [1] ", "  [2] ", "  [3] ", "  [4] ", "  [5] "], urdu.stdout


def test_in_a_terminal_the_survey_owns_the_screen(tmp_path):
    """Through a pseudo-terminal, as a person runs it: no log lines between questions, a > prompt."""
    import os
    import pty
    import subprocess
    import time

    from tests.fakes.process import SAYSO, clean_env

    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [SAYSO, "demo"],
        stdin=follower,
        stdout=follower,
        stderr=follower,
        cwd=tmp_path,
        env=clean_env({"COLUMNS": "100"}),
        close_fds=True,
    )
    os.close(follower)
    screen = b""
    deadline = time.monotonic() + 60
    answers = iter([b"4\r", b"5\r", b"4\r", b"5\r", b"Quick and kind\r"])
    while process.poll() is None and time.monotonic() < deadline:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        screen += chunk
        if screen.rstrip().endswith(b">"):
            os.write(leader, next(answers, b""))
    process.wait(10)
    os.close(leader)
    text = screen.decode(errors="replace")
    assert process.returncode == 0, text
    assert "Thank you! Your answers help us serve you better." in text
    assert "> " in text and "INFO" not in text and '"level"' not in text, text
    assert "survey sent" in (tmp_path / "sayso.log").read_text()


def test_a_demo_killed_midway_is_not_asked_again_in_the_next_terminal(tmp_path):
    import sqlite3

    first = sayso("demo", input="3\n", cwd=tmp_path)  # leaves after one answer
    assert first.returncode == 1
    second = sayso("demo", input="4\n5\n4\n5\nFine\n", cwd=tmp_path)
    assert second.returncode == 0, second.stderr
    with sqlite3.connect(tmp_path / "sayso.db") as db:
        states = [row[0] for row in db.execute("SELECT state FROM survey_requests ORDER BY id")]
    assert states == ["cancelled", "completed"]


async def test_a_second_run_on_the_same_sqlite_file_is_refused_in_one_line(tmp_path):
    """SQLite suits one process: a second `sayso run` on another port is refused, not run beside the first."""
    async with running_sayso({}, tmp_path) as first:
        second = await run_to_end("run", env={"SAYSO_HTTP_PORT": str(free_port())}, cwd=tmp_path)
        assert first.process.returncode is None  # the first goes on
    assert second.code == 2
    last = second.stderr.strip().splitlines()[-1]
    assert last.startswith("error: DATABASE_URL: another `sayso run` (process ") and "SQLite suits one process" in last
    assert str(first.process.pid) in last
    async with running_sayso({}, tmp_path) as again:  # the lock went with the first process
        assert again.process.returncode is None
