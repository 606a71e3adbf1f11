"""`sayso config check`: the effective settings, validated, secrets masked."""

from __future__ import annotations

import typer
from pydantic import SecretStr
from rich.console import Console
from rich.table import Table

from bot.cli.common import config_or_exit

config_app = typer.Typer(help="Configuration.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(config_app, name="config")


@config_app.command("check")
def config_check() -> None:
    """Validate the configuration and print the effective settings, secrets masked."""
    config = config_or_exit()
    table = Table("setting", "value", title="Sayso configuration")
    for name, field in type(config.settings).model_fields.items():
        value = getattr(config.settings, name)
        shown = "(set, hidden)" if isinstance(value, SecretStr) else value
        table.add_row(str(field.validation_alias or name), _show(shown))
    file = config.file
    table.add_row("surveys", ", ".join(sorted(config.surveys)))
    for section in ("delivery", "throttle", "anonymity", "targets"):
        for key, value in getattr(file, section).model_dump().items():
            table.add_row(f"{section}.{key}", _show(value))
    table.add_row("default_language", file.default_language)
    Console(highlight=False).print(table)
    Console(highlight=False).print("[green]configuration is valid[/green]")


def _show(value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, list):
        return ", ".join(map(str, value)) or "—"
    if isinstance(value, str) and "://" in value:
        from sqlalchemy.engine import make_url

        try:
            return make_url(value).render_as_string(hide_password=True)
        except Exception:
            return value
    return str(value)
