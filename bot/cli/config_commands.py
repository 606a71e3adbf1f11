"""`sayso config check`: the effective settings, validated, secrets masked."""

from __future__ import annotations

import asyncio

import typer
from pydantic import BaseModel, SecretStr

from bot.cli.common import config_or_exit, fail
from handlers.core.redaction import masked_url
from handlers.operations.database import DatabaseUnreachable, describe_database
from handlers.text.model import TextModel, text_model_state

config_app = typer.Typer(help="Configuration.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(config_app, name="config")


@config_app.command("check")
def config_check() -> None:
    """Validate the configuration and print the effective settings, secrets masked."""
    config = config_or_exit()
    rows: list[tuple[str, str]] = []
    for name, field in type(config.settings).model_fields.items():
        value = getattr(config.settings, name)
        shown = "(set, hidden)" if isinstance(value, SecretStr) else value
        rows.append((str(field.validation_alias or name), _show(shown)))
    file = config.file
    rows.append(("surveys", ", ".join(sorted(config.surveys))))
    rows.append(("default_language", file.default_language))
    for section, model in file:
        if isinstance(model, BaseModel):
            rows += [(f"{section}.{key}", _show(value)) for key, value in model.model_dump().items()]
    # Plain lines, not a table: a pipe or a narrow terminal must not cut a value.
    width = max(len(key) for key, _ in rows)
    print("Sayso configuration")
    for key, value in rows:
        print(f"  {key:<{width}}  {value}")
    print(f"  {'text model':<{width}}  {text_model_state(TextModel())}")
    try:
        print(f"  {'database':<{width}}  {asyncio.run(describe_database(config.settings.database_url))}")
    except DatabaseUnreachable as exc:
        raise fail(str(exc)) from None
    for warning in config.settings.warnings():
        print(f"warning: {warning}")
    print("configuration is valid")


def _show(value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, list | tuple):
        return ", ".join(map(_show, value)) or "—"
    if isinstance(value, dict):
        return ", ".join(f"{key}={item}" for key, item in value.items()) or "—"
    if isinstance(value, str) and "://" in value:
        return masked_url(value)
    return str(value)
