"""manifest.yml is a valid Slack app manifest and agrees with the command table and scopes."""

from __future__ import annotations

import json

import jsonschema
import pytest
import yaml
from referencing import Registry, Resource

from handlers.chat.commands import command_table
from handlers.slack_app.installs import BOT_SCOPES
from tests.conftest import ROOT

SCHEMA_URL = "https://raw.githubusercontent.com/slackapi/manifest-schema/v0.5.0/schemas/"


@pytest.fixture(scope="module")
def manifest() -> dict:
    return yaml.safe_load((ROOT / "manifest.yml").read_text())


def _registry(corpus) -> Registry:
    folder = corpus / "slack" / "manifest-schema" / "schemas"
    resources = [
        (SCHEMA_URL + path.name, Resource.from_contents(json.loads(path.read_text())))
        for path in folder.glob("*.json")
    ]
    return Registry().with_resources(resources)


def test_manifest_is_valid_against_slacks_schema(manifest, corpus):
    schema = json.loads((corpus / "slack" / "manifest-schema" / "manifest.schema.json").read_text())
    validator = jsonschema.Draft7Validator(schema, registry=_registry(corpus))
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(manifest)]
    assert errors == []


def test_schema_check_really_rejects_a_broken_manifest(manifest, corpus):
    schema = json.loads((corpus / "slack" / "manifest-schema" / "manifest.schema.json").read_text())
    validator = jsonschema.Draft7Validator(schema, registry=_registry(corpus))
    broken = json.loads(json.dumps(manifest))
    broken["features"]["slash_commands"][0]["command"] = "podbrief"  # must start with "/"
    assert list(validator.iter_errors(broken))


def test_slash_command_matches_the_command_table(manifest):
    [slash] = manifest["features"]["slash_commands"]
    assert slash["command"] == "/podbrief"
    assert slash["usage_hint"] == " | ".join(command.usage for command in command_table())
    assert "help" in slash["description"]


def test_scopes_and_events_match_what_the_app_uses(manifest):
    assert sorted(manifest["oauth_config"]["scopes"]["bot"]) == sorted(BOT_SCOPES)
    events = set(manifest["settings"]["event_subscriptions"]["bot_events"])
    assert {"app_mention", "app_home_opened"} <= events
    assert manifest["settings"]["interactivity"]["is_enabled"]
    assert manifest["features"]["app_home"]["home_tab_enabled"]
