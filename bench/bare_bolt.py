"""The ack baseline: a bare Bolt AsyncApp on the same uvicorn and FastAPI that stores each button
press with one aiosqlite INSERT before it acks, as Sayso commits an answer before its ack.

    python -m bench.bare_bolt PORT DATABASE_FILE SLACK_API_BASE_URL
"""

from __future__ import annotations

import re
import sys
from typing import Any

import aiosqlite
import uvicorn
from fastapi import FastAPI, Request
from slack_bolt.adapter.fastapi.async_handler import AsyncSlackRequestHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from tests.fakes.slack_api import BOT_TOKEN, SIGNING_SECRET


def build(database: str, api: str) -> FastAPI:
    bolt = AsyncApp(signing_secret=SIGNING_SECRET, client=AsyncWebClient(token=BOT_TOKEN, base_url=api))
    connection: list[aiosqlite.Connection] = []

    @bolt.action(re.compile(".*"))
    async def press(ack: Any, body: dict[str, Any]) -> None:
        action = body["actions"][0]
        await connection[0].execute(
            "INSERT INTO presses (user_id, value) VALUES (?, ?)", (body["user"]["id"], action["value"])
        )
        await connection[0].commit()
        await ack()

    handler = AsyncSlackRequestHandler(bolt)
    app = FastAPI()

    @app.on_event("startup")
    async def open_database() -> None:
        db = await aiosqlite.connect(database)
        await db.execute("PRAGMA journal_mode=WAL")
        await db.execute("CREATE TABLE IF NOT EXISTS presses (id INTEGER PRIMARY KEY, user_id TEXT, value TEXT)")
        connection.append(db)

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/slack/events")
    async def events(request: Request) -> Any:
        return await handler.handle(request)

    return app


if __name__ == "__main__":
    port, database, api = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    uvicorn.run(build(database, api), host="127.0.0.1", port=port, log_level="warning")
