"""The `sayso` command line, one module per command group."""

from __future__ import annotations

from importlib.metadata import version
from typing import Annotated

import typer

from bot.cli import (
    config_commands,
    data_commands,
    digest_commands,
    staff_commands,
    suggestion_commands,
    survey_commands,
    text_commands,
    webhook_commands,
)

app = typer.Typer(help="Sayso: chat-native customer feedback.", no_args_is_help=True, add_completion=False)


def _version(asked: bool) -> None:
    if asked:
        print(f"sayso {version('sayso')}")
        raise typer.Exit()


@app.callback()
def _options(
    show_version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """Sayso: chat-native customer feedback."""


GROUPS = (
    survey_commands,
    data_commands,
    digest_commands,
    suggestion_commands,
    config_commands,
    staff_commands,
    text_commands,
    webhook_commands,
)
for group in GROUPS:
    group.register(app)


def main() -> None:
    app()
