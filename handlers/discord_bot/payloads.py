"""Application-command payloads: built from the tree, checked against Discord's rules."""

from __future__ import annotations

import logging
from typing import Any

import discord
import regex
from discord import app_commands

from handlers.discord_bot.tree import build_group

log = logging.getLogger(__name__)

NAME = regex.compile(r"^[-_\p{L}\p{N}]{1,32}$")
MAX_DESCRIPTION = 100
MAX_OPTIONS = 25
MAX_CHOICES = 25
MAX_COMMAND_CHARS = 4000  # combined name, description and choice values of one command
SUBCOMMAND_TYPES = (1, 2)


class _PayloadOnly:
    """A router that is never called: payloads need the tree's shape, not its behaviour."""

    async def invoke(self, *args: Any) -> None:
        raise RuntimeError("payload-only router")

    async def complete_topic(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return []

    async def complete_podcast(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return []


def command_payloads() -> list[dict[str, Any]]:
    """The exact JSON ``discord sync`` sends (bulk overwrite), built without a token."""
    client = discord.Client(intents=discord.Intents(guilds=True))
    tree = app_commands.CommandTree(client)
    tree.add_command(build_group(_PayloadOnly()))
    return [command.to_dict(tree) for command in tree.get_commands()]


def validate_payloads(payloads: list[dict[str, Any]]) -> list[str]:
    """Every rule a payload breaks, as readable one-line problems (empty when valid)."""
    problems: list[str] = []
    for payload in payloads:
        problems += _check(payload, payload.get("name", "?"))
        total = _chars(payload)
        if total > MAX_COMMAND_CHARS:
            problems.append(f"{payload.get('name')}: {total} characters > {MAX_COMMAND_CHARS}")
    return problems


def _check(item: dict[str, Any], where: str) -> list[str]:
    problems = []
    name = item.get("name", "")
    if not NAME.match(name) or name != name.lower():
        problems.append(f"{where}: name {name!r} must be 1-32 lower-case letters, digits, - or _")
    description = item.get("description", "")
    if not 1 <= len(description) <= MAX_DESCRIPTION:
        problems.append(f"{where}: description must be 1–100 characters, has {len(description)}")
    options = item.get("options") or []
    if len(options) > MAX_OPTIONS:
        problems.append(f"{where}: {len(options)} options > {MAX_OPTIONS}")
    if len(item.get("choices") or []) > MAX_CHOICES:
        problems.append(f"{where}: more than {MAX_CHOICES} choices")
    if item.get("choices") and item.get("autocomplete"):
        problems.append(f"{where}: choices and autocomplete are exclusive")
    problems += _check_required_first(options, where)
    for option in options:
        problems += _check(option, f"{where} {option.get('name', '?')}")
    return problems


def _check_required_first(options: list[dict[str, Any]], where: str) -> list[str]:
    plain = [o for o in options if o.get("type") not in SUBCOMMAND_TYPES]
    if plain and [o.get("required", False) for o in plain] != sorted(
        (o.get("required", False) for o in plain), reverse=True
    ):
        return [f"{where}: required options must come before optional ones"]
    return []


def _chars(item: dict[str, Any]) -> int:
    total = len(item.get("name", "")) + len(item.get("description", ""))
    for choice in item.get("choices") or []:
        total += len(str(choice.get("name", ""))) + len(str(choice.get("value", "")))
    return total + sum(_chars(option) for option in item.get("options") or [])
