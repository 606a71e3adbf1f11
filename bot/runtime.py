"""`sayso run` and `sayso demo`: the long-running process and the one-survey terminal session."""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import gc
import logging
import os
import secrets
import signal
import socket
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import uvicorn

from bot.config import Config
from bot.console import PLATFORM as CONSOLE
from bot.console import ConsoleChannel, LineReader
from bot.errors import StartupError
from bot.http import create_app
from bot.logs import log_to_file
from bot.platforms import build_adapters, start_all
from bot.scheduler import build_scheduler, post_due_poll, send_due_digest
from bot.wiring import Services, build_services
from handlers.core.events import Sender
from handlers.i18n import load_catalogs
from handlers.operations.database import sqlite_file
from handlers.survey.trigger import TERMINAL_PREFIX, TriggerRequest, close_other_terminals, survey_is_over

log = logging.getLogger(__name__)
CONSOLE_LOG = Path("sayso.log")  # where logs go while a console survey owns the terminal


@dataclass
class ConsoleSession:
    """The person at the terminal. Each session is a new console respondent, so throttling never
    hides the demo; surveys sent to other console users (`sayso send --platform console`) show up
    here too, and the terminal answers as whoever the shown survey is for."""

    services: Services
    channel: ConsoleChannel
    language: str | None = None

    def __post_init__(self) -> None:
        self.user_id = f"{TERMINAL_PREFIX}{secrets.token_hex(4)}"

    @property
    def sender(self) -> Sender:
        user = self.channel.last_chat or self.user_id
        return Sender(CONSOLE, user, user, self.language)

    @staticmethod
    def _event_id() -> str:
        return f"console-{secrets.token_hex(8)}"

    async def start_survey(self, survey: str | None) -> int:
        await close_other_terminals(self.services.context, keep_user=self.user_id)
        result = await self.services.trigger(
            TriggerRequest(
                interaction_id=f"console-{secrets.token_hex(8)}",
                platform=CONSOLE,
                user_id=self.user_id,
                survey=survey,
                touchpoint="console",
                language=self.language,
                delay_seconds=0,
                demo=True,
            )
        )
        if result.status != "scheduled":
            raise StartupError(f"the console survey could not be scheduled ({result.status})")
        await self.services.survey_sender.send_due()
        return result.request_id

    async def converse(self, *, until_done: int | None = None) -> bool:
        """Feed typed lines to the handlers; return True if request `until_done` reached its end."""
        reader = LineReader()
        while (line := await self.channel.read(reader)) is not None:
            event = self.channel.to_event(line, self.sender, self._event_id)
            await self.services.boundary.receive(event, tell=self.channel.tell)
            if until_done is not None and await survey_is_over(self.services.context, until_done):
                return True
        return False


def _hand_terminal_to_console() -> bool:
    """A console survey owns the terminal: log lines would land between its questions, so they go
    to a file. True when that happened (stderr is a terminal); piped runs keep logging to stderr."""
    if not sys.stderr.isatty():
        return False
    log_to_file(CONSOLE_LOG)
    return True


def _console(config: Config) -> ConsoleChannel:
    bidi = {"on": True, "off": False}.get(config.settings.console_bidi)
    return ConsoleChannel(bidi=bidi)


async def demo(config: Config, *, survey: str | None, language: str | None) -> bool:
    _hand_terminal_to_console()
    async with build_services(config) as services:
        channel = _console(config)
        services.channels.add(channel)
        session = ConsoleSession(services, channel, language)
        request_id = await session.start_survey(survey)
        done = await session.converse(until_done=request_id)
        if not done:
            channel.console.print(f"[dim]Input ended before the survey was finished; {ANSWERS_KEPT}[/dim]")
        return done


def _listen(host: str, port: int) -> socket.socket:
    try:
        return socket.create_server((host, port), reuse_port=False)
    except OSError as exc:
        raise StartupError(f"SAYSO_HTTP_HOST/SAYSO_HTTP_PORT: cannot listen on {host}:{port}: {exc.strerror}") from None


