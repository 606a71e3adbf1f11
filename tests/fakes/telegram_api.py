"""A small Telegram Bot API on 127.0.0.1:<random port>, for the real PTB client to talk to.

It keeps sent messages per chat, serves queued updates to getUpdates (every queued update is
delivered, so a test can redeliver one), records every call with its decoded parameters, and
can be scripted to fail: 403 for blocked chats, 429 with retry_after, 502, or a dropped connection.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections import defaultdict
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

from aiohttp import web

from tests.fakes.calls import Call, CallLog

TOKEN = "123456:TEST-token"
BOT_USER = {"id": 999000, "is_bot": True, "first_name": "Sayso", "username": "sayso_test_bot"}
_JSON_PARAMS = {"reply_markup", "allowed_updates", "commands", "entities"}


@dataclass
class Failure:
    method: str
    status: int
    description: str
    retry_after: int | None = None
    drop: bool = False  # close the connection after reading the request: did it arrive? nobody knows


@dataclass
class FakeTelegram(CallLog):
    updates: list[dict[str, Any]] = field(default_factory=list)
    blocked: set[int] = field(default_factory=set)
    failures: list[Failure] = field(default_factory=list)
    messages: dict[tuple[int, int], dict[str, Any]] = field(default_factory=dict)
    _message_ids: defaultdict[int, itertools.count] = field(
        default_factory=lambda: defaultdict(lambda: itertools.count(1))
    )
    _update_ids: itertools.count = field(default_factory=lambda: itertools.count(1000))
    _new_update: asyncio.Event = field(default_factory=asyncio.Event)
    base_url: str = ""
    _runner: web.AppRunner | None = None

    async def start(self, port: int = 0) -> FakeTelegram:
        """Listen on `port` (default: any free one)."""
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.base_url = f"http://127.0.0.1:{port}/bot"
        return self

    async def stop(self) -> None:
        if self._runner:
            await self._runner.cleanup()

    # -- what tests do ---------------------------------------------------------------------

    def push(self, update: dict[str, Any]) -> dict[str, Any]:
        update.setdefault("update_id", next(self._update_ids))
        self.updates.append(update)
        self._new_update.set()
        return update

    def fail_next(self, method: str, status: int, description: str, **kw: Any) -> None:
        self.failures.append(Failure(method, status, description, **kw))

    def sent(self, method: str = "sendMessage", chat_id: int | None = None, *, chat_key: str = "chat_id") -> list[Call]:
        return super().sent(method, chat_id, chat_key=chat_key)

    async def wait_for(self, method: str, count: int, *, chat_id: int | None = None, timeout: float = 10) -> list[Call]:
        return await self.wait_until(method, count, chat_id, chat_key="chat_id", timeout=timeout)

    # -- the Bot API -------------------------------------------------------------------------

    async def _params(self, request: web.Request) -> dict[str, Any]:
        if request.content_type == "application/json":
            return await request.json()
        form = await request.post()
        params: dict[str, Any] = {}
        for key, value in form.items():
            if isinstance(value, web.FileField):
                params[key] = value.file.read()
            elif key in _JSON_PARAMS:
                params[key] = json.loads(value)
            else:
                params[key] = value
        return params

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != TOKEN:
            return web.json_response({"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401)
        method = request.match_info["method"]
        params = await self._params(request)
        call = self.record(method, params)
        failure = next((f for f in self.failures if f.method == method), None)
        if failure is not None:
            self.failures.remove(failure)
            call.status = failure.status
            if failure.drop:
                assert request.transport is not None
                request.transport.close()
                return web.Response()
            body: dict[str, Any] = {"ok": False, "error_code": failure.status, "description": failure.description}
            if failure.retry_after is not None:
                body["parameters"] = {"retry_after": failure.retry_after}
            return web.json_response(body, status=failure.status)
        chat_id = int(params["chat_id"]) if "chat_id" in params else None
        if chat_id in self.blocked and method in ("sendMessage", "sendPhoto", "editMessageText"):
            call.status = 403
            return web.json_response(
                {"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked by the user"}, status=403
            )
        handler = getattr(self, f"_{method}", None)
        result = await handler(params) if handler else True
        if isinstance(result, web.Response):
            call.status = result.status
            return result
        return web.json_response({"ok": True, "result": result})

    async def _getMe(self, _: dict[str, Any]) -> dict[str, Any]:
        return BOT_USER

    async def _getUpdates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        if not self.updates:
            self._new_update.clear()
            timeout = min(float(params.get("timeout", 0)), 0.5)
            try:
                await asyncio.wait_for(self._new_update.wait(), timeout)
            except TimeoutError:
                return []
        delivered, self.updates = self.updates, []
        return delivered

    def _message(self, chat_id: int, params: dict[str, Any], **extra: Any) -> dict[str, Any]:
        message_id = next(self._message_ids[chat_id])
        chat_type = "private" if chat_id > 0 else "group"
        message = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": chat_type},
            "from": BOT_USER,
            **extra,
        }
        if "reply_markup" in params:
            message["reply_markup"] = params["reply_markup"]
        self.messages[(chat_id, message_id)] = message
        return message

    async def _sendMessage(self, params: dict[str, Any]) -> dict[str, Any] | web.Response:
        text = params["text"]
        if params.get("parse_mode") == "HTML":
            text = _entities_checked(text)
            if text is None:
                return _bad_request("Bad Request: can't parse entities")
        if len(text) > 4096:
            return _bad_request("Bad Request: message is too long")
        return self._message(int(params["chat_id"]), params, text=text)

    async def _sendPhoto(self, params: dict[str, Any]) -> dict[str, Any]:
        photo = [{"file_id": "photo-1", "file_unique_id": "u1", "width": 800, "height": 600}]
        return self._message(int(params["chat_id"]), params, photo=photo, caption=params.get("caption"))

    async def _editMessageText(self, params: dict[str, Any]) -> dict[str, Any]:
        key = (int(params["chat_id"]), int(params["message_id"]))
        message = self.messages[key]
        message["text"] = params["text"]
        message.pop("reply_markup", None)
        if "reply_markup" in params:
            message["reply_markup"] = params["reply_markup"]
        return message


_user_ids = itertools.count(1)


def user(user_id: int, language_code: str | None = "en") -> dict[str, Any]:
    return {"id": user_id, "is_bot": False, "first_name": f"User{user_id}", "language_code": language_code}


def message_update(from_user: dict[str, Any], text: str, *, chat_id: int | None = None) -> dict[str, Any]:
    chat_id = chat_id if chat_id is not None else from_user["id"]
    entities = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}] if text.startswith("/") else []
    return {
        "message": {
            "message_id": 10_000 + next(_user_ids),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "group", "title": "Staff"},
            "from": from_user,
            "text": text,
            "entities": entities,
        }
    }


def callback_update(from_user: dict[str, Any], message: dict[str, Any], data: str) -> dict[str, Any]:
    return {
        "callback_query": {
            "id": f"cq-{next(_user_ids)}",
            "from": from_user,
            "chat_instance": "ci-1",
            "message": message,
            "data": data,
        }
    }


class _TelegramHTML(HTMLParser):
    """Telegram's HTML mode: a few tags, properly nested, and entities; the text as shown."""

    ALLOWED = frozenset({"b", "strong", "i", "em", "u", "s", "code", "pre", "a", "blockquote"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.text: list[str] = []
        self.valid = True

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.valid &= tag in self.ALLOWED
        self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        self.valid &= bool(self.open) and self.open.pop() == tag

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _entities_checked(markup: str) -> str | None:
    parser = _TelegramHTML()
    parser.feed(markup)
    parser.close()
    return "".join(parser.text) if parser.valid and not parser.open else None


def _bad_request(description: str) -> web.Response:
    return web.json_response({"ok": False, "error_code": 400, "description": description}, status=400)
