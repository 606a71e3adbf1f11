"""Questions and notes as neutral prompts and texts, in the respondent's language."""

from __future__ import annotations

from handlers.core.callbacks import answer_data, language_data
from handlers.core.commands import COMMANDS
from handlers.core.replies import Option, Prompt
from handlers.core.surveys import Kind, Question, Survey
from handlers.i18n import N_, SHIPPED, Lang, lang

_ROWS = {Kind.NPS: (6, 5)}


INTRO = N_("Thank you for talking to us! A few quick questions about how it went.")
REMINDER = N_("A gentle reminder: we would still love to hear how it went. It takes a minute.")


def question_prompt(
    survey: Survey, question: Question, *, token: str, language: Lang, intro: str | None = None
) -> Prompt:
    """A question with its buttons; `intro` (a catalog message) goes above it."""
    index = survey.index(question.id)
    text = language.pick(question.text)
    if intro:
        text = language.gettext(intro) + "\n\n" + text
    hint = None
    if question.kind is Kind.TEXT:
        options: tuple[Option, ...] = (Option("-", language.gettext(N_("Skip")), answer_data(token, index, None)),)
        hint = language.gettext(N_("Type your answer as a message, or press Skip."))
    else:
        options = tuple(
            Option(str(value), value_label(question, value, language), answer_data(token, index, value))
            for value in question.values
        )
        if question.kind is Kind.NPS and question.labels:
            hint = " · ".join(f"{value} = {language.pick(label)}" for value, label in sorted(question.labels.items()))
    return Prompt(
        text=language.directional(text),
        options=options,
        rows=_ROWS.get(question.kind, ()),
        hint=language.directional(hint) if hint else None,
        rtl=language.rtl,
        free_text=question.kind is Kind.TEXT,
        language=language.code,
    )


def value_label(question: Question, value: int, language: Lang) -> str:
    """ "4 — Satisfied" for a labelled rating, the option's text for a choice, the number otherwise."""
    if question.kind is Kind.CHOICE:
        return language.pick(question.options[value - 1])
    label = question.labels.get(value)
    if label is None or question.kind is Kind.NPS:
        return str(value)
    return f"{value} — {language.pick(label)}"


def answered_text(question: Question, value: int | str | None, language: Lang) -> str:
    """What a question's message shows once answered."""
    if value is None:
        shown = language.gettext(N_("(skipped)"))
    elif isinstance(value, str):
        shown = value
    else:
        shown = value_label(question, value, language)
    return language.directional(f"{language.pick(question.text)}\n✓ {shown}")


def language_prompt(current: Lang) -> Prompt:
    options = tuple(Option(code, lang(code).name, language_data(code)) for code in SHIPPED)
    return Prompt(
        text=current.directional(current.gettext(N_("Choose your language:"))), options=options, rtl=current.rtl
    )


HELP_INTRO = N_("I send short surveys after you talk to our team, so we can get better. What you can send me:")


def help_text(language: Lang) -> str:
    """The intro and every chat command with its menu description, so /help never misses one."""
    lines = [language.gettext(HELP_INTRO)]
    lines += [f"/{name} — {language.gettext(description)}" for name, description in COMMANDS]
    return language.directional("\n".join(lines))
