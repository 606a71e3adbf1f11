"""Translation catalogs (Babel/gettext) and language negotiation for everything said in chat."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.support import NullTranslations, Translations

LOCALES_DIR = Path(__file__).with_name("locales")
DOMAIN = "sayso"
SHIPPED: tuple[str, ...] = ("en", "ur", "hi", "hu")
DEFAULT = "en"
RLM = "\u200f"  # right-to-left mark: starts a line of Urdu in chat clients that guess direction per line


def N_(message: str) -> str:
    """Mark a string for extraction; it is translated where it is shown."""
    return message


def Nn_(singular: str, plural: str) -> tuple[str, str]:
    """Mark a message with a plural form for extraction; `Lang.ngettext` picks the form where it is shown."""
    return singular, plural


def negotiate(code: str | None, available: Iterable[str] = SHIPPED) -> str | None:
    """Map a platform or user language code (`ur-PK`, `hu_HU`, `HI`) to a shipped language."""
    if not code:
        return None
    base = code.replace("_", "-").split("-")[0].strip().lower()
    return base if base in available else None


@dataclass(frozen=True, slots=True)
class Lang:
    """One language's catalog plus what rendering needs to know about it."""

    code: str
    translations: NullTranslations
    rtl: bool
    name: str

    def gettext(self, message: str) -> str:
        return self.translations.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.translations.ngettext(singular, plural, n)

    def say(self, message: str, **values: object) -> str:
        """Translate a catalog message, fill its %(placeholders)s, and set its direction."""
        text = self.gettext(message)
        return self.directional(text % values if values else text)

    def pick(self, text: str | Mapping[str, str]) -> str:
        """Resolve a text that is either a catalog message id or a per-language mapping from config."""
        if isinstance(text, str):
            return self.gettext(text)
        return text.get(self.code) or text.get(DEFAULT) or next(iter(text.values()))

    def directional(self, text: str) -> str:
        """Start every line of right-to-left text with a RLM mark.

        Chat clients take a paragraph's direction from its first strong character, so a
        line such as "4 — مطمئن" would otherwise be laid out left-to-right.
        """
        if not self.rtl:
            return text
        return "\n".join(RLM + line if line and not line.startswith(RLM) else line for line in text.split("\n"))


@cache
def lang(code: str) -> Lang:
    """The catalog of a shipped language (falls back to English for anything else)."""
    code = negotiate(code) or DEFAULT
    translations: NullTranslations
    if code == DEFAULT:
        translations = NullTranslations()
    else:
        translations = Translations.load(str(LOCALES_DIR), [code], DOMAIN)
        if not isinstance(translations, Translations):
            raise FileNotFoundError(f"compiled catalog for {code!r} is missing under {LOCALES_DIR}")
    try:
        locale = Locale.parse(code)
        rtl, name = locale.character_order == "right-to-left", locale.get_display_name(code) or code
    except UnknownLocaleError:
        rtl, name = False, code
    return Lang(code=code, translations=translations, rtl=rtl, name=name)


def load_catalogs() -> None:
    """Read every shipped catalog and its locale data now: Babel reads them from disk on first use,
    which holds up the loop at the first button press after start (English alone: ~23 ms when idle)."""
    for code in SHIPPED:
        lang(code)