class _Server(uvicorn.Server):
    """uvicorn without its own signal handling: `run` owns SIGINT/SIGTERM for the whole process."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


async def run(config: Config) -> None:
    """Serve HTTP, send due surveys and run every configured platform until SIGINT/SIGTERM."""
    settings = config.settings
    quiet_terminal = not (settings.telegram_enabled or settings.slack_enabled) and _hand_terminal_to_console()
    for warning in settings.warnings():
        log.warning(warning)
    sock = _listen(settings.http_host, settings.http_port)
    with _only_process_on(settings.database_url):
        await _serve(config, sock, quiet_terminal=quiet_terminal)


@contextlib.contextmanager
def _only_process_on(database_url: str) -> Iterator[None]:
    """Refuse a second `sayso run` on the same SQLite file: SQLite suits one process (several
    replicas need PostgreSQL). An advisory lock on a file beside the database, held while running;
    the kernel drops it when the process ends, however it ends."""
    file = sqlite_file(database_url)
    if file is None:
        yield
        return
    with file.with_name(file.name + ".lock").open("a+", encoding="utf-8") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.seek(0)
            holder = lock.read().strip() or "unknown"
            raise StartupError(
                f"DATABASE_URL: another `sayso run` (process {holder}) is using {file}; SQLite suits one process"
                " — stop that one, or use PostgreSQL to run several"
            ) from None
        lock.seek(0)
        lock.truncate()
        lock.write(f"{os.getpid()}\n")
        lock.flush()
        yield


async def _serve(config: Config, sock: socket.socket, *, quiet_terminal: bool) -> None:
    settings = config.settings
    async with build_services(config) as services:
        await asyncio.to_thread(services.context.analyzer.warm_up)
        await asyncio.to_thread(load_catalogs)
        # What is loaded by now (text models, SQLAlchemy's and Bolt's machinery) lives as long as
        # the process: out of the collector's sight, a full collection no longer walks it, so no
        # press waits behind a long pause (`bench/slack_acks.py` shows the pauses).
        gc.freeze()
        if not await services.staff.any():
            log.warning(
                "no staff account yet: make the first owner with `sayso staff invite you@example.com --role owner`"
                " and open the link it prints (the console is at %s/console/)",
                settings.public_url,
            )
        adapters = build_adapters(services)
        background: list[asyncio.Task[object]] = list(await start_all(adapters, services.platform_states))
        dispatching = asyncio.create_task(services.survey_sender.run(), name="survey_sender")
        if services.webhooks is not None:
            background.append(asyncio.create_task(services.webhooks.run(), name="webhook_sender"))
        scheduler = build_scheduler(services)
        scheduler.start()
        if services.digests.destinations:  # down at the scheduled time? send it now
            background.append(asyncio.create_task(send_due_digest(services), name="digest catch-up"))
            background.append(asyncio.create_task(post_due_poll(services), name="staff poll catch-up"))
        stopping: list[Callable[[], None]] = []  # what to tell the terminal once everything stopped
        if not adapters:
            channel = _console(config)
            services.channels.add(channel)
            channel.console.print(
                "[bold]No chat platform is configured[/bold] (set TELEGRAM_BOT_TOKEN or SLACK_BOT_TOKEN). "
                "Running the console channel in this terminal."
                + (f" Logs go to {CONSOLE_LOG}." if quiet_terminal else "")
            )
            session = ConsoleSession(services, channel)
            await session.start_survey(None)
            background.append(asyncio.create_task(session.converse(), name="console"))
            stopping.append(lambda: channel.console.print(f"[dim]Stopped; {ANSWERS_KEPT}[/dim]"))
        app = create_app(services, [adapter.router() for adapter in adapters])
        server = _Server(uvicorn.Config(app, log_config=None, lifespan="off"))
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, _request_exit, server, sig)
        log.info("listening on http://%s:%s", settings.http_host, sock.getsockname()[1])
        try:
            await server.serve(sockets=[sock])  # returns once a signal asked it to
        finally:
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.remove_signal_handler(sig)
            scheduler.shutdown(wait=False)
            # Sends under way finish (through the adapters, still open) before anything closes.
            services.survey_sender.stop()
            try:
                await asyncio.wait_for(dispatching, SHUTDOWN_GRACE)
            except TimeoutError:
                log.warning(
                    "sends still under way after %s s; their claims expire and they are retried", SHUTDOWN_GRACE
                )
            for adapter in adapters:
                await adapter.stop()
            for task in background:
                task.cancel()
            for task in background:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            for say in stopping:
                say()


ANSWERS_KEPT = "the answers given are saved."
SHUTDOWN_GRACE = 30  # seconds for in-flight sends; a container's stop timeout is usually longer


def _request_exit(server: uvicorn.Server, sig: signal.Signals) -> None:
    log.info("%s received, shutting down", sig.name)
    if server.should_exit:
        server.force_exit = True  # a second signal: stop waiting for open connections
    server.should_exit = True
