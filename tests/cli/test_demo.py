"""`podbrief demo`'s closing hint: commands that work as printed, on PATH or not."""

from __future__ import annotations

import sys
from pathlib import Path

from handlers.cli.demo import program


def test_the_hint_spells_out_the_virtualenv_when_podbrief_is_not_on_path(monkeypatch, tmp_path):
    beside = Path(sys.executable).parent / "podbrief"
    monkeypatch.setenv("PATH", str(tmp_path))  # no podbrief on PATH: the venv is not active
    monkeypatch.chdir(tmp_path)
    expected = str(beside.absolute()) if beside.exists() else "podbrief"
    assert program() == expected


def test_the_hint_says_podbrief_when_path_finds_this_install(monkeypatch):
    beside = Path(sys.executable).parent
    monkeypatch.setenv("PATH", str(beside))
    assert program() == "podbrief"


def test_the_hint_is_relative_inside_the_checkout(monkeypatch, tmp_path):
    beside = Path(sys.executable).parent / "podbrief"
    if not beside.exists():
        return  # not installed as a console script here: nothing to spell out
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.chdir(beside.parent.parent.parent)  # the folder holding .venv
    assert program() == str(Path(beside.parent.parent.name) / "bin" / "podbrief")
