"""Respondent queries: registration, language and opt-out."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import bindparam, or_, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from storage.models import Respondent
from storage.types import UTCDateTime, utcnow
from storage.upsert import insert_ignore


async def get_respondent(session: AsyncSession, *, platform: str, user_id: str) -> Respondent | None:
    result = await session.execute(
        select(Respondent).where(Respondent.platform == platform, Respondent.platform_user_id == user_id)
    )
    return result.scalar_one_or_none()


async def ensure_respondent(
    session: AsyncSession,
    *,
    platform: str,
    user_id: str,
    chat_id: str | None = None,
    platform_language: str | None = None,
) -> Respondent:
    """Return the respondent, creating it if new and refreshing what the platform just told us."""
    await insert_ignore(
        session,
        Respondent,
        {"platform": platform, "platform_user_id": user_id, "chat_id": chat_id, "platform_language": platform_language},
        conflict=("platform", "platform_user_id"),
    )
    respondent = await get_respondent(session, platform=platform, user_id=user_id)
    assert respondent is not None  # inserted above or already there
    changed = False
    if chat_id and respondent.chat_id != chat_id:
        respondent.chat_id, changed = chat_id, True
    if platform_language and respondent.platform_language != platform_language:
        respondent.platform_language, changed = platform_language, True
    if changed:
        respondent.updated_at = utcnow()
        session.add(respondent)
    return respondent


def touch(respondent: Respondent, **changes: object) -> None:
    """Apply `changes` to a loaded respondent and stamp the update time."""
    for name, value in changes.items():
        setattr(respondent, name, value)
    respondent.updated_at = utcnow()


async def remember_chats(session: AsyncSession, chats: Sequence[tuple[int, str]]) -> None:
    """Store the private chats the platform opened for these respondents (id, chat id), where changed."""
    await session.execute(
        _REMEMBER_CHAT,
        [{"b_id": respondent_id, "b_chat": chat_id, "b_now": utcnow()} for respondent_id, chat_id in chats],
    )


_RESPONDENTS = Respondent.__table__  # type: ignore[attr-defined]
# Bound names differ from the columns' (SQLAlchemy reserves those in an UPDATE's values).
_REMEMBER_CHAT = (
    update(_RESPONDENTS)
    .where(
        _RESPONDENTS.c.id == bindparam("b_id"),
        or_(_RESPONDENTS.c.chat_id.is_(None), _RESPONDENTS.c.chat_id != bindparam("b_chat")),
    )
    .values(chat_id=bindparam("b_chat"), updated_at=bindparam("b_now", type_=UTCDateTime()))
)


async def invitable(
    session: AsyncSession, *, platforms: Sequence[str], after_id: int = 0, limit: int = 500
) -> list[Respondent]:
    """Respondents who may be written to unprompted: a known private chat, not opted out, reachable.
    Paged by id so a large audience never sits in memory at once."""
    result = await session.execute(
        select(Respondent)
        .where(
            col(Respondent.platform).in_(platforms),
            col(Respondent.opted_out).is_(False),
            col(Respondent.unreachable_reason).is_(None),
            col(Respondent.chat_id).is_not(None),
            col(Respondent.id) > after_id,
        )
        .order_by(col(Respondent.id))
        .limit(limit)
    )
    return list(result.scalars())
