"""Tables of the staff console: accounts, single-use invitations, sessions and failed sign-ins.

Tokens and session ids are stored only as SHA-256 hashes, so someone who reads the database (or a
backup) cannot sign in with them; passwords only as Argon2id hashes.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from storage.types import StateColumn, utc_column, utcnow


class StaffRole(StrEnum):
    """What a staff member may do in the console (checked on the server for every route)."""

    OWNER = "owner"  # everything, including staff accounts
    MANAGER = "manager"  # every figure and response, act on alerts and themes, export
    VIEWER = "viewer"  # read-only, no export
    AGENT = "agent"  # the team's headline figures, and the responses and alerts of their own interactions


class StaffMember(SQLModel, table=True):
    __tablename__ = "staff_members"

    id: int = Field(default=None, primary_key=True)  # None until the INSERT; every stored row has one
    email: str = Field(max_length=254, unique=True, description="lower-cased")
    role: StaffRole = Field(sa_type=StateColumn(StaffRole), nullable=False)
    agent: str | None = Field(default=None, max_length=128, description="for agents: the interactions' agent name")
    language: str | None = Field(default=None, max_length=16, description="the console's language, once chosen")
    password_hash: str | None = Field(default=None, max_length=255, description="Argon2id; None until invited in")
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column(nullable=False, stamp=True))


class StaffInvitation(SQLModel, table=True):
    """A single-use link to set a password (an invitation, or a reset)."""

    __tablename__ = "staff_invitations"

    token_hash: str = Field(primary_key=True, max_length=64)
    member_id: int = Field(foreign_key="staff_members.id", index=True)
    expires_at: datetime = Field(sa_column=utc_column(nullable=False))
    used_at: datetime | None = Field(default=None, sa_column=utc_column())


class StaffSession(SQLModel, table=True):
    """A signed-in browser; the cookie holds the random id whose hash is the key."""

    __tablename__ = "staff_sessions"

    id_hash: str = Field(primary_key=True, max_length=64)
    member_id: int = Field(foreign_key="staff_members.id", index=True)
    csrf_token: str = Field(max_length=64)
    created_at: datetime = Field(sa_column=utc_column(nullable=False))
    seen_at: datetime = Field(sa_column=utc_column(nullable=False))


class SignInFailure(SQLModel, table=True):
    """One failed sign-in, keyed by a hash of the account's e-mail or of the client's address."""

    __tablename__ = "sign_in_failures"

    id: int = Field(default=None, primary_key=True)  # None until the INSERT; every stored row has one
    key: str = Field(max_length=64, index=True)
    at: datetime = Field(sa_column=utc_column(nullable=False, index=True))
