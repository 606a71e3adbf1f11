"""Catalogs: complete in every shipped language, compiled, and right-to-left where needed."""

from __future__ import annotations

import asyncio
import io
import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from handlers.i18n import LOCALES_DIR, SHIPPED, lang, negotiate

ROOT = Path(__file__).resolve().parents[1]
TRANSLATED = [code for code in SHIPPED if code != "en"]
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


def _po(code: str):
    return read_po((LOCALES_DIR / code / "LC_MESSAGES" / "sayso.po").open("rb"))


def _key(value):
    """A message's id or text, hashable also for one with plural forms (a tuple of them)."""
    return value if isinstance(value, str) else tuple(value)


def test_catalog_template_is_current(tmp_path):
    """Every string in the code is in the template (run `make i18n` after changing texts)."""
    out = tmp_path / "fresh.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "--no-location",
            "--omit-header",
            "-F",
            "babel.cfg",
            "-k",
            "N_",
            "-k",
            "Nn_:1,2",
            "-o",
            str(out),
            "handlers",
            "bot",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    fresh = {_key(m.id) for m in read_po(out.open("rb")) if m.id}
    shipped = {_key(m.id) for m in read_po((ROOT / "handlers/i18n/sayso.pot").open("rb")) if m.id}
    assert fresh == shipped


@pytest.mark.parametrize("code", TRANSLATED)
def test_every_message_is_translated_with_its_placeholders(code):
    template = {_key(m.id) for m in read_po((ROOT / "handlers/i18n/sayso.pot").open("rb")) if m.id}
    catalog = _po(code)
    translated = {_key(m.id): _key(m.string) for m in catalog if m.id}
    assert set(translated) == template
    for msgid, text in translated.items():
        if isinstance(msgid, tuple):  # plural forms: each form translated, each with the plural's placeholders
            assert all(text), f"{code}: {msgid!r} is untranslated"
            for form in text:
                assert set(PLACEHOLDER.findall(form)) == set(PLACEHOLDER.findall(msgid[1])), msgid
            continue
        assert text, f"{code}: {msgid!r} is untranslated"
        assert text != msgid or msgid.startswith("/"), f"{code}: {msgid!r} left in English"
        assert sorted(PLACEHOLDER.findall(text)) == sorted(PLACEHOLDER.findall(msgid)), msgid
        assert not any(m.fuzzy for m in catalog if m.id)


@pytest.mark.parametrize("code", TRANSLATED)
def test_compiled_catalog_matches_its_source(code):
    compiled = read_mo((LOCALES_DIR / code / "LC_MESSAGES" / "sayso.mo").open("rb"))
    assert {_key(m.id): _key(m.string) for m in compiled if m.id} == {
        _key(m.id): _key(m.string) for m in _po(code) if m.id
    }


@pytest.mark.parametrize(
    ("code", "expected"), [("ur-PK", "ur"), ("hu_HU", "hu"), ("HI", "hi"), ("en-GB", "en"), ("fr", None), ("", None)]
)
def test_negotiate(code, expected):
    assert negotiate(code) == expected


def test_directionality():
    assert lang("ur").rtl and not lang("hi").rtl and not lang("hu").rtl
    assert lang("ur").directional("4 — مطمئن\nok") == "\u200f4 — مطمئن\n\u200fok"
    assert lang("hu").directional("4 — Elégedett") == "4 — Elégedett"


def test_console_shows_urdu_in_visual_order():
    from rich.console import Console

    from bot.console import ConsoleChannel, visual_order

    shown = visual_order("بہت اچھا 5")
    assert shown.startswith("5 ") and shown != "بہت اچھا 5"
    buffer = io.StringIO()
    channel = ConsoleChannel(Console(file=buffer, width=120), bidi=True)
    asyncio.run(channel.tell("\u200fشکریہ"))
    assert buffer.getvalue().strip() == visual_order("\u200fشکریہ")


def test_catalogs_loaded_at_start_need_no_disk_later():
    """`sayso run` loads every catalog before it serves: a first press in any language reads nothing."""
    script = (
        "import builtins, io\n"
        "from handlers.core import notes\n"
        "from handlers.i18n import SHIPPED, lang, load_catalogs\n"
        "load_catalogs()\n"
        "def refuse(*a, **k): raise AssertionError(f'read from disk: {a[:1]}')\n"
        "builtins.open = io.open = refuse\n"
        "print([lang(code).say(notes.THANKS) != '' and lang(code).name for code in SHIPPED])\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str([lang(code).name for code in SHIPPED])


def test_counts_take_their_plural_forms():
    from handlers.digest.report import FUNNEL

    values = {"answered": 1, "rate": "100%", "completed": 1}
    assert lang("en").ngettext(*FUNNEL, 1) % {"sent": 1, **values} == "1 survey sent, 1 answered (100%), 1 completed."
    assert lang("en").ngettext(*FUNNEL, 2).startswith("%(sent)d surveys sent")
    urdu = lang("ur")
    assert urdu.ngettext(*FUNNEL, 1) != urdu.ngettext(*FUNNEL, 5) and "بھیجا گیا" in urdu.ngettext(*FUNNEL, 1)
