"""Wall time of each CLI contract command as a user's shell runs it (a fresh process each time).

Run: ``.venv/bin/python -m bench.cli [--repeat 3]``. Builds a demo database in a temporary
directory, then times every command of DESIGN.md's contract against it. Prints figures;
asserts nothing. Nothing leaves 127.0.0.1 (the demo serves its sample feeds locally).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ENTRY = "from handlers.cli import main; main()"
QUESTION = "Why are startups moving to open-weight models?"
COMMANDS: list[list[str]] = [
    ["--help"],
    ["db", "upgrade"],
    ["feeds", "list", "--json"],
    ["episodes", "list", "--json"],
    ["process", "--json"],
    ["brief", "--topic", "open-source AI", "--json"],
    ["brief", "--channel", "demo"],
    ["ask", QUESTION, "--json"],
    ["search", "heat", "pumps", "--json"],
    ["summary", "1", "--json"],
    ["status", "--json"],
    ["usage", "--json"],
]


def run(args: list[str], env: dict[str, str]) -> float:
    """Seconds one fresh ``podbrief ARGS`` process takes; raises when it fails."""
    began = time.perf_counter()
    subprocess.run([sys.executable, "-c", ENTRY, *args], env=env, check=True, capture_output=True)
    return time.perf_counter() - began


def main() -> None:
    """Build the demo database, then print the median wall time of every contract command."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "demo.db"
        env = {k: v for k, v in os.environ.items() if k not in ("OPENAI_API_KEY", "LOG_LEVEL")}
        env["DATABASE_URL"] = f"sqlite:///{path}"
        print(f"demo (build the database): {run(['demo', '--db', str(path)], env):6.2f} s")
        for args in COMMANDS:
            times = [run(args, env) for _ in range(options.repeat)]
            label = " ".join(a if " " not in a else f'"{a}"' for a in args)
            print(f"podbrief {label[:58]:58} {statistics.median(times):6.2f} s")


if __name__ == "__main__":
    main()
