"""An invitation e-mail: multipart text and HTML in the customer's language (right to left for Urdu),
the first question's scale as links to the survey page, and a one-click unsubscribe (RFC 8058)."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import make_msgid

from markupsafe import escape

from handlers.core.replies import Prompt
from handlers.i18n import N_, Lang

SUBJECT = N_("How did we do? One minute of your time")
OPEN = N_("Answer on our page")
CHOOSE = N_("Choose an answer (it opens our page, where you confirm it):")
UNSUBSCRIBE = N_("Rather not get these e-mails? Unsubscribe: %(url)s")
UNSUBSCRIBE_LINK = N_("Unsubscribe")


def invitation(prompt: Prompt, language: Lang, *, sender: str, to: str, page: str, domain: str) -> EmailMessage:
    """The message for one question: `page` is the survey's URL (`…/s/{token}`)."""
    unsubscribe = f"{page}/unsubscribe"
    choices = [(option.label, f"{page}?answer={option.key}") for option in prompt.options if not prompt.free_text]
    text_lines = [prompt.text, ""]
    if choices:
        text_lines += [language.gettext(CHOOSE), *(f"{label}: {url}" for label, url in choices), ""]
    text_lines += [f"{language.gettext(OPEN)}: {page}", "", language.gettext(UNSUBSCRIBE) % {"url": unsubscribe}]
    direction = "rtl" if language.rtl else "ltr"
    buttons = "".join(
        f'<p><a href="{escape(url)}" style="display:inline-block;padding:10px 16px;border:1px solid #1f5fbf;'
        f'border-radius:6px;color:#1f5fbf;text-decoration:none">{escape(label)}</a></p>'
        for label, url in choices
    )
    html = (
        f'<!doctype html><html lang="{language.code}" dir="{direction}"><body style="font-family:sans-serif">'
        f'<p style="white-space:pre-line;font-size:17px">{escape(prompt.text)}</p>'
        + (f"<p>{escape(language.gettext(CHOOSE))}</p>{buttons}" if choices else "")
        + f'<p><a href="{escape(page)}">{escape(language.gettext(OPEN))}</a></p>'
        f'<p style="color:#5b6576;font-size:13px"><a href="{escape(unsubscribe)}">'
        f"{escape(language.gettext(UNSUBSCRIBE_LINK))}</a></p></body></html>"
    )
    message = EmailMessage()
    message["Subject"] = language.gettext(SUBJECT)
    message["From"] = sender
    message["To"] = to
    message["Message-ID"] = make_msgid(domain=domain)
    message["Content-Language"] = language.code
    message["List-Unsubscribe"] = f"<{unsubscribe}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message["Auto-Submitted"] = "auto-generated"
    message.set_content("\n".join(text_lines))
    message.add_alternative(html, subtype="html")
    return message
