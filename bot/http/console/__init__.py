"""The staff console at /console/: server-rendered pages (Jinja2, no JavaScript needed), one router per area."""

from pathlib import Path

from bot.http.pages import Pages

PAGES = Pages(Path(__file__).with_name("templates"))
render = PAGES.render
