"""`sayso webhooks`: test the receivers, see the outbox, send failed deliveries again."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from bot.cli.common import config_or_exit, fail, run_or_exit
from bot.wiring import Services, build_services
from handlers.core.ports import Posted
from handlers.core.redaction import masked_url
from handlers.operations.webhooks import retry_failed_deliveries, webhook_status

webhooks_app = typer.Typer(help="Signed event webhooks (SAYSO_WEBHOOK_URLS).", no_args_is_help=True)
out = Console(highlight=False)


def register(app: typer.Typer) -> None:
    app.add_typer(webhooks_app, name="webhooks")


def _configured(services: Services) -> Services:
    if services.webhooks is None:
        raise fail("no webhooks configured: set SAYSO_WEBHOOK_URLS and SAYSO_WEBHOOK_SECRET", 1)
    return services


@webhooks_app.command("test")
def test() -> None:
    """Send a signed `ping` to every receiver and print what each answered (exit 1 if any did not accept)."""
    config = config_or_exit()

    async def _ping() -> dict[str, Posted]:
        async with build_services(config) as services:
            sender = _configured(services).webhooks
            assert sender is not None
            return await sender.ping()

    answers = run_or_exit(_ping())
    table = Table("receiver", "answer")
    for url, posted in answers.items():
        table.add_row(masked_url(url), f"HTTP {posted.status}" if posted.status is not None else str(posted.error))
    out.print(table)
    if any(p.status is None or not 200 <= p.status < 300 for p in answers.values()):
        raise typer.Exit(1)


@webhooks_app.command("status")
def status() -> None:
    """Deliveries pending, failed and delivered per receiver, with the last error."""
    config = config_or_exit()

    async def _status() -> list[tuple[str, int, int, int, str]]:
        async with build_services(config) as services:
            return [
                (masked_url(s.url), s.pending, s.failed, s.delivered, s.last_error or "—")
                for s in await webhook_status(services.context)
            ]

    table = Table("receiver", "pending", "failed", "delivered", "last error")
    for url, pending, failed, delivered, error in run_or_exit(_status()):
        table.add_row(url, str(pending), str(failed), str(delivered), error)
    out.print(table)


@webhooks_app.command("retry")
def retry(
    failed: Annotated[bool, typer.Option("--failed", help="Send every failed delivery again (same id).")] = False,
) -> None:
    """Send failed deliveries again; the running `sayso run` posts them within seconds."""
    if not failed:
        raise fail("say what to retry: --failed", 2)
    config = config_or_exit()

    async def _retry() -> int:
        async with build_services(config) as services:
            return await retry_failed_deliveries(services.context)

    out.print(f"{run_or_exit(_retry())} failed deliveries queued again")
