"""``podbrief discord sync``: register the ``/podbrief`` commands with Discord (or print them)."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import typer

from bot.core.config import Settings
from handlers.cli.output import print_json
from handlers.cli.root import runtime

log = logging.getLogger(__name__)


def register(app: typer.Typer) -> None:
    discord_app = typer.Typer(help="Discord bot operations.", no_args_is_help=True)

    @discord_app.command("sync")
    def sync(
        ctx: typer.Context,
        guild: str | None = typer.Option(None, "--guild", help="Register in one guild (instant)."),
        dry_run: bool = typer.Option(False, "--dry-run", help="Print the payloads; no token."),
        as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
    ) -> None:
        """Bulk-overwrite the application commands (global, or one guild with --guild)."""
        from handlers.discord_bot.payloads import command_payloads, validate_payloads

        # No gateway here: discord.py's voice-support warnings would only be noise.
        logging.getLogger("discord").setLevel(logging.ERROR)
        payloads = command_payloads()
        problems = validate_payloads(payloads)
        if problems:
            for problem in problems:
                typer.echo(f"invalid command payload: {problem}", err=True)
            raise typer.Exit(1)
        if dry_run:
            print_json(payloads)
            return
        result = _sync_or_exit(runtime(ctx).settings, payloads, guild)
        if as_json:
            print_json(result)
        else:
            names = ", ".join(result["commands"])
            typer.echo(f"registered ({result['scope']}): {names}")

    @discord_app.command("invite")
    def invite(
        ctx: typer.Context,
        as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
    ) -> None:
        """Print the URL that adds the bot to a server with the permissions it needs."""

        settings = runtime(ctx).settings
        if not (settings.discord_application_id or "").isdigit():
            typer.echo("error: DISCORD_APPLICATION_ID is not set (the app's numeric id)", err=True)
            raise typer.Exit(2)
        url, permissions = invite_url(settings.discord_application_id)  # type: ignore[arg-type]
        if as_json:
            print_json({"url": url, "permissions": permissions})
        else:
            typer.echo(url)

    app.add_typer(discord_app, name="discord")


def invite_url(application_id: str) -> tuple[str, int]:
    """The OAuth2 URL installing the bot and its slash commands; and the permission bits."""
    import discord

    permissions = discord.Permissions(
        view_channel=True,
        send_messages=True,
        send_messages_in_threads=True,
        create_public_threads=True,
        embed_links=True,
        read_message_history=True,  # a brief thread's starter message tells its episode
    )
    scopes = ("bot", "applications.commands")
    url = discord.utils.oauth_url(int(application_id), permissions=permissions, scopes=scopes)
    return url, permissions.value


def _sync_or_exit(settings: Settings, payloads: list[dict], guild: str | None) -> dict[str, Any]:
    import aiohttp
    import discord

    if settings.discord_token is None or not settings.discord_token.get_secret_value():
        typer.echo("error: DISCORD_TOKEN is not set (--dry-run prints the payloads)", err=True)
        raise typer.Exit(2)
    if guild is not None and not guild.isdigit():
        typer.echo(f"error: --guild must be a numeric guild id, got {guild!r}", err=True)
        raise typer.Exit(2)
    try:
        return asyncio.run(_sync(settings, payloads, guild))
    except discord.LoginFailure:
        typer.echo("error: Discord rejected DISCORD_TOKEN", err=True)
    except discord.HTTPException as exc:
        typer.echo(f"error: Discord refused the commands: {exc.status} {exc.text}", err=True)
    except (OSError, aiohttp.ClientError) as exc:
        typer.echo(f"error: cannot reach the Discord API: {exc}", err=True)
    raise typer.Exit(1)


async def _sync(settings: Settings, payloads: list[dict], guild: str | None) -> dict[str, Any]:
    import discord

    from handlers.discord_bot.client import use_api_url

    use_api_url(settings.discord_api_url)
    app_id = int(settings.discord_application_id) if settings.discord_application_id else None
    client = discord.Client(intents=discord.Intents(guilds=True), application_id=app_id)
    async with client:
        await client.login(settings.discord_token.get_secret_value())  # type: ignore[union-attr]
        app_id = client.application_id
        if guild:
            saved = await client.http.bulk_upsert_guild_commands(app_id, int(guild), payloads)
        else:
            saved = await client.http.bulk_upsert_global_commands(app_id, payloads)
    scope = f"guild {guild}" if guild else "global"
    return {"scope": scope, "commands": [command["name"] for command in saved]}
