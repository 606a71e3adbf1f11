"""The Slack side of the process: Bolt's AsyncApp, on /slack/events (HTTP) or over Socket Mode."""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

import aiohttp
from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from slack_bolt.adapter.starlette.async_handler import to_starlette_response
from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from bot.config import Settings
from bot.errors import PlatformUnreachable, StartupError
from bot.slack_adapter import inbound
from bot.slack_adapter.outbound import REJECTED_TOKEN, SlackChannel
from bot.slack_adapter.render import (
    ANSWER_ACTIONS,
    ANSWER_MODAL,
    HOME_LANGUAGE,
    HOME_OPT,
    OPEN_TEXT,
    SUGGEST_MODAL,
    confirmation,
    home,
    modal,
)
from bot.slack_adapter.signed_requests import bolt_request, signature_problem
from handlers.boundary import ErrorBoundary
from handlers.core import notes
from handlers.core.events import ButtonPressed, CommandReceived, InboundEvent, Sender, TextReceived
from handlers.core.replies import Ack

log = logging.getLogger(__name__)

# What the manifests in slack/ must grant, no more; a test keeps them in step.
SLASH_COMMANDS = ("/suggest",)
BOT_EVENTS = ("app_home_opened", "message.im")
BOT_SCOPES = ("chat:write", "im:write", "im:history", "commands", "files:write")


Listener = Callable[..., Awaitable[None]]


def _tolerant(listener: Listener) -> Listener:
    """A signed payload of a shape Slack does not send (fields missing or of another type) is
    acknowledged and ignored with one log line, not answered 500 (which Slack would retry)."""

    @functools.wraps(listener)
    async def run(*args: Any, **kwargs: Any) -> None:
        try:
            await listener(*args, **kwargs)
        except (KeyError, TypeError, AttributeError, ValueError, IndexError) as exc:
            log.warning("slack payload of an unexpected shape ignored (%s)", type(exc).__name__)
            ack = kwargs.get("ack")
            if ack is not None and getattr(ack, "response", None) is None:
                await ack()

    return run


