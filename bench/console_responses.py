"""Benchmark: the console's Responses page, its per-agent figures and its CSV against the plain SQL
each needs, in the same run, with a million answers on SQLite and on PostgreSQL.

Fills a fresh database with `sayso demo-data` (12 weeks), runs ANALYZE, signs an owner in, then
times, alternating with its baseline, `--repeats` times each:

- the Responses page for last week, without filters and with two (an agent and CSAT ≤ 2), through
  the real app over ASGI (session, filter parsing, the keyset page, its answers, the drop-downs'
  values, the figures' per-week cells and the small-group rules, the template), against the same
  five kinds of statement as hand-written SQL text on the bare connection;
- the per-agent figures (`filtered_figures`) against their one GROUP BY in plain SQL;
- the CSV of all twelve weeks (every answer) streamed through the app, against streaming the same
  rows with plain SQL on a server-side cursor; the process's resident memory before the first
  download, after it and after a second one (flat: nothing grows with the rows).

    .venv/bin/python -m bench.console_responses [--answers 1000000] [--backends sqlite,postgresql]
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import bindparam, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import Row, print_table, rss_mib, scale_arguments
from bench.console_overview import signed_in_owner
from bench.digest_scale import database, demo_data
from bot.http import create_app
from handlers.core.weeks import shift, week_bounds, week_of
from handlers.explore.figures import filtered_figures
from handlers.explore.responses import ResponseFilter
from storage.models import SurveyRequest

SENT = SurveyRequest.__table__.c.sent_at.type  # type: ignore[attr-defined]
FROM = """FROM survey_requests sr JOIN interactions i ON i.id = sr.interaction_id
JOIN respondents r ON r.id = sr.respondent_id"""
PERIOD = "sr.sent_at >= :start AND sr.sent_at < :end AND sr.demo = false"
FILTERED = """ AND i.agent = 'Ann' AND EXISTS (SELECT 1 FROM answers x WHERE x.request_id = sr.id
AND x.question_id = 'overall' AND x.value_int <= 2)"""


def _sql(statement: str) -> Any:
    return text(statement).bindparams(bindparam("start", type_=SENT), bindparam("end", type_=SENT))


def plain_page(extra: str) -> list[Any]:
    """The statements the Responses page needs, as a person would write them."""
    choices = [
        f"SELECT {column} {FROM} WHERE sr.sent_at >= :start AND sr.sent_at < :end AND {column} IS NOT NULL"
        f" GROUP BY {column} ORDER BY {column}"
        for column in ("sr.survey", "i.agent", "i.touchpoint", "r.platform", "sr.language")
    ]
    return [
        _sql(
            f"SELECT sr.id, sr.survey, sr.sent_at, sr.language, r.platform, i.touchpoint, i.agent, sr.state, a.id,"
            f" a.state {FROM} LEFT JOIN alerts a ON a.request_id = sr.id WHERE {PERIOD}{extra}"
            " ORDER BY sr.id DESC LIMIT 51"
        ),
        *[_sql(choice) for choice in choices],
        _sql(CELLS),
    ]


CELLS = f"""SELECT i.agent, i.touchpoint, r.platform, sr.language, count(a.value_int), sum(a.value_int),
sum(a.value_int * a.value_int), sum(CASE WHEN a.value_int >= 4 THEN 1 ELSE 0 END),
sum(CASE WHEN a.value_int <= 2 THEN 1 ELSE 0 END)
{FROM} JOIN answers a ON a.request_id = sr.id
WHERE {PERIOD} AND sr.survey = 'csat' AND a.question_id = 'overall' AND a.value_int IS NOT NULL
GROUP BY i.agent, i.touchpoint, r.platform, sr.language"""
ANSWERS = """SELECT request_id, question_id, value_int, value_text, text_language, sentiment, sentiment_status,
sentiment_method FROM answers WHERE request_id IN ({ids}) ORDER BY id"""
EXPORT = f"""SELECT a.id, a.request_id, sr.survey, a.question_id, a.value_int, a.value_text, a.text_language,
a.sentiment, a.sentiment_status, a.answered_at, sr.language, r.platform, i.touchpoint, i.agent, i.external_id
FROM answers a JOIN survey_requests sr ON sr.id = a.request_id JOIN interactions i ON i.id = sr.interaction_id
JOIN respondents r ON r.id = sr.respondent_id WHERE {PERIOD} ORDER BY a.id"""


async def _timed(repeats: int, one: Callable[[], Awaitable[Any]], other: Callable[[], Awaitable[Any]]) -> tuple:
    await one(), await other()
    mine, theirs = [], []
    for _ in range(repeats):
        began = time.perf_counter()
        await one()
        mine.append(time.perf_counter() - began)
        began = time.perf_counter()
        await other()
        theirs.append(time.perf_counter() - began)
    return statistics.median(mine), statistics.median(theirs)


async def measure(url: str, repeats: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    async with signed_in_owner(url) as (services, cookie):
        zone = services.config.settings.timezone
        week = shift(week_of(services.context.clock(), zone), -1, zone)
        first = shift(week, -11, zone)
        start, end = week_bounds(week, zone)
        everything = (week_bounds(first, zone)[0], end)
        async with services.context.reads() as session:
            out["rows"] = (await session.execute(text("SELECT count(*) FROM answers"))).scalar_one()
        app = create_app(services)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as http:
            http.cookies.set("sayso_session", cookie, path="/console")
            for name, params, extra in (
                ("unfiltered", {"from": week, "to": week}, ""),
                ("agent and CSAT ≤ 2", {"from": week, "to": week, "agent": "Ann", "score_max": "2"}, FILTERED),
            ):

                async def page(params: dict[str, str] = params) -> None:
                    response = await http.get("/console/responses", params=params)
                    assert response.status_code == 200 and "<table" in response.text

                async def plain(extra: str = extra) -> None:
                    async with services.context.reads() as session:
                        statements = plain_page(extra)
                        found = (await session.execute(statements[0], {"start": start, "end": end})).all()
                        ids = ",".join(str(row[0]) for row in found[:50]) or "0"
                        await session.execute(text(ANSWERS.format(ids=ids)))
                        for statement in statements[1:]:
                            (await session.execute(statement, {"start": start, "end": end})).all()

                out[name] = await _timed(repeats, page, plain)

            chosen = ResponseFilter((week_bounds(week, zone),))

            async def figures() -> None:
                await filtered_figures(services.context, chosen, min_size=5)

            async def plain_cells() -> None:
                async with services.context.reads() as session:
                    (await session.execute(_sql(CELLS), {"start": start, "end": end})).all()

            out["figures"] = await _timed(repeats, figures, plain_cells)

            async def download() -> int:
                """Straight through the ASGI app, dropping each chunk as a socket would send it
                (httpx's ASGI transport keeps the whole body, which would be the client's memory)."""
                size, status = 0, 0
                query = f"from={first}&to={week}".encode()
                header = f"sayso_session={cookie}".encode()
                scope = {
                    "type": "http",
                    "asgi": {"version": "3.0"},
                    "http_version": "1.1",
                    "method": "GET",
                    "scheme": "http",
                    "path": "/console/responses.csv",
                    "raw_path": b"/console/responses.csv",
                    "query_string": query,
                    "headers": [(b"host", b"bench"), (b"cookie", header)],
                    "client": ("127.0.0.1", 1),
                    "server": ("bench", 80),
                }

                requested = False

                async def receive() -> dict[str, Any]:
                    nonlocal requested
                    if not requested:
                        requested = True
                        return {"type": "http.request", "body": b"", "more_body": False}
                    await asyncio.Event().wait()  # the client stays connected until the body is sent
                    return {"type": "http.disconnect"}

                async def send(message: dict[str, Any]) -> None:
                    nonlocal size, status
                    if message["type"] == "http.response.start":
                        status = message["status"]
                    elif message["type"] == "http.response.body":
                        size += len(message.get("body", b""))

                await app(scope, receive, send)
                assert status == 200 and size > 0
                return size

            async def plain_stream() -> int:
                count = 0
                async with services.context.reads() as session:
                    result = await session.stream(
                        _sql(EXPORT).execution_options(yield_per=2000), {"start": everything[0], "end": everything[1]}
                    )
                    async for _ in result:
                        count += 1
                return count

            before = rss_mib()
            await download()
            once = rss_mib()
            await download()
            out["rss"] = (before, once, rss_mib())
            out["csv"] = await _timed(max(1, repeats // 5), download, plain_stream)
    return out


async def rows(answers: int, backends: list[str], repeats: int) -> list[Row]:
    table = []
    with tempfile.TemporaryDirectory() as folder:
        for backend in backends:
            url = database(backend, Path(folder))
            demo_data(url, answers)
            result = await measure(url, repeats)
            name = f"{'PostgreSQL' if backend == 'postgresql' else 'SQLite'}, {result['rows']:,} answers"
            for figure in ("unfiltered", "agent and CSAT ≤ 2"):
                mine, theirs = result[figure]
                table.append(
                    Row(
                        f"Responses page, {figure}, {name}",
                        f"{mine * 1000:.0f} ms",
                        f"{theirs * 1000:.0f} ms plain SQL",
                        mine / theirs,
                        "≤ 1.5×",
                    )
                )
            mine, theirs = result["figures"]
            table.append(
                Row(
                    f"per-group figures, {name}",
                    f"{mine * 1000:.0f} ms",
                    f"{theirs * 1000:.0f} ms",
                    mine / theirs,
                    "≤ 1.5×",
                )
            )
            mine, theirs = result["csv"]
            before, once, twice = result["rss"]
            table += [
                Row(
                    f"CSV of 12 weeks, {name}",
                    f"{mine:.1f} s",
                    f"{theirs:.1f} s plain SQL stream",
                    mine / theirs,
                    "≤ 1.5×",
                ),
                Row(f"CSV memory, {name}", f"RSS {before:.0f} → {once:.0f} → {twice:.0f} MB", "", None, "flat"),
            ]
    return table


def main() -> None:
    args = scale_arguments(__doc__, repeats=10)
    print_table(
        "The console's Responses against plain SQL",
        asyncio.run(rows(args.answers, args.backends, args.repeats)),
    )


if __name__ == "__main__":
    main()
