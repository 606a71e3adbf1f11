"""Passwords: Argon2id through argon2-cffi, hashed and checked in a worker thread (about 50 ms each)."""

from __future__ import annotations

import asyncio

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from handlers.i18n import N_

MIN_LENGTH = 12
MAX_LENGTH = 1024  # a longer "password" is an attempt to make hashing expensive
TOO_SHORT = N_("The password needs at least %(min)d characters.")
TOO_LONG = N_("The password can have at most %(max)d characters.")
_hasher = PasswordHasher()  # Argon2id with the library's current recommended parameters
# Checked against when there is no account, so an unknown e-mail takes as long as a wrong password.
_DUMMY = _hasher.hash("no account has this password")


class PasswordRefused(ValueError):
    """Why a new password cannot be used: a catalog message and its values."""

    def __init__(self, message: str, **values: int) -> None:
        super().__init__(message)
        self.message, self.values = message, values


def check_new(password: str) -> None:
    if len(password) < MIN_LENGTH:
        raise PasswordRefused(TOO_SHORT, min=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        raise PasswordRefused(TOO_LONG, max=MAX_LENGTH)


async def hash_password(password: str) -> str:
    check_new(password)
    return await asyncio.to_thread(_hasher.hash, password)


async def verify(stored: str | None, password: str) -> bool:
    """True if `password` matches `stored`; the same work when there is nothing stored."""
    if len(password) > MAX_LENGTH:
        return False
    try:
        return await asyncio.to_thread(_hasher.verify, stored or _DUMMY, password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False
