"""What every `sayso` command shares: one-line failures, loading the configuration, running a coroutine."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Coroutine, Iterator
from typing import Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from bot.config import Config, ConfigError, load_config
from bot.errors import StartupError
from bot.logs import setup_logging

err = Console(stderr=True, highlight=False)
T = TypeVar("T")


def fail(message: str, code: int = 2) -> typer.Exit:
    err.print(f"[red]error:[/red] {escape(message)}", markup=True, soft_wrap=True)
    return typer.Exit(code)


def config_or_exit() -> Config:
    try:
        config = load_config()
    except ConfigError as exc:
        raise fail(str(exc)) from None
    setup_logging(config.settings.log_level)
    return config


def run_or_exit(coro: Coroutine[Any, Any, T]) -> T:
    try:
        return asyncio.run(coro)
    except (StartupError, ConfigError) as exc:
        raise fail(str(exc)) from None


@contextlib.contextmanager
def suppress_interrupt(said: str | None = None) -> Iterator[None]:
    """Ctrl-C ends the command with the conventional exit code, saying `said` (if any) on the way out."""
    try:
        yield
    except KeyboardInterrupt:
        if said:
            err.print(said)
        raise typer.Exit(130) from None