class SlackAdapter:
    """Turns Slack requests into inbound events; acknowledges once the handlers have committed."""

    def __init__(self, settings: Settings, boundary: ErrorBoundary) -> None:
        assert settings.slack_bot_token is not None
        self._settings = settings
        self._boundary = boundary
        # One HTTP session for every Web API call: without it slack-sdk opens a new one (and a
        # new TCP connection) per call.
        self._http = aiohttp.ClientSession()
        client = AsyncWebClient(
            token=settings.slack_bot_token.get_secret_value(),
            base_url=settings.slack_api_base_url,
            session=self._http,
            retry_handlers=[AsyncRateLimitErrorRetryHandler(max_retry_count=3)],
        )
        signing = settings.slack_signing_secret
        self.app = AsyncApp(
            client=client,
            signing_secret=signing.get_secret_value() if signing else None,
            # Socket Mode requests are not signed; HTTP requests always are, and checked.
            request_verification_enabled=signing is not None,
            # Listeners ack as soon as the handlers have committed and hand the rest to
            # `_later`; Bolt then answers without polling for the ack every 10 ms per request.
            process_before_response=True,
        )
        self._pending: set[asyncio.Task[None]] = set()
        self.channel = SlackChannel(client)
        self._socket: Any = None
        self._register()

    async def initialize(self) -> None:
        """Check the bot token with `auth.test`, so a wrong one stops start-up instead of every send."""
        try:
            await self.app.client.auth_test()
        except SlackApiError as exc:
            error = str((exc.response.data or {}).get("error") if isinstance(exc.response.data, dict) else exc)
            if error in REJECTED_TOKEN or error == "account_inactive":
                hint = "copy the Bot User OAuth Token (xoxb-…) from the app's OAuth & Permissions page"
                raise StartupError(f"SLACK_BOT_TOKEN: Slack rejected the bot token ({error}); {hint}") from None
            raise PlatformUnreachable(f"auth.test failed ({error})") from None
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise PlatformUnreachable(f"Web API did not answer ({type(exc).__name__})") from None

    async def start(self) -> None:
        await self.initialize()
        if self._settings.slack_app_token is None:
            log.info("slack listening on POST /slack/events")
            return
        from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler

        self._socket = AsyncSocketModeHandler(self.app, self._settings.slack_app_token.get_secret_value())
        try:
            await self._socket.connect_async()
        except SlackApiError as exc:
            hint = "it starts with xapp- and needs the connections:write scope"
            error = exc.response.get("error")
            raise StartupError(f"SLACK_APP_TOKEN: Slack refused the app-level token ({error}); {hint}") from None
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise PlatformUnreachable(f"Socket Mode did not connect ({type(exc).__name__})") from None
        log.info("slack connected over Socket Mode")

    async def stop(self) -> None:
        """Stop receiving, let replies already under way finish, then close the HTTP session."""
        if self._socket is not None:
            await self._socket.close_async()
        if self._pending:
            await asyncio.wait(self._pending, timeout=10)
        await self._http.close()

    def _later(self, work: Coroutine[Any, Any, None]) -> None:
        """Run after the ack, keeping a reference so the task is neither collected nor lost on stop."""
        task = asyncio.create_task(work)
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    def router(self) -> APIRouter:
        router = APIRouter(tags=["platforms"])
        signing = self._settings.slack_signing_secret

        @router.post(
            "/slack/events",
            responses={
                400: {"description": "signed, but not a Slack payload"},
                401: {"description": "unsigned, forged or stale"},
                404: {"description": "Socket Mode: HTTP events are not enabled"},
                413: {"description": "body over 4 MiB"},
            },
        )
        async def slack_events(request: Request) -> Response:
            """Events, slash commands and interactivity: one request URL, signature checked on the raw bytes."""
            if signing is None:
                return JSONResponse({"detail": "Slack HTTP mode is not enabled (Socket Mode is)"}, status_code=404)
            body = await request.body()  # bounded by the HTTP guard's limit
            headers = request.headers
            unsigned = signature_problem(
                signing.get_secret_value(),
                body,
                headers.get("x-slack-request-timestamp"),
                headers.get("x-slack-signature"),
            )
            if unsigned:
                log.warning("slack request refused: %s", unsigned)
                return JSONResponse({"detail": "invalid or missing Slack signature"}, status_code=401)
            parsed = bolt_request(body, request.query_params, headers)
            if isinstance(parsed, str):
                log.warning("signed slack request refused: %s", parsed)
                return JSONResponse({"detail": parsed}, status_code=400)
            try:
                return to_starlette_response(await self.app.async_dispatch(parsed))
            except (KeyError, TypeError, AttributeError, ValueError, IndexError) as exc:  # Bolt reading odd shapes
                log.warning("signed slack request refused: not a Slack payload (%s)", type(exc).__name__)
                return JSONResponse({"detail": "body is not a Slack payload"}, status_code=400)

        return router

    # -- listeners ----------------------------------------------------------------------------

    def _register(self) -> None:
        app = self.app
        app.action(ANSWER_ACTIONS)(_tolerant(self._on_answer))
        app.action(OPEN_TEXT)(_tolerant(self._on_open_text))
        app.action(HOME_LANGUAGE)(_tolerant(self._on_home_language))
        app.action(HOME_OPT)(_tolerant(self._on_home_opt))
        for command in SLASH_COMMANDS:
            app.command(command)(_tolerant(self._on_suggest))
        app.view(SUGGEST_MODAL)(_tolerant(self._on_suggest_modal))
        app.view(ANSWER_MODAL)(_tolerant(self._on_answer_modal))
        app.event("message")(_tolerant(self._on_message))
        app.event("app_home_opened")(_tolerant(self._on_home_opened))

    async def _handle(self, event: InboundEvent, ack: AsyncAck) -> None:
        """Commit through the handlers, acknowledge Slack, then (after the response) note and follow up."""
        sender = event.sender

        async def tell(note: str) -> None:
            if isinstance(event, ButtonPressed):  # a note on a press is for the presser only
                await self.channel.whisper(sender.chat_id, sender.user_id, note)
            else:
                await self.channel.send_text(sender.chat_id, note)

        async def acknowledge(_: Ack) -> None:
            await ack()

        await self._boundary.receive(event, acknowledge=acknowledge, tell=tell, after=self._later)

    async def _on_answer(self, ack: AsyncAck, body: dict[str, Any], action: dict[str, Any]) -> None:
        await self._handle(inbound.press(body, action["value"]), ack)

    async def _on_open_text(self, ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        """The free-text follow-up in a modal; the trigger_id is only good for 3 seconds, so open first."""
        chat = (body.get("container") or {}).get("channel_id") or body["user"]["id"]
        profile = await self._boundary.profile(inbound.press(body, "").sender)
        view = modal(ANSWER_MODAL, profile.language, title=notes.ANSWER_TITLE, label=notes.ANSWER_TITLE, metadata=chat)
        await ack()
        await client.views_open(trigger_id=body["trigger_id"], view=view)

    async def _on_answer_modal(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        sender, text, view_id = inbound.submitted_text(body)
        await self._handle(TextReceived(sender, text, event_id=f"view:{view_id}"), ack)

    async def _on_suggest(self, ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        event = inbound.slash_command(body)
        if event.args:
            result = await self._boundary(event)
            await (ack(text=result.note) if result.note else ack())  # ephemeral: only the author sees it
            return
        profile = await self._boundary.profile(event.sender)
        view = modal(SUGGEST_MODAL, profile.language, title=notes.SUGGEST_TITLE, label=notes.SUGGEST_LABEL)
        await ack()
        await client.views_open(trigger_id=body["trigger_id"], view=view)

    async def _on_suggest_modal(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        sender, text, view_id = inbound.submitted_text(body)
        result = await self._boundary(
            CommandReceived(sender, "suggest", text.strip() or " ", event_id=f"view:{view_id}")
        )
        profile = await self._boundary.profile(sender)
        await ack(response_action="update", view=confirmation(profile.language, result.note or ""))

    async def _on_message(self, ack: AsyncAck, body: dict[str, Any], event: dict[str, Any]) -> None:
        text_event = inbound.direct_message(event, body.get("event_id"))
        if text_event is None:
            await ack()
            return
        await self._handle(text_event, ack)

    async def _on_home_opened(self, ack: AsyncAck, event: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        if event.get("tab") == "home":
            self._later(self._publish_home(client, event["user"]))

    async def _on_home_language(
        self, ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], client: AsyncWebClient
    ) -> None:
        event = inbound.press(body, action["selected_option"]["value"])
        await self._boundary(event)
        await ack()
        self._later(self._publish_home(client, event.sender.user_id))

    async def _on_home_opt(
        self, ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], client: AsyncWebClient
    ) -> None:
        user = body["user"]["id"]
        sender = Sender(inbound.PLATFORM, user, user, None)
        await self._boundary(
            CommandReceived(sender, action["value"], "", event_id=f"home:{user}:{action['action_ts']}")
        )
        await ack()
        self._later(self._publish_home(client, user))

    async def _publish_home(self, client: AsyncWebClient, user_id: str) -> None:
        profile = await self._boundary.profile(Sender(inbound.PLATFORM, user_id, user_id, None))
        await client.views_publish(user_id=user_id, view=home(profile.language, opted_out=profile.opted_out))
