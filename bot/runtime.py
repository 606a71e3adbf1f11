"""`sayso run` and `sayso demo`: the long-running process and the one-survey terminal session."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import socket
from dataclasses import dataclass

import uvicorn

from bot.config import Config
from bot.console import PLATFORM as CONSOLE, ConsoleChannel, read_line
from bot.http import create_app
from bot.wiring import Services, StartupError, build_services
from handlers.events import Sender
from handlers.trigger import TriggerRequest
from storage.models import RequestState
from storage.requests import request_by_id

log = logging.getLogger(__name__)
_FINAL = {RequestState.COMPLETED, RequestState.EXPIRED, RequestState.CANCELLED, RequestState.FAILED}


@dataclass
class ConsoleSession:
    """A person at the terminal: each run is a new console respondent, so throttling never hides the demo."""

    services: Services
    channel: ConsoleChannel
    language: str | None = None

    def __post_init__(self) -> None:
        self.sender = Sender(CONSOLE, f"terminal-{secrets.token_hex(4)}", "terminal", self.language)
        self._events = (f"console-{secrets.token_hex(8)}" for _ in iter(int, 1))

    async def start_survey(self, survey: str | None) -> int:
        result = await self.services.trigger(
            TriggerRequest(
                interaction_id=f"console-{secrets.token_hex(8)}",
                platform=CONSOLE,
                user_id=self.sender.user_id,
                survey=survey,
                touchpoint="console",
                language=self.language,
                delay_seconds=0,
            )
        )
        if result.status != RequestState.SCHEDULED:
            raise StartupError(f"the console survey could not be scheduled ({result.status})")
        await self.services.dispatcher.send_due()
        return result.request_id

    async def converse(self, *, until_done: int | None = None) -> bool:
        """Feed typed lines to the engine; return True if request `until_done` reached its end."""
        while (line := await read_line()) is not None:
            ack = await self.services.dispatch(self.channel.to_event(line, self.sender, lambda: next(self._events)))
            self.channel.note(ack.note)
            if until_done is not None and await self._finished(until_done):
                return True
        return False

    async def _finished(self, request_id: int) -> bool:
        async with self.services.engine.sessions() as session:
            request = await request_by_id(session, request_id=request_id)
        return request is not None and request.state in _FINAL


def _console(config: Config) -> ConsoleChannel:
    bidi = {"on": True, "off": False}.get(config.settings.console_bidi)
    return ConsoleChannel(bidi=bidi)


async def demo(config: Config, *, survey: str | None, language: str | None) -> bool:
    async with build_services(config) as services:
        channel = _console(config)
        services.channels.add(channel)
        session = ConsoleSession(services, channel, language)
        request_id = await session.start_survey(survey)
        done = await session.converse(until_done=request_id)
        if not done:
            channel.console.print("[dim]Input ended before the survey was finished; the answers given are saved.[/dim]")
        return done


def _listen(host: str, port: int) -> socket.socket:
    try:
        return socket.create_server((host, port), reuse_port=False)
    except OSError as exc:
        raise StartupError(f"SAYSO_HTTP_HOST/SAYSO_HTTP_PORT: cannot listen on {host}:{port}: {exc.strerror}") from None


async def run(config: Config) -> None:
    """Serve HTTP, dispatch surveys and run every configured platform until SIGINT/SIGTERM."""
    settings = config.settings
    sock = _listen(settings.http_host, settings.http_port)
    async with build_services(config) as services:
        await asyncio.to_thread(services.engine.analyzer.warm_up)
        background: list[asyncio.Task[object]] = [asyncio.create_task(services.dispatcher.run(), name="dispatcher")]
        if not (settings.telegram_enabled or settings.slack_enabled):
            channel = _console(config)
            services.channels.add(channel)
            channel.console.print(
                "[bold]No chat platform is configured[/bold] (set TELEGRAM_BOT_TOKEN or SLACK_BOT_TOKEN). "
                "Running the console channel in this terminal."
            )
            session = ConsoleSession(services, channel)
            await session.start_survey(None)
            background.append(asyncio.create_task(session.converse(), name="console"))
        server = uvicorn.Server(uvicorn.Config(create_app(services), log_config=None, lifespan="off"))
        log.info("listening on http://%s:%s", settings.http_host, sock.getsockname()[1])
        try:
            await server.serve(sockets=[sock])  # returns on SIGINT/SIGTERM
        finally:
            for task in background:
                task.cancel()
            for task in background:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
