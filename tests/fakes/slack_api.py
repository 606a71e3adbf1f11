"""A small Slack Web API on 127.0.0.1:<random port> for the real slack-sdk client, plus helpers
that send Slack's own payloads to /slack/events, signed as Slack signs them."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import json
import time
import urllib.parse
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.fakes.calls import Call, CallLog

BOT_TOKEN = "xoxb-test-token"
APP_TOKEN = "xapp-test-token"
SIGNING_SECRET = "test-signing-secret"
TEAM = "T0TEST"


@dataclass
class Scripted:
    method: str
    error: str | None = None  # answered {"ok": false, "error": …}
    status: int = 200
    retry_after: int | None = None


@dataclass
class FakeSlack(CallLog):
    scripted: list[Scripted] = field(default_factory=list)
    inactive: set[str] = field(default_factory=set)  # users whose account is deactivated
    messages: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    uploads: dict[str, bytes] = field(default_factory=dict)  # file id → bytes uploaded
    envelopes: asyncio.Queue[dict[str, Any]] = field(default_factory=asyncio.Queue)  # to push over Socket Mode
    socket_acks: list[dict[str, Any]] = field(default_factory=list)
    _ts: itertools.count = field(default_factory=lambda: itertools.count(1))
    base_url: str = ""
    _runner: web.AppRunner | None = None

    async def start(self, port: int = 0) -> FakeSlack:
        app = web.Application()
        app.router.add_post("/api/{method}", self._handle)
        app.router.add_get("/_count/{method}", self._count)
        app.router.add_post("/upload/{file_id}", self._upload)
        app.router.add_get("/socket", self._socket)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port)
        await site.start()
        self.base_url = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}/api/"  # type: ignore[union-attr]
        return self

    async def stop(self) -> None:
        if self._runner:
            await self._runner.cleanup()

    def fail_next(self, method: str, error: str | None = None, *, status: int = 200, retry_after: int | None = None):
        self.scripted.append(Scripted(method, error, status, retry_after))

    def sent(self, method: str, channel: str | None = None, *, chat_key: str = "channel") -> list[Call]:
        return super().sent(method, channel, chat_key=chat_key)

    async def wait_for(self, method: str, count: int, *, channel: str | None = None, timeout: float = 10) -> list[Call]:
        return await self.wait_until(method, count, channel, chat_key="channel", timeout=timeout)

    async def _params(self, request: web.Request) -> dict[str, Any]:
        """slack-sdk sends JSON bodies, form bodies, or query parameters, depending on the method."""
        if request.content_type == "application/json":
            return {**request.query, **await request.json()}
        form = await request.post()
        params = {**request.query, **{key: value for key, value in form.items() if isinstance(value, str)}}
        for key in ("blocks", "view", "files"):
            if isinstance(params.get(key), str):
                params[key] = json.loads(params[key])
        return params

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if method == "apps.connections.open" and request.headers.get("Authorization") == f"Bearer {APP_TOKEN}":
            self.record(method, {})
            return web.json_response(
                {"ok": True, "url": self.base_url.replace("http", "ws").replace("/api/", "/socket")}
            )
        if request.headers.get("Authorization") != f"Bearer {BOT_TOKEN}":
            return web.json_response({"ok": False, "error": "invalid_auth"})
        params = await self._params(request)
        call = self.record(method, params)
        script = next((s for s in self.scripted if s.method == method), None)
        if script is not None:
            self.scripted.remove(script)
            call.status = script.status
            headers = {"Retry-After": str(script.retry_after)} if script.retry_after is not None else {}
            call.failed = True
            return web.json_response(
                {"ok": False, "error": script.error or "ratelimited"}, status=script.status, headers=headers
            )
        handler = getattr(self, "_" + method.replace(".", "_"), None)
        body = await handler(params) if handler else {}
        if "error" in body:
            call.failed = True
            return web.json_response({"ok": False, **body})
        return web.json_response({"ok": True, **body})

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        """Socket Mode: say hello, then deliver queued envelopes and collect the app's acks."""
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        await socket.send_json({"type": "hello", "num_connections": 1, "debug_info": {"host": "fake"}})

        async def deliver() -> None:
            while True:
                await socket.send_json(await self.envelopes.get())

        sender = asyncio.create_task(deliver())
        try:
            async for message in socket:
                if message.type == web.WSMsgType.TEXT:
                    self.socket_acks.append(json.loads(message.data))
        finally:
            sender.cancel()
        return socket

    async def _count(self, request: web.Request) -> web.Response:
        """How many calls of a method were made (or to how many channels): for a fake in another process."""
        calls = self.sent(request.match_info["method"])
        if request.query.get("distinct") == "1":
            return web.json_response({"count": len({call.params.get("channel") for call in calls})})
        return web.json_response({"count": len(calls)})

    async def _upload(self, request: web.Request) -> web.Response:
        self.uploads[request.match_info["file_id"]] = await request.read()
        return web.Response(text="OK")

    async def _auth_test(self, _: dict[str, Any]) -> dict[str, Any]:
        return {
            "url": "https://sayso-test.slack.com/",
            "team": "Sayso Test",
            "user": "sayso",
            "team_id": TEAM,
            "user_id": "UBOT",
            "bot_id": "BBOT",
        }

    async def _conversations_open(self, params: dict[str, Any]) -> dict[str, Any]:
        user = params["users"]
        if user in self.inactive:
            return {"error": "account_inactive"}
        return {"channel": {"id": "D" + user.lstrip("U")}}

    def _post(self, params: dict[str, Any]) -> dict[str, Any]:
        ts = f"1700000000.{next(self._ts):06d}"
        message = {"ts": ts, "text": params.get("text"), "blocks": params.get("blocks", [])}
        self.messages[(params["channel"], ts)] = message
        return {"channel": params["channel"], "ts": ts, "message": message}

    async def _chat_postMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        if params["channel"].lstrip("D") in {u.lstrip("U") for u in self.inactive}:
            return {"error": "account_inactive"}
        if not _valid_blocks(params.get("blocks", [])):
            return {"error": "invalid_blocks"}
        return self._post(params)

    async def _chat_update(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self.messages.setdefault((params["channel"], params["ts"]), {"ts": params["ts"]})
        message.update(text=params.get("text"), blocks=params.get("blocks", []))
        return {"channel": params["channel"], "ts": params["ts"]}

    async def _chat_postEphemeral(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"message_ts": f"1700000001.{next(self._ts):06d}"}

    async def _views_open(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"view": {"id": f"V{next(self._ts)}", **params["view"]}}

    async def _views_publish(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"view": {"id": f"V{next(self._ts)}", **params["view"]}}

    async def _files_getUploadURLExternal(self, params: dict[str, Any]) -> dict[str, Any]:
        file_id = f"F{next(self._ts)}"
        return {"upload_url": self.base_url.replace("/api/", f"/upload/{file_id}"), "file_id": file_id}

    async def _files_completeUploadExternal(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"files": [{"id": f["id"], "title": f.get("title")} for f in params["files"]]}


def sign(body: bytes, *, secret: str = SIGNING_SECRET, timestamp: int | None = None) -> dict[str, str]:
    """Headers exactly as Slack signs a request (v0 HMAC-SHA256 over `v0:timestamp:body`)."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), f"v0:{stamp}:".encode() + body, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": f"v0={digest}"}


def form(payload: dict[str, Any]) -> bytes:
    return urllib.parse.urlencode({"payload": json.dumps(payload)}).encode()


_action_ts = itertools.count(1)


def block_actions(user: str, channel: str, message_ts: str, action: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "block_actions",
        "team": {"id": TEAM, "domain": "sayso-test"},
        "user": {"id": user, "username": "someone", "team_id": TEAM},
        "api_app_id": "A0TEST",
        "token": "legacy",
        "trigger_id": f"trigger-{next(_action_ts)}",
        "container": {"type": "message", "message_ts": message_ts, "channel_id": channel, "is_ephemeral": False},
        "channel": {"id": channel, "name": "directmessage"},
        "actions": [{**action, "block_id": "b1", "action_ts": f"1700000100.{next(_action_ts):06d}"}],
    }


def dm_event(user: str, channel: str, text: str, event_id: str) -> dict[str, Any]:
    return {
        "token": "legacy",
        "team_id": TEAM,
        "api_app_id": "A0TEST",
        "type": "event_callback",
        "event_id": event_id,
        "event_time": int(time.time()),
        "event": {
            "type": "message",
            "channel_type": "im",
            "user": user,
            "text": text,
            "channel": channel,
            "ts": f"1700000200.{next(_action_ts):06d}",
            "event_ts": "1700000200.000001",
        },
    }


def slash(user: str, channel: str, text: str) -> bytes:
    return urllib.parse.urlencode(
        {
            "token": "legacy",
            "team_id": TEAM,
            "team_domain": "sayso-test",
            "channel_id": channel,
            "channel_name": "directmessage",
            "user_id": user,
            "user_name": "someone",
            "command": "/suggest",
            "text": text,
            "api_app_id": "A0TEST",
            "response_url": "https://hooks.slack.invalid/commands/1",
            "trigger_id": f"trigger-{next(_action_ts)}",
        }
    ).encode()


def view_submission(user: str, callback_id: str, text: str, *, metadata: str = "") -> dict[str, Any]:
    return {
        "type": "view_submission",
        "team": {"id": TEAM, "domain": "sayso-test"},
        "user": {"id": user, "username": "someone", "team_id": TEAM},
        "api_app_id": "A0TEST",
        "token": "legacy",
        "trigger_id": f"trigger-{next(_action_ts)}",
        "view": {
            "id": f"V{next(_action_ts)}",
            "type": "modal",
            "callback_id": callback_id,
            "private_metadata": metadata,
            "state": {"values": {"text": {"value": {"type": "plain_text_input", "value": text}}}},
        },
    }


def _valid_blocks(blocks: list[dict[str, Any]]) -> bool:
    """Slack's own limits: 50 blocks, header text 150 characters, section text 3000."""
    limits = {"header": 150, "section": 3000}
    return len(blocks) <= 50 and all(
        len(block.get("text", {}).get("text", "")) <= limits.get(block["type"], 3000) for block in blocks
    )


async def _serve(port: int) -> None:
    await FakeSlack().start(port)
    await asyncio.Event().wait()


if __name__ == "__main__":  # python -m tests.fakes.slack_api PORT: the fake in a process of its own
    import sys

    asyncio.run(_serve(int(sys.argv[1])))
