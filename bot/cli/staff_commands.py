"""`sayso staff`: the web console's accounts (invite, list, remove, reset), for a terminal on the server."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from bot.cli.common import config_or_exit, fail, run_or_exit
from bot.wiring import build_services
from handlers.staff.accounts import AccountProblem, Link, StaffAccounts, StaffRole

staff_app = typer.Typer(help="Staff accounts of the web console.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(staff_app, name="staff")


T = TypeVar("T")


def _with_accounts(change: Callable[[StaffAccounts], Awaitable[T]]) -> tuple[T, str]:
    """Run one account change; an impossible one ends the command with its one-line reason.
    Returns what it returned and the public URL its links go under."""
    config = config_or_exit()

    async def _run() -> T:
        async with build_services(config) as services:
            return await change(services.staff)

    try:
        return run_or_exit(_run()), config.settings.public_url
    except AccountProblem as exc:
        raise fail(str(exc)) from None


def _print_link(link: Link, public_url: str, what: str) -> None:
    print(f"{what} link (works once, until {link.expires_at:%Y-%m-%d %H:%M} UTC):")
    print(f"{public_url}/console/invite/{link.token}")


@staff_app.command("invite")
def staff_invite(
    email: Annotated[str, typer.Argument(help="Their e-mail address (their sign-in name).")],
    role: Annotated[StaffRole, typer.Option(help="owner, manager, viewer or agent.")],
    agent: Annotated[str | None, typer.Option(help="For agents: the agent name their interactions carry.")] = None,
) -> None:
    """Make an account and print its single-use invitation link (valid 72 hours)."""
    _print_link(*_with_accounts(lambda staff: staff.invite(email, role, agent=agent)), "Invitation")


@staff_app.command("reset")
def staff_reset(email: Annotated[str, typer.Argument(help="Their e-mail address.")]) -> None:
    """Print a new single-use link to set a password (the old one works until it is used)."""
    _print_link(*_with_accounts(lambda staff: staff.reset(email)), "Password")


@staff_app.command("remove")
def staff_remove(email: Annotated[str, typer.Argument(help="Their e-mail address.")]) -> None:
    """Remove an account; its sessions end at once."""
    _with_accounts(lambda staff: staff.remove(email))
    print(f"removed {email.strip().lower()}")


@staff_app.command("list")
def staff_list() -> None:
    """Every account, its role and whether it has signed in yet."""
    config = config_or_exit()

    async def _list() -> list[tuple[str, str, str, str]]:
        async with build_services(config) as services:
            return [
                (m.email, str(m.role), m.agent or "—", "yes" if m.password_hash else "invited")
                for m in await services.staff.members()
            ]

    rows = run_or_exit(_list())
    if not rows:
        print("No staff accounts yet. Make the first owner: sayso staff invite you@example.com --role owner")
        return
    table = Table("e-mail", "role", "agent", "password set")
    for row in rows:
        table.add_row(*row)
    Console(highlight=False).print(table)
