"""Discord adapter figures: embed rendering, command payloads, and how soon interactions defer.

Run: ``.venv/bin/python -m bench.discord [--interactions N] [--core-seconds S]``. The defer
figure drives the real discord.py pipeline against the loopback fake API (no network) with a
deliberately slow core, so it shows the 3-second acknowledgement holds however slow the work.
Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

import discord

from bot.core import db
from bot.core.config import Settings
from bot.core.services import Services
from bot.core.values import Brief, BriefItem, RelatedInsight
from handlers.chat.replies import CommandRequest, Line, Reply
from handlers.discord_bot.client import build_client
from handlers.discord_bot.payloads import command_payloads, validate_payloads
from handlers.discord_bot.render import render_brief
from tests.fakes.discord_api import APP_ID, fake_api_in_thread


def sample_brief(size: int, words: int) -> Brief:
    """A brief of ``size`` items whose texts are ``words`` words long (hostile characters too)."""
    filler = " ".join(["@everyone [x](https://e.example) **word**"] * words)
    related = [RelatedInsight("r", "Show", "Ep", 1, 60.0, "https://x.example/a")] * 3
    items = [
        BriefItem(
            n,
            n,
            f"Claim {n} {filler}",
            f"quote {filler}",
            "Ann",
            "Pod",
            "Ep",
            1,
            754.0,
            "https://cdn.example/a.mp3#t=754",
            ["ai"],
            0.5,
            related=related,
        )
        for n in range(1, size + 1)
    ]
    return Brief(date(2026, 12, 1), ["ai"], items)


def time_per_call(fn, repeat: int) -> float:
    """Best-of-three mean seconds per call."""
    best = float("inf")
    for _ in range(3):
        began = time.perf_counter()
        for _ in range(repeat):
            fn()
        best = min(best, (time.perf_counter() - began) / repeat)
    return best


def interaction(n: int) -> dict:
    return {
        "id": str(900 + n),
        "application_id": APP_ID,
        "token": f"tok{n}",
        "version": 1,
        "type": 2,
        "attachment_size_limit": 8388608,
        "guild_id": "290926798626357999",
        "channel": {
            "id": "645027906669510667",
            "type": 0,
            "guild_id": "290926798626357999",
            "name": "general",
            "position": 0,
            "permission_overwrites": [],
        },
        "member": {
            "user": {
                "id": "53908232506183680",
                "username": "m",
                "discriminator": "0",
                "avatar": None,
            },
            "roles": [],
            "permissions": "2147483647",
            "flags": 0,
            "joined_at": "2017-03-13T19:19:14.040000+00:00",
        },
        "data": {
            "id": "1",
            "type": 1,
            "name": "podbrief",
            "options": [{"type": 1, "name": "status", "options": []}],
        },
    }


async def defer_latencies(count: int, core_seconds: float) -> tuple[list[float], float]:
    """Seconds from receiving each interaction to its defer reaching Discord; total wall time."""
    with tempfile.TemporaryDirectory() as tmp:
        engine = db.create_db_engine(f"sqlite:///{Path(tmp) / 'bench.db'}")
        db.upgrade(engine)
        with fake_api_in_thread() as api:  # its own loop, like a remote server
            settings = Settings(_env_file=None, discord_api_url=api.base_url)

            def slow_core(services: Services, request: CommandRequest) -> Reply:
                time.sleep(core_seconds)
                return Reply(lines=[Line("ok")])

            bot = build_client(Services(settings=settings, engine=engine), dispatch=slow_core)
            await bot.login("bench-token")
            received: dict[str, float] = {}
            began = time.perf_counter()
            for n in range(count):
                received[f"/interactions/{900 + n}/tok{n}/callback"] = time.perf_counter()
                bot._connection.parse_interaction_create(interaction(n))
            while len(api.matching("POST", "/webhooks/")) < count:
                await asyncio.sleep(0.01)
            deferred = {call.path: call.at for call in api.matching("POST", "/callback")}
            total = time.perf_counter() - began
            await bot.http.close()
            bot.context.close()
        engine.dispose()
    return [deferred[path] - received[path] for path in deferred], total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--interactions", type=int, default=20)
    parser.add_argument("--core-seconds", type=float, default=2.5)
    args = parser.parse_args()
    discord.utils.setup_logging(level=40)  # errors only: keep the figures readable

    latencies, total = asyncio.run(defer_latencies(args.interactions, args.core_seconds))
    latencies.sort()
    p95 = latencies[int(0.95 * (len(latencies) - 1))]
    print(
        f"defer latency ({args.interactions} at once, core {args.core_seconds}s each): "
        f"median {statistics.median(latencies) * 1e3:.1f} ms, p95 {p95 * 1e3:.1f} ms, "
        f"max {max(latencies) * 1e3:.1f} ms (Discord's limit: 3000 ms)"
    )
    print(f"all follow-ups sent after     : {total:.2f} s")

    typical, worst = sample_brief(5, 4), sample_brief(10, 2000)
    typical_ms = time_per_call(lambda: render_brief(typical), 200) * 1e3
    worst_ms = time_per_call(lambda: render_brief(worst), 20) * 1e3
    fitted = sum(len(e) for e in render_brief(worst))
    print(f"render_brief, 5 items        : {typical_ms:.3f} ms")
    print(f"render_brief, 10 huge items  : {worst_ms:.3f} ms ({fitted} chars after fitting)")
    payloads = command_payloads()
    payload_ms = time_per_call(command_payloads, 20) * 1e3
    problems = len(validate_payloads(payloads))
    subcommands = len(payloads[0]["options"])
    print(
        f"command payloads             : {payload_ms:.2f} ms ({subcommands} subcommands, "
        f"{problems} problems)"
    )


if __name__ == "__main__":
    main()
