"""A customer outside chat answers on the survey page, in a real browser: with JavaScript and without,
in English and in Urdu, on a phone; the page continues where they left off."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from playwright.async_api import expect

from tests.browser.conftest import API_TOKEN, Console, screenshot

pytestmark = pytest.mark.asyncio(loop_scope="session")


def _survey_url(console: Console, interaction: str, **body: object) -> str:
    response = httpx.post(
        f"{console.url}/api/v1/interactions",
        json={"interaction_id": interaction, "platform": "web", **body},
        headers={"Authorization": f"Bearer {API_TOKEN}"},
        timeout=30,
    )
    assert response.status_code == 202, response.text
    return str(response.json()["survey_url"])


async def test_a_customer_completes_the_survey_on_the_page(page: Any, console: Console) -> None:
    await page.goto(_survey_url(console, "browser-web-1"))
    assert await page.get_by_role("progressbar", name=re.compile("Question 1 of")).is_visible()
    await screenshot(page, "survey-page-en.png")
    await page.get_by_role("button", name="4 — Satisfied").click()
    await page.get_by_role("heading", name="How satisfied are you with the speed of our response?").wait_for()
    await page.go_back()  # the back button shows where the survey is now, and stores nothing twice
    await page.reload()
    assert await page.get_by_role("heading", name="How satisfied are you with the speed of our response?").is_visible()
    for step, label in enumerate(("5 — Very satisfied", "4 — Satisfied", "5 — Very satisfied"), start=2):
        await expect(page.get_by_role("progressbar")).to_have_attribute("value", str(step - 1))  # this page, loaded
        await page.get_by_role("button", name=label).click()
    await page.get_by_label("Your answer").fill("Quick and kind")
    await page.get_by_role("button", name="Send").click()
    await expect(page.get_by_role("heading", name="Thank you! Your answers help us serve you better.")).to_be_visible()


async def test_an_urdu_survey_without_javascript_on_a_phone(browser: Any, console: Console) -> None:
    context = await browser.new_context(
        java_script_enabled=False, viewport={"width": 375, "height": 740}, is_mobile=True
    )
    page = await context.new_page()
    await page.goto(_survey_url(console, "browser-web-ur", language="ur"))
    html = page.locator("html")
    assert await html.get_attribute("dir") == "rtl" and await html.get_attribute("lang") == "ur"
    await screenshot(page, "survey-page-ur.png")
    await page.get_by_role("button", name=re.compile("^\\W*2 — غیر مطمئن$")).click()
    await expect(page.get_by_role("progressbar", name=re.compile("سوال 2"))).to_be_visible()  # question 2 of …
    width = await page.locator("main").bounding_box()
    assert width is not None and width["width"] <= 375
    await page.get_by_role("link", name="English").click()  # the language switch
    await expect(page.locator("html")).to_have_attribute("dir", "ltr")
    await context.close()
