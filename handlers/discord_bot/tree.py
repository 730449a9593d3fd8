"""The ``/podbrief`` slash-command group, built from the shared command table.

Every subcommand, option and description comes from ``handlers.chat.commands.command_table()``;
invocations are handed to one router, which rebuilds the command text and dispatches it.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

import discord
from discord import app_commands

from handlers.chat.commands import Arg, Command, command_table

log = logging.getLogger(__name__)

QUOTES = ('"', "'", "“", "”", "„", "‘", "’", "«")  # what the shared parser treats as quotes
GROUP_NAME = "podbrief"
GROUP_DESCRIPTION = "Podcast briefs and cited answers from the shows this channel follows"

Complete = Callable[[discord.Interaction, str], Awaitable[list[app_commands.Choice[str]]]]


class CommandRouter(Protocol):
    """Where slash-command invocations and autocomplete requests go."""

    async def invoke(
        self, interaction: discord.Interaction, command: Command, values: dict[str, Any]
    ) -> None:
        """Handle one invocation of ``command`` with its option values."""
        ...

    async def complete_topic(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        """Topic suggestions for this channel."""
        ...

    async def complete_podcast(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        """Followed-podcast suggestions."""
        ...


def build_group(router: CommandRouter) -> app_commands.Group:
    """The ``/podbrief`` group with one subcommand per table entry, in help order."""
    group = app_commands.Group(
        name=GROUP_NAME,
        description=GROUP_DESCRIPTION,
        # Installed to guilds, usable there and in the bot's DMs (personal briefs).
        allowed_contexts=app_commands.AppCommandContext(guild=True, dm_channel=True),
        allowed_installs=app_commands.AppInstallationType(guild=True),
        # Discord applies default_member_permissions to a whole top-level command, and
        # everyone may ask; so Manage Channels is checked per admin-only subcommand instead.
        default_permissions=None,
    )
    for command in command_table():
        group.add_command(_subcommand(command, router))
    return group


def request_text(command: Command, values: dict[str, Any]) -> str:
    """The text a user would have typed: ``subscribe --me "open source"``-style, table order."""
    parts = [command.name]
    for arg in command.args:
        value = values.get(arg.name)
        if value is None or value is False or (isinstance(value, str) and not value.strip()):
            continue
        if arg.kind == "flag":
            parts.append(f"--{arg.name}")
        elif arg.rest:
            parts.append(str(value).strip())  # the remainder of the line: taken verbatim
        else:
            parts.append(_word(str(value).strip()))
    return " ".join(parts)


def _word(value: str) -> str:
    """One argument as a single word for the shared parser (quotes only open a word)."""
    if not any(c.isspace() for c in value) and not value.startswith(QUOTES):
        return value
    for opening, closing in (('"', '"'), ("'", "'"), ("“", "”")):
        if closing not in value:
            return f"{opening}{value}{closing}"
    return '"' + value.replace('"', "”") + '"'


def _subcommand(command: Command, router: CommandRouter) -> app_commands.Command:
    async def callback(interaction: discord.Interaction, **values: Any) -> None:
        await router.invoke(interaction, command, values)

    callback.__signature__ = _signature(command.args)  # type: ignore[attr-defined]
    callback.__discord_app_commands_param_description__ = {  # type: ignore[attr-defined]
        arg.name: arg.description for arg in command.args
    }
    sub = app_commands.Command(name=command.name, description=command.summary, callback=callback)
    completers: dict[str, Complete] = {
        "topic": router.complete_topic,
        "podcast": router.complete_podcast,
    }
    for arg in command.args:
        if arg.kind in completers:
            sub.autocomplete(arg.name)(completers[arg.kind])
    return sub


def _signature(args: tuple[Arg, ...]) -> inspect.Signature:
    """``(interaction, *, option: type = default, …)``: keyword-only, so any order is valid."""
    params = [
        inspect.Parameter(
            "interaction", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=discord.Interaction
        )
    ]
    for arg in args:
        annotation = _annotation(arg)
        default = inspect.Parameter.empty
        if not arg.required or arg.kind == "flag":
            default = False if arg.kind == "flag" else None
            annotation = annotation if arg.kind == "flag" else annotation | None
        params.append(
            inspect.Parameter(
                arg.name, inspect.Parameter.KEYWORD_ONLY, annotation=annotation, default=default
            )
        )
    return inspect.Signature(params)


def _annotation(arg: Arg) -> Any:
    if arg.kind == "flag":
        return bool
    if arg.kind in ("int", "episode"):
        return app_commands.Range[int, 1, None]
    return str
