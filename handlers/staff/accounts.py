"""Staff accounts: invite, reset, change role, remove (as the CLI and an owner's Staff page do) and
set a password from a single-use link. A role change or removal ends the person's sessions at once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from email_validator import EmailNotValidError, validate_email
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.core.context import Context
from handlers.core.tokens import digest, new_token
from handlers.i18n import negotiate
from handlers.staff.passwords import hash_password
from storage.models import StaffInvitation, StaffMember, StaffRole
from storage.staff import (
    add_invitation,
    all_members,
    end_sessions_of,
    invitation,
    member_by_email,
    member_by_id,
    member_count,
    owner_count,
    remove_member,
)

__all__ = ["AccountProblem", "Link", "LinkUnusable", "StaffAccounts", "StaffRole", "normal_email"]

INVITATION_VALID = timedelta(hours=72)


class AccountProblem(ValueError):
    """An account change that cannot be made, said in one line for the CLI and the Staff page."""


class LinkUnusable(ValueError):
    """An invitation or reset link that is unknown, used or expired (the page says which)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason  # "unknown", "used" or "expired"


@dataclass(frozen=True, slots=True)
class Link:
    """A single-use link's token (the edge puts it under SAYSO_PUBLIC_URL) and when it stops working."""

    token: str
    expires_at: datetime


def normal_email(email: str) -> str:
    """The address as stored: checked for shape (no DNS lookup), lower-cased."""
    try:
        return validate_email(email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise AccountProblem(f"{email.strip()!r} is not an e-mail address ({exc})") from None


class StaffAccounts:
    def __init__(self, context: Context) -> None:
        self._context = context

    async def invite(self, email: str, role: StaffRole, *, agent: str | None = None) -> Link:
        """A new account (or a new link for one not yet signed in) and its invitation link."""
        if role is StaffRole.AGENT and not (agent and agent.strip()):
            raise AccountProblem("an agent account needs --agent: the agent name their interactions carry")
        address, now = normal_email(email), self._context.clock()
        async with self._context.sessions() as session, session.begin():
            member = await member_by_email(session, address)
            if member is not None and member.password_hash is not None:
                raise AccountProblem(f"{address} already has an account; use reset for a new password link")
            if member is None:
                member = StaffMember(email=address, role=role, agent=agent.strip() if agent else None)
                session.add(member)
                await session.flush()
            else:
                member.role, member.agent = role, agent.strip() if agent else None
            return await self._link(session, member.id, now)

    async def reset(self, email: str) -> Link:
        """A new single-use link to set a password; the old password works until it is used."""
        async with self._context.sessions() as session, session.begin():
            member = await self._existing(session, email)
            return await self._link(session, member.id, self._context.clock())

    async def change_role(self, email: str, role: StaffRole, *, agent: str | None = None) -> None:
        async with self._context.sessions() as session, session.begin():
            member = await self._existing(session, email)
            if member.role is StaffRole.OWNER and role is not StaffRole.OWNER and await owner_count(session) == 1:
                raise AccountProblem("this is the only owner; make another owner first")
            if role is StaffRole.AGENT and not (agent or member.agent):
                raise AccountProblem("an agent account needs the agent name their interactions carry")
            member.role = role
            member.agent = (agent or member.agent) if role is StaffRole.AGENT else None
            await end_sessions_of(session, member.id)

    async def remove(self, email: str) -> None:
        async with self._context.sessions() as session, session.begin():
            member = await self._existing(session, email)
            if member.role is StaffRole.OWNER and await owner_count(session) == 1 and await member_count(session) > 1:
                raise AccountProblem("this is the only owner; make another owner first")
            await remove_member(session, member)

    async def members(self) -> Sequence[StaffMember]:
        async with self._context.reads() as session:
            return await all_members(session)

    async def any(self) -> bool:
        async with self._context.reads() as session:
            return await member_count(session) > 0

    async def link_member(self, token: str) -> StaffMember:
        """Whose link this is, if it can still be used."""
        async with self._context.reads() as session:
            found = await invitation(session, digest(token))
            self._usable(found)
            assert found is not None
            member = await member_by_id(session, found.member_id)
            assert member is not None
            return member

    async def accept(self, token: str, password: str) -> int:
        """Set the password from a link, once; every earlier session of the person ends. Returns the member id."""
        hashed = await hash_password(password)  # refuses a short one before the link is spent
        async with self._context.sessions() as session, session.begin():
            found = await invitation(session, digest(token), for_update=True)
            self._usable(found)
            assert found is not None
            member = await member_by_id(session, found.member_id)
            assert member is not None
            found.used_at = self._context.clock()
            member.password_hash = hashed
            await end_sessions_of(session, member.id)
            return member.id

    async def set_language(self, member_id: int, code: str) -> None:
        if negotiate(code) != code:
            raise AccountProblem(f"unknown language {code!r}")
        async with self._context.sessions() as session, session.begin():
            member = await member_by_id(session, member_id)
            if member is not None:
                member.language = code

    def _usable(self, found: StaffInvitation | None) -> None:
        if found is None:
            raise LinkUnusable("unknown")
        if found.used_at is not None:
            raise LinkUnusable("used")
        if found.expires_at <= self._context.clock():
            raise LinkUnusable("expired")

    async def _existing(self, session: AsyncSession, email: str) -> StaffMember:
        address = normal_email(email)
        member = await member_by_email(session, address)
        if member is None:
            raise AccountProblem(f"no staff account for {address}")
        return member

    async def _link(self, session: AsyncSession, member_id: int, now: datetime) -> Link:
        token, expires = new_token(), now + INVITATION_VALID
        await add_invitation(session, member_id=member_id, token_hash=digest(token), expires_at=expires)
        return Link(token, expires)
