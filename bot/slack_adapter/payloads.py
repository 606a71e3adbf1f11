"""The shapes of the Slack payloads Sayso's listeners read, as typed models checked before dispatch.

A signed request can still carry any JSON (a replayed test payload, a proxy's rewrite, a bug on
Slack's side). Checked here, a payload that a listener or Bolt's own middleware could not read is
refused with 400 and one log line instead of a traceback and a 500 that Slack would retry. Extra
fields are allowed: Slack adds fields over time, and Sayso reads only these.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, model_validator

from bot.slack_adapter.render import (
    ANSWER_ACTIONS,
    ANSWER_MODAL,
    HOME_LANGUAGE,
    HOME_OPT,
    SUGGEST_MODAL,
    TEXT_BLOCK,
    TEXT_INPUT,
)

Text = Annotated[str, Field(min_length=1)]


class _Shape(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)


class _Id(_Shape):
    id: Text


class _Option(_Shape):
    value: Text


class Action(_Shape):
    """One pressed element: a button carries its `value`, a menu its `selected_option`."""

    action_id: Text
    type: Text
    value: str | None = None
    selected_option: _Option | None = None
    action_ts: str = ""

    @model_validator(mode="after")
    def _chosen(self) -> Self:
        """Our answer and opt-out buttons carry a value, our language menu a choice ("Write my
        answer" opens a modal and carries none)."""
        if (ANSWER_ACTIONS.match(self.action_id) or self.action_id == HOME_OPT) and not self.value:
            raise ValueError("a button action without a value")
        if self.action_id == HOME_LANGUAGE and self.selected_option is None:
            raise ValueError("a menu action without a selected option")
        return self


class BlockActions(_Shape):
    type: Literal["block_actions"]
    user: _Id
    actions: Annotated[list[Action], Field(min_length=1)]
    trigger_id: str = ""


class _Input(_Shape):
    """A text input's state: Slack sends `null` for an input left empty."""

    type: str = ""
    value: str | None = None


class _State(_Shape):
    values: dict[str, dict[str, _Input]]


class _View(_Shape):
    id: Text
    callback_id: Text
    private_metadata: str = ""
    state: _State

    @model_validator(mode="after")
    def _our_input(self) -> Self:
        if self.callback_id in (ANSWER_MODAL, SUGGEST_MODAL) and TEXT_INPUT not in self.state.values.get(
            TEXT_BLOCK, {}
        ):
            raise ValueError("our modal without its text input")
        return self


class ViewSubmission(_Shape):
    type: Literal["view_submission"]
    user: _Id
    view: _View


class ViewClosed(_Shape):
    type: Literal["view_closed"]
    user: _Id


class _Event(_Shape):
    type: Text


class EventCallback(_Shape):
    type: Literal["event_callback"]
    event: _Event
    event_id: str = ""


class UrlVerification(_Shape):
    type: Literal["url_verification"]
    challenge: Text


class SlashCommand(_Shape):
    """A slash command arrives form-encoded, with no `type`."""

    command: Text
    user_id: Text
    trigger_id: Text
    channel_id: str = ""
    text: str = ""


_Typed = Annotated[
    BlockActions | ViewSubmission | ViewClosed | EventCallback | UrlVerification,
    Field(discriminator="type"),
]
_TYPED: TypeAdapter[Any] = TypeAdapter(_Typed)
_COMMAND: TypeAdapter[SlashCommand] = TypeAdapter(SlashCommand)
KNOWN_TYPES = ("block_actions", "view_submission", "view_closed", "event_callback", "url_verification")


def payload_problem(payload: dict[str, Any]) -> str | None:
    """Why Sayso cannot take this payload (a short reason for the log, naming no value), or None."""
    if "command" in payload and "type" not in payload:
        model: TypeAdapter[Any] = _COMMAND
    elif payload.get("type") in KNOWN_TYPES:
        model = _TYPED
    else:
        return "not a Slack payload type Sayso handles"
    try:
        model.validate_python(payload)
    except ValidationError as exc:
        error = exc.errors()[0]
        tag = payload.get("type")
        where = ".".join(str(part) for part in error["loc"] if not isinstance(part, int) and part != tag)
        return f"{tag or 'slash command'} payload with a missing or malformed {where or 'body'}"
    return None
