"""Ports and adapters: the core (bot/) never imports platform code or the adapters."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import ROOT

FORBIDDEN = ("slack_bolt", "slack_sdk", "discord", "handlers")
BOT_FILES = sorted((ROOT / "bot").rglob("*.py"))


def imported_modules(path: Path) -> set[str]:
    """Every module an (absolute or relative) import in ``path`` names."""
    modules = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            modules |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules.add(node.module)
        elif _is_import_module_call(node):
            modules.add(str(node.args[0].value))
    return modules


def _is_import_module_call(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Call)
        and getattr(node.func, "attr", "") == "import_module"
        and bool(node.args)
        and isinstance(node.args[0], ast.Constant)
    )


def test_bot_files_were_found():
    assert len(BOT_FILES) > 5


@pytest.mark.parametrize("path", BOT_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_bot_imports_no_platform_or_adapter_code(path):
    bad = {module for module in imported_modules(path) if module.split(".")[0] in FORBIDDEN}
    assert bad == set(), f"{path.relative_to(ROOT)} imports {sorted(bad)}"


def test_the_check_catches_a_forbidden_import(tmp_path):
    sample = tmp_path / "x.py"
    sample.write_text("import os\nfrom slack_sdk import WebClient\nimport discord.ext\n")
    assert {"slack_sdk", "discord.ext"} <= imported_modules(sample)
