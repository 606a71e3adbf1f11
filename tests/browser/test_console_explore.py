"""The console's part 2 as people use it, in a real browser against `sayso run`: drill down from
an Overview figure to its responses, filter (in the URL, with the back button), open one, download
exactly the filtered rows (compared with `sayso export`), claim and resolve an alert, respond to a
theme; each page for each role, in English and Urdu."""

from __future__ import annotations

import csv
import io
import re
import sqlite3
from typing import Any

import pytest
from playwright.async_api import expect

from tests.browser.conftest import Console, _sayso, screenshot
from tests.browser.test_console_pages import _set_password

pytestmark = pytest.mark.asyncio(loop_scope="session")


def _raise_alerts(console: Console, count: int) -> list[int]:
    """Open alerts on the newest CSAT 1 responses, as a low score does when alerts go to a chat
    (this `sayso run` has no chat platform)."""
    with sqlite3.connect(console.folder / "sayso.db") as db:
        db.execute(
            "INSERT OR IGNORE INTO alerts (request_id, reasons, state, created_at)"
            " SELECT sr.id, 'csat 1', 'open', sr.sent_at FROM survey_requests sr JOIN answers a ON a.request_id = sr.id"
            " WHERE a.question_id = 'overall' AND a.value_int = 1 ORDER BY sr.id DESC LIMIT ?",
            (count,),
        )
        return [row[0] for row in db.execute("SELECT id FROM alerts WHERE state = 'open' ORDER BY id DESC")]


async def test_from_a_figure_to_its_responses_filtered_and_downloaded(page: Any, console: Console) -> None:
    await _set_password(page, console.invite("drill@example.com", "manager"))
    week = await page.get_by_label("Week", exact=True).input_value()
    comments = page.get_by_role("link", name="See these responses with their comments")
    assert await comments.get_attribute("href") == f"/console/responses?from={week}&to={week}&comment=yes"
    await page.locator('[data-figure="csat"] h3 a').click()
    await page.wait_for_url(re.compile(rf"/console/responses\?from={week}&to={week}&survey=csat"))
    assert await page.get_by_role("heading", name="Responses", level=1).is_visible()
    await expect(page.get_by_label("Survey", exact=True)).to_have_value("csat")
    await page.get_by_label("Score at most").fill("2")
    await page.get_by_role("button", name="Filter").click()
    await page.wait_for_url(re.compile(r"score_max=2"))
    scores = await page.locator("table.responses tbody tr td:nth-child(3)").all_inner_texts()
    assert scores and all(int(s) <= 2 for s in scores)
    await screenshot(page, "console-responses-en.png")
    filtered = page.url
    await page.go_back()  # the filter lives in the URL: back is the page before it, forward the filtered one
    await expect(page).not_to_have_url(re.compile(r"score_max"))
    before = await page.locator("table.responses tbody tr td:nth-child(3)").all_inner_texts()
    assert any(int(s) > 2 for s in before if s.isdigit())
    await page.go_forward()
    await expect(page).to_have_url(filtered)

    ids = [int(href.rsplit("/", 1)[1]) for href in await _response_links(page)]
    link = page.get_by_role("link", name="Download CSV")
    fetched = await page.request.get(await link.get_attribute("href"))  # the page's own session
    assert fetched.status == 200 and fetched.headers["content-type"].startswith("text/csv")
    assert fetched.headers["content-disposition"].startswith("attachment;")
    rows = list(csv.DictReader(io.StringIO(await fetched.text())))
    exported = _sayso("export", "--what", "answers", "--format", "csv", env=console.env, cwd=console.folder)
    everything = list(csv.DictReader(io.StringIO(exported)))
    assert {int(row["request_id"]) for row in rows} == set(ids)  # exactly the filtered responses
    assert rows == [row for row in everything if int(row["request_id"]) in set(ids)]  # the export's rows, as is
    assert list(rows[0]) == list(everything[0])

    await page.locator("table.responses tbody tr a").first.click()
    assert await page.get_by_role("heading", name=re.compile(r"^Response \d+$")).is_visible()
    assert await page.get_by_role("table").is_visible()


async def _response_links(page: Any) -> list[str]:
    links: list[str] = []
    while True:
        links += [await a.get_attribute("href") for a in await page.locator("table.responses tbody a").all()]
        older = page.get_by_role("link", name="Older")
        if not await older.count():
            return links
        await older.click()


