"""A real SMTP server for the tests (aiosmtpd), plain on loopback or TLS with a throwaway certificate,
keeping what it received and refusing the addresses it is told to (550) or asked to defer (451)."""

from __future__ import annotations

import email
import email.policy
import logging
import ssl
import subprocess
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from tests.fakes.process import free_port

# aiosmtpd logs every session from its own thread, which outlives pytest's captured streams.
logging.getLogger("mail.log").setLevel(logging.WARNING)


@dataclass
class Received:
    sender: str
    recipients: list[str]
    message: EmailMessage


@dataclass
class Mailbox:
    received: list[Received] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)  # 550: no such user
    defer: set[str] = field(default_factory=set)  # 451: try again later
    keep_messages: bool = True  # False: keep only who got mail (a benchmark's memory is then Sayso's own)

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: list[str]) -> str:
        if address in self.refuse:
            return "550 5.1.1 No such user"
        if address in self.defer:
            return "451 4.3.0 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default) if self.keep_messages else None
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), parsed))  # type: ignore[arg-type]
        return "250 Message accepted"


def throwaway_certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (the tests trust it through SSL_CERT_FILE)."""
    cert, key = folder / "relay.pem", folder / "relay.key"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


class SmtpServer:
    def __init__(self, *, tls: tuple[Path, Path] | None = None, login: tuple[str, str] | None = None) -> None:
        self.mailbox = Mailbox()
        self.port = free_port()
        kwargs: dict[str, Any] = {}
        if tls is not None:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(str(tls[0]), str(tls[1]))
            kwargs["ssl_context"] = context
        if login is not None:  # AUTH required, and only this user and password pass

            def check(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
                given = (data.login.decode(), data.password.decode()) if isinstance(data, LoginPassword) else None
                return AuthResult(success=given == login)

            # implicit TLS is below aiosmtpd's view of the session, so it would not offer AUTH "before TLS"
            kwargs |= {"authenticator": check, "auth_required": True, "auth_require_tls": tls is None}
        self._controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port, **kwargs)

    def __enter__(self) -> SmtpServer:
        self._controller.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._controller.stop()
