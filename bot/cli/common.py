"""What every `sayso` command shares: one-line failures, loading the configuration, running a coroutine."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Coroutine, Iterator
from typing import Any, TypeVar
from urllib.parse import urlsplit

import typer
from rich.console import Console

from bot.config import Config, ConfigError, load_config
from bot.errors import StartupError
from bot.logs import setup_logging

err = Console(stderr=True, highlight=False)
T = TypeVar("T")


def fail(message: str, code: int = 2) -> typer.Exit:
    err.print(f"[red]error:[/red] {message}", markup=True, soft_wrap=True)
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
def suppress_interrupt() -> Iterator[None]:
    """Ctrl-C ends the command quietly with the conventional exit code."""
    try:
        yield
    except KeyboardInterrupt:
        raise typer.Exit(130) from None


def masked_url(url: str) -> str:
    """A receiver or service URL as output may show it: no user, password or query (any of which may
    carry a token)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return f"{parts.scheme}://{netloc}{parts.path}" + ("?…" if parts.query else "")
