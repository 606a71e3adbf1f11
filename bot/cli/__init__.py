"""The `sayso` command line, one module per command group."""

from __future__ import annotations

import typer

from bot.cli import config_commands, data_commands, digest_commands, suggestion_commands, survey_commands

app = typer.Typer(help="Sayso: chat-native customer feedback.", no_args_is_help=True, add_completion=False)
for group in (survey_commands, data_commands, digest_commands, suggestion_commands, config_commands):
    group.register(app)


def main() -> None:
    app()
