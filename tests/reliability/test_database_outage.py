"""PostgreSQL behind a proxy that refuses, then swallows, all traffic: Sayso answers every request
within a few seconds with a clear 503 or "try again", and recovers on its own when the database does."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest
from sqlalchemy.engine import make_url

from tests.fakes.process import running_sayso
from tests.fakes.tcp_proxy import FaultyProxy

TOKEN = "outage-token-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


async def _timed(http: httpx.AsyncClient, method: str, path: str, **kw: object) -> tuple[int, float]:
    started = time.monotonic()
    try:
        response = await http.request(method, path, **kw)  # type: ignore[arg-type]
        return response.status_code, time.monotonic() - started
    except httpx.TimeoutException:
        return 0, time.monotonic() - started


@pytest.mark.timeout(300)  # real processes; bounded by the test itself
async def test_refused_and_black_holed_database_get_quick_503s(tmp_path, pg_url, no_quiet_hours):
    url = make_url(pg_url)
    proxy = await FaultyProxy(url.host or "127.0.0.1", url.port or 5432).start()
    through_proxy = url.set(port=proxy.port).render_as_string(hide_password=False)
    env = {"DATABASE_URL": through_proxy, "SAYSO_API_TOKEN": TOKEN, "SAYSO_CONFIG": no_quiet_hours}
    figures: dict[str, list[tuple[int, float]]] = {}
    try:
        async with running_sayso(env, tmp_path) as sayso, httpx.AsyncClient(base_url=sayso.url, timeout=20) as http:
            body = {"interaction_id": "o-0", "platform": "console", "user_id": "U0"}
            assert (await http.post("/api/v1/interactions", json=body, headers=AUTH)).status_code == 202
            for mode in ("refuse", "blackhole"):
                proxy.set(mode)
                rows = figures[mode] = []
                for i in range(5):
                    rows.append(await _timed(http, "GET", "/healthz"))
                    body = {"interaction_id": f"o-{mode}-{i}", "platform": "console", "user_id": f"U{i}"}
                    rows.append(await _timed(http, "POST", "/api/v1/interactions", json=body, headers=AUTH))
            proxy.set("pass")
            started = time.monotonic()
            while (await _timed(http, "GET", "/healthz"))[0] != 200 and time.monotonic() - started < 30:
                await asyncio.sleep(0.2)
            recovered = time.monotonic() - started
            after = await http.post("/api/v1/interactions", json={**body, "interaction_id": "o-after"}, headers=AUTH)
    finally:
        await proxy.stop()
    for mode, rows in figures.items():
        codes = sorted({code for code, _ in rows})
        print(f"\n{mode}: status codes {codes}, slowest answer {max(t for _, t in rows):.2f} s")
    print(f"healthy again {recovered:.1f} s after the database came back; a report then: {after.status_code}")
    for rows in figures.values():
        assert {code for code, _ in rows} == {503}
        assert max(t for _, t in rows) < 3.5
    health = [t for mode in figures for code, t in figures[mode][::2]]
    assert max(health) < 1.5
    assert after.status_code == 202 and recovered < 15
