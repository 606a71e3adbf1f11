"""The e-mail channel's side of the outbound port: `ask` sends an invitation (or a reminder) through
SMTP at a steady pace; everything else happens on the survey page. SMTP's answers become the port's
errors: a refused address is permanent (the request becomes `unreachable`), a busy or unreachable
relay is retried like any platform, and a connection lost after the message was handed over counts
as maybe delivered (never sent again)."""

from __future__ import annotations

import asyncio
import logging
import time
from email.utils import parseaddr

import aiosmtplib

from bot.email_channel.message import invitation
from bot.email_channel.smtp import SmtpTarget
from handlers.core.events import MessageRef
from handlers.core.platforms import Platform
from handlers.core.ports import DeliveryFailed
from handlers.core.replies import Prompt, Report
from handlers.i18n import lang

log = logging.getLogger(__name__)
PLATFORM = str(Platform.EMAIL)
TIMEOUT = 30.0


class EmailChannel:
    platform = PLATFORM
    reaches_unknown_users = True

    def __init__(self, target: SmtpTarget, sender: str, public_url: str, *, per_second: float) -> None:
        self._target = target
        self._tls = target.tls_context()  # once, at start
        self._sender = sender
        self._public_url = public_url
        self._domain = parseaddr(sender)[1].rpartition("@")[2] or "sayso.invalid"
        self._gap = 1.0 / per_second
        self._pace = asyncio.Lock()
        self._next = 0.0

    async def ask(self, chat_id: str, prompt: Prompt) -> MessageRef:
        if prompt.link is None:
            raise DeliveryFailed(PLATFORM, "no survey link to send", permanent=True)
        page = f"{self._public_url}/s/{prompt.link}"
        message = invitation(
            prompt, lang(prompt.language or "en"), sender=self._sender, to=chat_id, page=page, domain=self._domain
        )
        await self._send(message)
        return MessageRef(PLATFORM, chat_id, str(message["Message-ID"]))

    async def turn(self) -> None:
        """A steady pace, so a burst of thousands does not trip the relay's limits (the sender waits
        here before it records its intent to send, and the reminder before it sends)."""
        async with self._pace:
            now = time.monotonic()
            wait = self._next - now
            self._next = max(now, self._next) + self._gap
        if wait > 0:
            await asyncio.sleep(wait)

    async def _send(self, message: object) -> None:
        target = self._target
        try:
            await aiosmtplib.send(
                message,  # type: ignore[arg-type]
                hostname=target.host,
                port=target.port,
                username=target.username,
                password=target.password,
                use_tls=target.implicit_tls,
                start_tls=target.start_tls,
                tls_context=self._tls,
                timeout=TIMEOUT,
            )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            codes = [response.code for response in exc.recipients]
            raise _refused(min(codes) if codes else 550) from None
        except aiosmtplib.SMTPRecipientRefused as exc:
            raise _refused(exc.code) from None
        except aiosmtplib.SMTPAuthenticationError as exc:
            raise DeliveryFailed(PLATFORM, f"the relay refused our login ({exc.code})", misconfigured=True) from None
        except (aiosmtplib.SMTPReadTimeoutError, aiosmtplib.SMTPServerDisconnected) as exc:
            # The message may have been handed over before the line went quiet: not sent again.
            raise DeliveryFailed(
                PLATFORM, f"relay stopped answering ({type(exc).__name__})", maybe_delivered=True
            ) from None
        except aiosmtplib.SMTPResponseException as exc:
            raise DeliveryFailed(PLATFORM, f"relay answered {exc.code}", permanent=500 <= exc.code < 600) from None
        except (aiosmtplib.SMTPException, OSError) as exc:  # refused, unreachable, TLS trouble
            raise DeliveryFailed(PLATFORM, f"relay not reached ({type(exc).__name__})") from None

    async def show_choice(self, message: MessageRef, text: str, then: Prompt | None = None) -> MessageRef | None:
        return message if then is not None else None  # the page shows the next question itself

    async def replace(self, message: MessageRef, prompt: Prompt) -> None:
        return None

    async def send_text(self, chat_id: str, text: str) -> MessageRef:
        return MessageRef(PLATFORM, chat_id, "page")  # said on the page (thanks, "someone will call")

    async def send_image(self, chat_id: str, image: bytes, caption: str) -> MessageRef:
        return MessageRef(PLATFORM, chat_id, "page")

    async def send_report(self, chat_id: str, report: Report) -> list[MessageRef]:
        return []

    async def open_chat(self, user_id: str) -> str:
        return user_id

    def start_link(self, payload: str) -> str | None:
        return None

    def contact(self, user_id: str) -> str:
        return "by e-mail (the address stays in Sayso; the helpdesk ticket has it)"


def _refused(code: int) -> DeliveryFailed:
    """5xx: the address does not exist or will never take mail from us; 4xx: try again later."""
    return DeliveryFailed(PLATFORM, f"address refused ({code})", permanent=500 <= code < 600)
