"""Signing staff in and out: sessions kept in the database, failed sign-ins limited.

The cookie holds a random id (its SHA-256 is the row's key); a session ends after 12 idle hours,
30 days in all, at sign-out, and when its person is removed or changes role. Five failures for one
e-mail address, or twenty from one client address, within 15 minutes make further tries wait; an
unknown address and a wrong password get the same answer, and take the same time.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from handlers.core.context import Context
from handlers.core.tokens import digest, new_token
from handlers.staff.accounts import AccountProblem, normal_email
from handlers.staff.passwords import verify
from storage.models import StaffMember
from storage.staff import (
    add_failure,
    add_session,
    end_session,
    failures_since,
    forget_failures,
    member_by_email,
    session_with_member,
)

IDLE = timedelta(hours=12)
ABSOLUTE = timedelta(days=30)
TOUCH_EVERY = timedelta(minutes=5)  # how stale `seen_at` may get before a request writes it again
WINDOW = timedelta(minutes=15)
PER_ACCOUNT, PER_CLIENT = 5, 20


class SignInRefused(Exception):
    """Wrong e-mail or password: the same for both, so no answer tells whether an account exists."""


class TooManyAttempts(Exception):
    def __init__(self, wait: timedelta) -> None:
        super().__init__(f"try again in {wait}")
        self.wait = wait


@dataclass(frozen=True, slots=True)
class SignedIn:
    """A new session: the cookie's value and the form token of its state-changing requests."""

    cookie: str
    csrf_token: str
    member_id: int


@dataclass(frozen=True, slots=True)
class CurrentSession:
    member: StaffMember
    csrf_token: str
    id_hash: str


def _account_key(email: str) -> str:
    return digest(f"account:{email}")


def _client_key(client: str) -> str:
    return digest(f"client:{client}")


class StaffSessions:
    def __init__(self, context: Context) -> None:
        self._context = context

    async def sign_in(self, email: str, password: str, *, client: str) -> SignedIn:
        try:
            address = normal_email(email)
        except AccountProblem:
            address = email.strip().lower()[:254]
        keys = (_account_key(address), _client_key(client))
        now = self._context.clock()
        async with self._context.reads() as session:
            for key, limit in zip(keys, (PER_ACCOUNT, PER_CLIENT), strict=True):
                failed = await failures_since(session, key=key, since=now - WINDOW)
                if len(failed) >= limit:
                    raise TooManyAttempts(failed[-limit] + WINDOW - now)
            member = await member_by_email(session, address)
        if not await verify(member.password_hash if member else None, password) or member is None:
            async with self._context.sessions() as session, session.begin():
                await add_failure(session, keys=keys, at=now)
            raise SignInRefused()
        return await self.open(member.id, forget=(keys[0],))

    async def open(self, member_id: int, *, forget: tuple[str, ...] = ()) -> SignedIn:
        """A new session for the member (a new id at every sign-in)."""
        cookie, csrf = new_token(), secrets.token_urlsafe(32)
        async with self._context.sessions() as session, session.begin():
            await add_session(
                session, id_hash=digest(cookie), member_id=member_id, csrf_token=csrf, now=self._context.clock()
            )
            if forget:
                await forget_failures(session, keys=forget)
        return SignedIn(cookie, csrf, member_id)

    async def current(self, cookie: str | None) -> CurrentSession | None:
        """The signed-in person of this cookie, or None (no, ended or expired session)."""
        if not cookie or len(cookie) > 100:
            return None
        id_hash, now = digest(cookie), self._context.clock()
        async with self._context.reads() as session:
            found = await session_with_member(session, id_hash)
        if found is None:
            return None
        row, member = found
        if now - row.seen_at > IDLE or now - row.created_at > ABSOLUTE:
            await self.sign_out(cookie)
            return None
        if now - row.seen_at > TOUCH_EVERY:
            async with self._context.sessions() as session, session.begin():
                fresh = await session_with_member(session, id_hash)
                if fresh is not None:
                    fresh[0].seen_at = now
        return CurrentSession(member, row.csrf_token, id_hash)

    async def sign_out(self, cookie: str) -> None:
        async with self._context.sessions() as session, session.begin():
            await end_session(session, digest(cookie))

    async def forget_old_failures(self, now: datetime) -> None:
        async with self._context.sessions() as session, session.begin():
            await forget_failures(session, before=now - WINDOW)
