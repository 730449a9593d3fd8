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
