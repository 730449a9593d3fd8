"""The README stays true: every setting and process type is documented."""

from __future__ import annotations

from bot.core.config import Settings
from tests.conftest import ROOT


def test_every_setting_has_its_env_var_in_the_readme():
    readme = (ROOT / "README.md").read_text()
    missing = [name.upper() for name in Settings.model_fields if name.upper() not in readme]
    assert not missing, f"document these env vars in README.md: {missing}"


def test_every_procfile_process_type_is_documented():
    readme = (ROOT / "README.md").read_text()
    for line in (ROOT / "Procfile").read_text().splitlines():
        if line.strip():
            role = line.split(":", 1)[0]
            assert f"{role}: podbrief run" in readme


def test_every_command_line_flag_is_documented():
    import typer.main

    from handlers.cli.app import build_app

    readme = (ROOT / "README.md").read_text()
    generated = {"--help", "--install-completion", "--show-completion"}  # typer's own

    def flags(command, path: str) -> list[str]:
        found = [
            f"{path} {opt}"
            for param in getattr(command, "params", [])
            for opt in getattr(param, "opts", [])
            if opt.startswith("--") and opt not in generated and opt not in readme
        ]
        for name, sub in getattr(command, "commands", {}).items():
            found += flags(sub, f"{path} {name}")
        return found

    missing = flags(typer.main.get_command(build_app()), "podbrief")
    assert not missing, f"document these flags in README.md: {missing}"


def test_the_sample_brief_has_the_shape_the_renderer_prints():
    """Items attributed as the console prints them (speaker · show · "episode" · ▶ time), to
    the demo's own shows."""
    import re

    from bot.demo.run import SAMPLES_DIR

    readme = (ROOT / "README.md").read_text()
    sample = readme.split("```", 2)[1]
    shows = {
        re.search(r"<title>(.*?)</title>", feed.read_text()).group(1)
        for feed in SAMPLES_DIR.glob("*/feed.xml")
    }
    attributions = [line.strip() for line in sample.splitlines() if line.strip().startswith("—")]
    assert attributions
    for line in attributions:
        found = re.fullmatch(r'— (.+) · (.+) · "(.+)" · ▶ \d+:\d\d', line)
        assert found and found.group(2) in shows, line
    assert "make ask Q=" in readme and "make chat" in readme and "--anyway" in readme
