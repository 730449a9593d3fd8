"""Application-command payloads: valid by Discord's rules, matching the table, synced by the CLI."""

from __future__ import annotations

import json

import discord
import pytest
from typer.testing import CliRunner

from handlers.chat.commands import command_table
from handlers.cli.app import build_app
from handlers.discord_bot.payloads import command_payloads, validate_payloads
from tests.fakes.discord_api import APP_ID, fake_api_in_thread

OPTION_TYPES = {"text": 3, "topic": 3, "podcast": 3, "url": 3, "int": 4, "episode": 4, "flag": 5}


@pytest.fixture
def podbrief_payload() -> dict:
    payloads = command_payloads()
    assert len(payloads) == 1
    return payloads[0]


def test_payloads_follow_discords_rules(podbrief_payload):
    assert validate_payloads([podbrief_payload]) == []
    assert len(json.dumps(podbrief_payload)) < 8000


def test_one_group_for_guilds_and_dms_open_to_everyone(podbrief_payload):
    assert podbrief_payload["name"] == "podbrief" and podbrief_payload["type"] == 1
    assert podbrief_payload["contexts"] == [0, 1]  # guild, bot DM
    assert podbrief_payload["integration_types"] == [0]  # guild install
    # Per-command only in Discord: admin-only subcommands are checked at invocation instead.
    assert podbrief_payload["default_member_permissions"] is None


def test_tree_matches_the_command_table(podbrief_payload):
    table = command_table()
    subcommands = podbrief_payload["options"]
    assert [s["name"] for s in subcommands] == [c.name for c in table]
    for sub, command in zip(subcommands, table, strict=True):
        assert sub["type"] == 1
        assert sub["description"] == command.summary
        by_name = {option["name"]: option for option in sub["options"]}
        assert set(by_name) == {arg.name for arg in command.args}
        for arg in command.args:
            option = by_name[arg.name]
            assert option["description"] == arg.description
            assert option["type"] == OPTION_TYPES[arg.kind]
            assert option["required"] == (arg.required and arg.kind != "flag")
            assert option.get("autocomplete", False) == (arg.kind in ("topic", "podcast"))


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"name": "PodBrief"}, "lower-case"),
        ({"name": "pod brief"}, "name"),
        ({"name": "x" * 33}, "name"),
        ({"description": ""}, "description"),
        ({"description": "d" * 101}, "description"),
        ({"options": [{"name": f"o{i}", "description": "d", "type": 3} for i in range(26)]}, "26"),
        (
            {
                "options": [
                    {"name": "a", "description": "d", "type": 3, "required": False},
                    {"name": "b", "description": "d", "type": 3, "required": True},
                ]
            },
            "required options",
        ),
        (
            {
                "options": [
                    {
                        "name": "a",
                        "description": "d" * 100,
                        "type": 3,
                        "choices": [{"name": "n" * 100, "value": "v" * 100} for _ in range(20)],
                    }
                ]
            },
            "characters",
        ),
    ],
)
def test_validation_catches_broken_payloads(change, problem):
    payload = {"name": "podbrief", "description": "ok", "type": 1, **change}
    problems = validate_payloads([payload])
    assert any(problem in p for p in problems), problems


def test_unicode_names_are_accepted():
    payload = {"name": "résumé-日本", "description": "ok", "type": 1}
    assert validate_payloads([payload]) == []


def test_dry_run_prints_payloads_without_a_token(monkeypatch):
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    result = CliRunner().invoke(build_app(), ["discord", "sync", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == command_payloads()


def test_sync_without_token_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("DISCORD_TOKEN", "")
    result = CliRunner().invoke(build_app(), ["discord", "sync"])
    assert result.exit_code == 2
    assert "DISCORD_TOKEN is not set" in result.stderr


@pytest.mark.parametrize("guild", [None, "290926798626357999"])
def test_sync_bulk_overwrites_through_the_http_api(monkeypatch, guild):
    old_base = discord.http.Route.BASE
    with fake_api_in_thread() as api:
        monkeypatch.setenv("DISCORD_TOKEN", "fake-token")
        monkeypatch.setenv("DISCORD_API_URL", api.base_url)
        monkeypatch.delenv("DISCORD_APPLICATION_ID", raising=False)
        args = ["discord", "sync", "--json"] + (["--guild", guild] if guild else [])
        result = CliRunner().invoke(build_app(), args)
    discord.http.Route.BASE = old_base
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["commands"] == ["podbrief"]
    puts = [call for call in api.calls if call.method == "PUT"]
    expected = f"/applications/{APP_ID}" + (f"/guilds/{guild}" if guild else "") + "/commands"
    assert [call.path for call in puts] == [expected]
    assert puts[0].json == command_payloads()


def test_sync_reports_a_refusal_in_one_line(monkeypatch):
    old_base = discord.http.Route.BASE
    with fake_api_in_thread() as api:
        api.fail[("PUT", f"/applications/{APP_ID}/commands")] = 400
        monkeypatch.setenv("DISCORD_TOKEN", "fake-token")
        monkeypatch.setenv("DISCORD_API_URL", api.base_url)
        result = CliRunner().invoke(build_app(), ["discord", "sync"])
    discord.http.Route.BASE = old_base
    assert result.exit_code == 1
    assert "Discord refused the commands: 400" in result.stderr


def test_invite_url_asks_for_bot_and_commands_with_minimal_permissions(monkeypatch):
    import discord as dpy

    monkeypatch.setenv("DISCORD_APPLICATION_ID", APP_ID)
    result = CliRunner().invoke(build_app(), ["discord", "invite", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert f"client_id={APP_ID}" in data["url"]
    assert "scope=bot+applications.commands" in data["url"]
    granted = dpy.Permissions(data["permissions"])
    assert granted.send_messages and granted.create_public_threads and granted.embed_links
    assert not (granted.administrator or granted.mention_everyone or granted.manage_messages)


def test_invite_without_application_id_is_a_clear_error(monkeypatch):
    monkeypatch.delenv("DISCORD_APPLICATION_ID", raising=False)
    result = CliRunner().invoke(build_app(), ["discord", "invite"])
    assert result.exit_code == 2
    assert "DISCORD_APPLICATION_ID" in result.stderr
