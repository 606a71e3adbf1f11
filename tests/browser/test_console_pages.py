"""The console as a person uses it, in a real browser: set a password from the invitation, sign in,
read the week, switch to Urdu, see only what the role allows, sign out; on a phone and without JavaScript."""

from __future__ import annotations

import re
from typing import Any

from tests.browser.conftest import PASSWORD, Console, screenshot


def _set_password(page: Any, link: str) -> None:
    page.goto(link)
    page.get_by_label("New password").fill(PASSWORD)
    page.get_by_role("button", name="Save and sign in").click()
    page.wait_for_url("**/console/")


def _sign_in(page: Any, email: str, password: str = PASSWORD) -> None:
    page.goto("/console/sign-in")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_an_owner_reads_the_week_with_the_numbers_the_api_gives(page: Any, console: Console) -> None:
    _set_password(page, console.invite("owner@example.com", "owner"))
    assert page.get_by_role("heading", name="Overview", level=1).is_visible()
    week = page.get_by_label("Week", exact=True).input_value()
    api = console.summary(week)
    for figure, value in (("csat", api["csat"]["value"]), ("nps", api["nps"]["value"]), ("ces", api["ces"]["value"])):
        shown = page.locator(f'[data-figure="{figure}"]')
        assert float(shown.get_attribute("data-value")) == value
        assert shown.is_visible()
    assert page.locator("svg[role=img]").is_visible()
    assert page.get_by_role("table").first.is_visible()  # breakdowns, with "fewer than 5" where small
    screenshot(page, "console-overview-en.png")
    page.get_by_role("link", name="Previous week").click()
    assert page.get_by_label("Week", exact=True).input_value() != week


def test_the_console_in_urdu_is_right_to_left_and_remembered(page: Any, console: Console) -> None:
    _set_password(page, console.invite("urdu-owner@example.com", "owner"))
    page.get_by_label("Language").select_option("ur")
    page.get_by_role("button", name="Change").click()
    html = page.locator("html")
    assert html.get_attribute("lang") == "ur" and html.get_attribute("dir") == "rtl"
    assert page.get_by_role("heading", name="جائزہ", level=1).is_visible()
    assert page.get_by_role("link", name="کارروائی").is_visible()
    screenshot(page, "console-overview-ur.png")
    page.get_by_role("button", name="سائن آؤٹ").click()
    page.wait_for_url("**/console/sign-in")
    _sign_in(page, "urdu-owner@example.com")  # the choice belongs to the person, not the browser
    page.wait_for_url("**/console/")
    assert page.locator("html").get_attribute("dir") == "rtl"


def test_a_viewer_has_no_staff_page_and_the_server_refuses_it(page: Any, console: Console) -> None:
    _set_password(page, console.invite("viewer@example.com", "viewer"))
    assert page.get_by_role("link", name="Operations").is_visible()
    assert page.get_by_role("link", name="Staff").count() == 0
    response = page.goto("/console/staff")
    assert response.status == 403 and page.get_by_role("heading", name="Not allowed").is_visible()


def test_an_owner_invites_from_the_staff_page_and_the_link_works_once(
    page: Any, console: Console, browser: Any
) -> None:
    _set_password(page, console.invite("boss@example.com", "owner"))
    page.get_by_role("link", name="Staff").click()
    page.get_by_label("Email", exact=True).fill("newcomer@example.com")
    page.get_by_label("Role", exact=True).select_option("manager")
    page.get_by_role("button", name="Invite", exact=True).click()
    link = page.locator("code.link").inner_text()
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/console/invite/\S{40,}", link)
    newcomer = browser.new_context(base_url=console.url).new_page()
    _set_password(newcomer, link)
    assert newcomer.get_by_role("link", name="Operations").is_visible()
    again = newcomer.goto(link)
    assert again.status == 410
    newcomer.context.close()
    page.reload()
    assert page.get_by_role("row", name=re.compile("newcomer@example.com")).is_visible()


def test_a_wrong_password_is_told_plainly(page: Any, console: Console) -> None:
    _sign_in(page, "someone-unknown@example.com", "not the right one")
    assert page.get_by_role("alert").inner_text() == "That e-mail and password do not match an account."


def test_the_overview_reads_on_a_phone_without_javascript(browser: Any, console: Console) -> None:
    link = console.invite("phone@example.com", "manager")
    context = browser.new_context(
        base_url=console.url, java_script_enabled=False, viewport={"width": 375, "height": 740}, is_mobile=True
    )
    page = context.new_page()
    _set_password(page, link)
    assert page.locator('[data-figure="csat"]').is_visible()
    box = page.locator("main").bounding_box()  # laid out within the phone's width, read with no script
    assert box is not None and box["width"] <= 375
    assert page.locator('[data-figure="csat"] .value').bounding_box()["width"] <= 375
    context.close()
