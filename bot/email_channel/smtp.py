"""`SAYSO_SMTP_URL`: where invitations are handed over, always encrypted but to a relay on this machine.

`smtps://user:password@host:465` speaks TLS from the first byte; `smtp://user:password@host:587`
must upgrade with STARTTLS (a server that does not offer it is refused), except a loopback relay
(`smtp://127.0.0.1:25`), which may be plain. Certificates are checked against the system's trust
store, and `SSL_CERT_FILE` adds a private relay's CA.
"""

from __future__ import annotations

import ipaddress
import ssl
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

SCHEMES = {"smtps": 465, "smtp": 587}


@dataclass(frozen=True, slots=True)
class SmtpTarget:
    host: str
    port: int
    username: str | None
    password: str | None
    implicit_tls: bool  # smtps
    start_tls: bool | None  # True: required; None: a loopback relay, plain is fine; False: smtps

    def tls_context(self) -> ssl.SSLContext | None:
        """The system's trust store (and `SSL_CERT_FILE`'s CA), read once: loading it takes ~25 ms of
        CPU, far too long to spend on the loop for every message. None for a plain loopback relay."""
        if self.start_tls is None:  # a relay on this machine: plain is fine, and STARTTLS when offered
            return None
        return ssl.create_default_context()


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_smtp_url(url: str) -> SmtpTarget:
    """The target of an SMTP URL, or a `ValueError` saying what is wrong (never quoting the password)."""
    parts = urlsplit(url)
    if parts.scheme not in SCHEMES:
        raise ValueError("use smtps://user:password@host:465 (TLS) or smtp://user:password@host:587 (STARTTLS)")
    try:
        port = parts.port or SCHEMES[parts.scheme]
    except ValueError:
        raise ValueError("the port is not a number") from None
    if not parts.hostname:
        raise ValueError("no host in the URL")
    implicit = parts.scheme == "smtps"
    loopback = _loopback(parts.hostname)
    return SmtpTarget(
        host=parts.hostname,
        port=port,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        implicit_tls=implicit,
        start_tls=False if implicit else None if loopback else True,
    )
