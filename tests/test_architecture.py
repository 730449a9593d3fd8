"""The layout, enforced: stage packages in one dependency order, and no import cycles.

Every import counts: module-level, function-level, ``TYPE_CHECKING`` blocks, relative imports
and ``importlib.import_module("…")`` with a literal name.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from pathlib import Path

import pytest

from tests.conftest import ROOT

# Each package imports only itself and packages earlier in its list (README, "Architecture").
BOT_ORDER = (
    "core",  # config, models, db + migrations, errors, clock, services, ports, value types
    "text",
    "costs",
    "feeds",
    "transcripts",
    "insights",
    "search",
    "ask",
    "channels",
    "briefs",
    "delivery",
    "jobs",
    "reports",
    "demo",
    "providers",
)
# Slack and Discord sit side by side: neither imports the other.
HANDLERS_ORDER = ("chat", "console", "web", ("slack_app", "discord_bot"), "runtime", "cli")
COMPOSITION_ROOT = "handlers.cli.root"
PLATFORM_SDKS = ("slack_bolt", "slack_sdk", "discord")
MAX_TOP_LEVEL_BOT_MODULES = 8


def find_modules(root: Path, packages: Iterable[str] = ("bot", "handlers")) -> dict[str, Path]:
    """``{dotted module name: file}`` for every module under the given top-level packages."""
    modules = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            modules[".".join(parts)] = path
    return modules


def imported_names(module: str, path: Path) -> set[str]:
    """Every dotted name an import in ``path`` names (``from a import b`` gives ``a.b``)."""
    is_package = path.name == "__init__.py"
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = _absolute_base(module, is_package, node)
            names |= {f"{base}.{alias.name}" for alias in node.names}
        elif _is_import_module_call(node):
            names.add(str(node.args[0].value))
    return names


def _absolute_base(module: str, is_package: bool, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    package = module.split(".") if is_package else module.split(".")[:-1]
    package = package[: len(package) - node.level + 1]
    return ".".join(package + ([node.module] if node.module else []))


def _is_import_module_call(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Call)
        and getattr(node.func, "attr", getattr(node.func, "id", "")) == "import_module"
        and bool(node.args)
        and isinstance(node.args[0], ast.Constant)
    )


def import_graph(root: Path) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """Project-module edges, and every imported name per module (for the SDK checks)."""
    modules = find_modules(root)
    edges: dict[str, set[str]] = {}
    names: dict[str, set[str]] = {}
    for module, path in modules.items():
        names[module] = imported_names(module, path)
        edges[module] = {t for n in names[module] if (t := _project_module(n, modules))} - {module}
    return edges, names


def _project_module(name: str, modules: dict[str, Path]) -> str | None:
    """The project module ``name`` refers to (a function or class resolves to its module)."""
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


def package_of(module: str) -> str:
    """``bot.search.index`` → ``bot.search``; modules directly in ``bot/`` → ``bot``."""
    return ".".join(module.split(".")[:2])


def _ranks() -> dict[str, int]:
    ranks = {f"bot.{name}": rank for rank, name in enumerate(BOT_ORDER)}
    for rank, tier in enumerate(HANDLERS_ORDER):
        for name in (tier,) if isinstance(tier, str) else tier:
            ranks[f"handlers.{name}"] = rank
    return ranks


def layer_violations(edges: dict[str, set[str]]) -> list[str]:
    """Imports that break the package order, reach ``providers`` or go from bot to handlers."""
    ranks = _ranks()
    problems = []
    for module, targets in sorted(edges.items()):
        source = package_of(module)
        for target in sorted(targets):
            problem = _layer_problem(module, source, package_of(target), ranks)
            if problem:
                problems.append(f"{module} imports {target}: {problem}")
    return problems


def _layer_problem(module: str, source: str, target: str, ranks: dict[str, int]) -> str | None:
    if source == target:
        return None
    if source not in ranks or target not in ranks:
        return "a package outside the documented order"
    if target == "bot.providers" and module != COMPOSITION_ROOT and source != "bot.providers":
        return f"only the composition root ({COMPOSITION_ROOT}) builds providers"
    if source.startswith("bot.") and target.startswith("handlers."):
        return "the core never imports the adapters"
    same_side = source.split(".")[0] == target.split(".")[0]
    if same_side and ranks[target] >= ranks[source]:
        return "a lower package imports a higher one (or a sibling)"
    return None


def import_cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []
    for start in sorted(edges):
        if start in index:
            continue
        work = [(start, iter(sorted(edges[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = _pop_component(stack, on_stack, node)
                    if len(component) > 1:
                        cycles.append(sorted(component))
            elif child not in index:
                index[child] = low[child] = len(index)
                stack.append(child)
                on_stack.add(child)
                work.append((child, iter(sorted(edges.get(child, ())))))
            elif child in on_stack:
                low[node] = min(low[node], index[child])
    return cycles


def _pop_component(stack: list[str], on_stack: set[str], root: str) -> list[str]:
    component = []
    while True:
        node = stack.pop()
        on_stack.discard(node)
        component.append(node)
        if node == root:
            return component


def platform_imports(names: dict[str, set[str]]) -> list[str]:
    """Modules of ``bot/`` that import a platform SDK."""
    return [
        f"{module} imports {name}"
        for module, imported in sorted(names.items())
        if module.startswith("bot")
        for name in sorted(imported)
        if name.split(".")[0] in PLATFORM_SDKS
    ]


# --- the project --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def graph() -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    return import_graph(ROOT)


def test_every_package_is_in_the_documented_order(graph):
    edges, _ = graph
    assert len(edges) > 100
    packages = {package_of(module) for module in edges} - {"bot", "handlers"}
    assert packages == set(_ranks()), "add new packages to BOT_ORDER / HANDLERS_ORDER"


def test_packages_import_only_packages_below_them(graph):
    edges, _ = graph
    assert layer_violations(edges) == []


def test_there_are_no_import_cycles(graph):
    edges, _ = graph
    assert import_cycles(edges) == []


def test_the_core_imports_no_platform_sdk(graph):
    _, names = graph
    assert platform_imports(names) == []


def test_few_modules_stay_directly_in_bot():
    top_level = [p for p in (ROOT / "bot").glob("*.py") if p.name != "__init__.py"]
    assert len(top_level) <= MAX_TOP_LEVEL_BOT_MODULES, sorted(p.name for p in top_level)


# --- the checker itself, on a small tree written here ----------------------------------------


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    for package in ("bot", "handlers"):
        (tmp_path / package).mkdir(exist_ok=True)
    return tmp_path


def test_the_checker_catches_a_lower_package_importing_a_higher_one(tmp_path):
    root = _tree(
        tmp_path,
        {
            "bot/core/models.py": "def f():\n    from bot.search.index import x\n",
            "bot/search/index.py": "x = 1\n",
        },
    )
    edges, _ = import_graph(root)
    assert layer_violations(edges) == [
        "bot.core.models imports bot.search.index: a lower package imports a higher one "
        "(or a sibling)"
    ]


def test_the_checker_catches_providers_core_to_handlers_and_siblings(tmp_path):
    root = _tree(
        tmp_path,
        {
            "bot/jobs/work.py": "from bot.providers import factory\n",
            "bot/providers/factory.py": "",
            "bot/ask/answers.py": "from typing import TYPE_CHECKING\n"
            "if TYPE_CHECKING:\n    from handlers.chat.replies import Reply\n",
            "handlers/chat/replies.py": "",
            "handlers/slack_app/render.py": "from handlers.discord_bot import render\n",
            "handlers/discord_bot/render.py": "",
        },
    )
    edges, _ = import_graph(root)
    problems = layer_violations(edges)
    assert len(problems) == 3
    assert "only the composition root" in problems[1]
    assert "never imports the adapters" in problems[0]
    assert "sibling" in problems[2]


def test_the_checker_catches_a_cycle_through_relative_and_late_imports(tmp_path):
    root = _tree(
        tmp_path,
        {
            "bot/feeds/__init__.py": "",
            "bot/feeds/a.py": "from . import b\n",
            "bot/feeds/b.py": "def f():\n    import importlib\n"
            "    return importlib.import_module('bot.feeds.c')\n",
            "bot/feeds/c.py": "from bot.feeds.a import thing\n",
            "bot/feeds/d.py": "from bot.feeds import a\n",
        },
    )
    edges, _ = import_graph(root)
    assert import_cycles(edges) == [["bot.feeds.a", "bot.feeds.b", "bot.feeds.c"]]


def test_the_checker_catches_a_platform_sdk_in_the_core(tmp_path):
    root = _tree(tmp_path, {"bot/delivery/posting.py": "def f():\n    import slack_sdk\n"})
    _, names = import_graph(root)
    assert platform_imports(names) == ["bot.delivery.posting imports slack_sdk"]