async def test_a_manager_claims_and_resolves_an_alert_and_a_viewer_cannot(
    page: Any, console: Console, browser: Any
) -> None:
    first, *_ = _raise_alerts(console, 3)
    await _set_password(page, console.invite("alerts@example.com", "manager"))
    await page.get_by_role("link", name="Alerts").click()
    card = page.locator(f'[data-alert="{first}"]')
    await expect(card).to_be_visible()
    await screenshot(page, "console-alerts-en.png")
    await card.get_by_role("button", name="Claim").click()
    await expect(page.get_by_role("status")).to_have_text(f"Done: alert #{first} is claimed.")
    claimed = page.locator(f'[data-alert="{first}"]')
    await expect(claimed).to_contain_text("Claimed by alerts.")
    await claimed.get_by_label("Note").fill("Rang the customer, refunded")
    await claimed.get_by_role("button", name="Resolve").click()
    await expect(page.get_by_role("status")).to_have_text(f"Done: alert #{first} is resolved.")
    await expect(page.locator(f'[data-alert="{first}"]')).to_contain_text("Resolved by alerts: Rang the customer")

    other = await browser.new_context(base_url=console.url)
    viewer = await other.new_page()
    await _set_password(viewer, console.invite("alert-viewer@example.com", "viewer"))
    await viewer.get_by_role("link", name="Alerts").click()
    assert await viewer.get_by_role("button", name="Claim").count() == 0
    csrf = await viewer.locator('input[name="csrf"]').first.get_attribute("value")
    refused = await viewer.request.post(f"/console/alerts/{first}/claim", form={"csrf": csrf})
    assert refused.status == 403
    await other.close()


async def test_a_manager_responds_to_a_theme(page: Any, console: Console) -> None:
    await _set_password(page, console.invite("themes@example.com", "manager"))
    await page.get_by_role("link", name="Suggestions").click()
    theme = page.locator("article.theme").first
    await expect(theme).to_be_visible()
    await screenshot(page, "console-suggestions-en.png")
    await theme.get_by_label("What was done about it").fill("Two more agents at peak hours")
    await theme.get_by_role("button", name="Respond").click()
    await expect(page.get_by_role("status")).to_contain_text("Recorded.")


PAGES = ("/console/", "/console/responses", "/console/alerts", "/console/suggestions", "/console/responses.csv")
ALLOWED = {
    "owner": {path: 200 for path in PAGES},
    "manager": {path: 200 for path in PAGES},
    "viewer": {**{path: 200 for path in PAGES}, "/console/responses.csv": 403},
    "agent": {**{path: 200 for path in PAGES}, "/console/suggestions": 403, "/console/responses.csv": 403},
}
HEADINGS = {
    "en": {"/console/responses": "Responses", "/console/alerts": "Alerts", "/console/suggestions": "Suggestions"},
    "ur": {"/console/responses": "جوابات", "/console/alerts": "الرٹس", "/console/suggestions": "تجاویز"},
}


@pytest.mark.parametrize("language", ["en", "ur"])
@pytest.mark.parametrize("role", ["owner", "manager", "viewer", "agent"])
async def test_each_page_for_each_role_in_english_and_urdu(
    browser: Any, console: Console, role: str, language: str
) -> None:
    _raise_alerts(console, 2)
    context = await browser.new_context(base_url=console.url, locale="en-US")
    page = await context.new_page()
    extra = ("--agent", "Ann") if role == "agent" else ()
    await _set_password(page, console.invite(f"{role}-{language}@example.com", role, *extra))
    if language == "ur":
        await page.get_by_label("Language").select_option("ur")
        await page.get_by_role("button", name="Change").click()
        await expect(page.locator("html")).to_have_attribute("dir", "rtl")
    for path, status in ALLOWED[role].items():
        if path.endswith(".csv"):
            assert (await page.request.get(path)).status == status, (role, path)
            continue
        response = await page.goto(path)
        assert response.status == status, (role, path)
        if status == 200 and path in HEADINGS[language]:
            assert await page.get_by_role("heading", name=HEADINGS[language][path], level=1).is_visible()
            assert await page.locator("html").get_attribute("lang") == language
    if role == "agent":
        await page.goto("/console/responses")
        agents = set(await page.locator("table.responses tbody tr td:nth-child(6)").all_inner_texts())
        assert agents <= {"Ann"}, agents  # only her own
        links = page.get_by_role("link", name={"en": "Download CSV", "ur": "CSV ڈاؤن لوڈ کریں"}[language])
        assert await links.count() == 0
    if language == "ur" and role == "manager":
        await page.goto("/console/alerts")
        assert await page.get_by_role("button", name="میں دیکھتا ہوں").count()  # Claim, in Urdu
        await screenshot(page, "console-responses-ur.png")
    await context.close()
