"""The console as a person uses it, in a real browser: set a password from the invitation, sign in,
read the week, switch to Urdu, see only what the role allows, sign out; on a phone and without JavaScript."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.async_api import expect

from tests.browser.conftest import PASSWORD, Console, screenshot

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def _set_password(page: Any, link: str) -> None:
    await page.goto(link)
    await page.get_by_label("New password").fill(PASSWORD)
    await page.get_by_role("button", name="Save and sign in").click()
    await page.wait_for_url("**/console/")


async def _sign_in(page: Any, email: str, password: str = PASSWORD) -> None:
    await page.goto("/console/sign-in")
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password").fill(password)
    await page.get_by_role("button", name="Sign in").click()


async def test_an_owner_reads_the_week_with_the_numbers_the_api_gives(page: Any, console: Console) -> None:
    await _set_password(page, console.invite("owner@example.com", "owner"))
    assert await page.get_by_role("heading", name="Overview", level=1).is_visible()
    week = await page.get_by_label("Week", exact=True).input_value()
    api = console.summary(week)
    for figure in ("csat", "nps", "ces"):
        shown = page.locator(f'[data-figure="{figure}"]')
        assert float(await shown.get_attribute("data-value")) == api[figure]["value"]
        assert await shown.is_visible()
    assert await page.locator("svg[role=img]").is_visible()
    assert await page.get_by_role("table").first.is_visible()  # breakdowns, "fewer than 5" where small
    await screenshot(page, "console-overview-en.png")
    await page.get_by_role("link", name="Previous week").click()
    await expect(page.get_by_label("Week", exact=True)).not_to_have_value(week)


async def test_the_console_in_urdu_is_right_to_left_and_remembered(page: Any, console: Console) -> None:
    await _set_password(page, console.invite("urdu-owner@example.com", "owner"))
    await page.get_by_label("Language").select_option("ur")
    await page.get_by_role("button", name="Change").click()
    html = page.locator("html")
    await expect(html).to_have_attribute("dir", "rtl")
    assert await html.get_attribute("lang") == "ur"
    assert await page.get_by_role("heading", name="جائزہ", level=1).is_visible()
    assert await page.get_by_role("link", name="کارروائی").is_visible()
    await screenshot(page, "console-overview-ur.png")
    await page.get_by_role("button", name="سائن آؤٹ").click()
    await page.wait_for_url("**/console/sign-in")
    await _sign_in(page, "urdu-owner@example.com")  # the choice belongs to the person, not the browser
    await page.wait_for_url("**/console/")
    await expect(page.locator("html")).to_have_attribute("dir", "rtl")


async def test_a_viewer_has_no_staff_page_and_the_server_refuses_it(page: Any, console: Console) -> None:
    await _set_password(page, console.invite("viewer@example.com", "viewer"))
    assert await page.get_by_role("link", name="Operations").is_visible()
    assert await page.get_by_role("link", name="Staff").count() == 0
    response = await page.goto("/console/staff")
    assert response.status == 403 and await page.get_by_role("heading", name="Not allowed").is_visible()


async def test_an_owner_invites_from_the_staff_page_and_the_link_works_once(
    page: Any, console: Console, browser: Any
) -> None:
    await _set_password(page, console.invite("boss@example.com", "owner"))
    await page.get_by_role("link", name="Staff").click()
    await page.get_by_label("Email", exact=True).fill("newcomer@example.com")
    await page.get_by_label("Role", exact=True).select_option("manager")
    await page.get_by_role("button", name="Invite", exact=True).click()
    link = await page.locator("code.link").inner_text()
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/console/invite/\S{40,}", link)
    other = await browser.new_context(base_url=console.url)
    newcomer = await other.new_page()
    await _set_password(newcomer, link)
    assert await newcomer.get_by_role("link", name="Operations").is_visible()
    again = await newcomer.goto(link)
    assert again.status == 410
    await other.close()
    await page.reload()
    assert await page.get_by_role("row", name=re.compile("newcomer@example.com")).is_visible()


async def test_a_wrong_password_is_told_plainly(page: Any, console: Console) -> None:
    await _sign_in(page, "someone-unknown@example.com", "not the right one")
    assert await page.get_by_role("alert").inner_text() == "That e-mail and password do not match an account."


async def test_the_overview_reads_on_a_phone_without_javascript(browser: Any, console: Console) -> None:
    link = console.invite("phone@example.com", "manager")
    context = await browser.new_context(
        base_url=console.url, java_script_enabled=False, viewport={"width": 375, "height": 740}, is_mobile=True
    )
    page = await context.new_page()
    await _set_password(page, link)
    assert await page.locator('[data-figure="csat"]').is_visible()
    box = await page.locator("main").bounding_box()  # laid out within the phone's width, read with no script
    assert box is not None and box["width"] <= 375
    card = await page.locator('[data-figure="csat"]').bounding_box()
    assert card is not None and card["x"] >= 0 and card["x"] + card["width"] <= 375
    await context.close()
