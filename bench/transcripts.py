"""How fast transcripts parse: every corpus file (and the bundled samples), MB/s and segments/s.

Run: ``.venv/bin/python -m bench.transcripts [--repeat N]``. Prints figures; asserts nothing.
The last line is the peak memory of parsing one VTT file as large as the MAX_TRANSCRIPT_BYTES
cap (target: under 300 MB), measured in a child process so this one's memory does not count.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bot.core.config import Settings
from bot.demo.run import SAMPLES_DIR
from bot.transcripts.parse import parse_transcript

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus" / "transcripts"
SAMPLES = SAMPLES_DIR


def transcript_files() -> list[Path]:
    """Corpus transcripts when the shared corpus is present, plus the bundled samples."""
    corpus = [p for p in CORPUS.glob("*/*") if p.is_file()] if CORPUS.is_dir() else []
    samples = [
        p
        for p in SAMPLES.glob("*/*")
        if p.suffix in {".vtt", ".srt", ".json", ".html"} and "chapters" not in p.name
    ]
    return sorted(corpus) + sorted(samples)


def bench_file(path: Path, repeat: int) -> tuple[str, int, int, float]:
    """(format, bytes, segments, best seconds of ``repeat`` parses)."""
    data = path.read_bytes()
    best = float("inf")
    for _ in range(repeat):
        began = time.perf_counter()
        parsed = parse_transcript(data, filename=path.name)
        best = min(best, time.perf_counter() - began)
    return parsed.format, len(data), len(parsed.segments), best


def main() -> None:
    """Print one line per file and the totals."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    total_bytes = total_segments = 0
    total_seconds = 0.0
    print(f"{'file':58} {'fmt':8} {'KiB':>7} {'segs':>6} {'ms':>8} {'MB/s':>7}")
    for path in transcript_files():
        fmt, size, segments, seconds = bench_file(path, args.repeat)
        total_bytes, total_segments = total_bytes + size, total_segments + segments
        total_seconds += seconds
        name = path.name if len(path.name) <= 58 else path.name[:55] + "..."
        print(
            f"{name:58} {fmt:8} {size / 1024:7.1f} {segments:6d} {seconds * 1000:8.2f} "
            f"{size / seconds / 1e6:7.2f}"
        )
    print(
        f"total: {total_bytes / 1e6:.2f} MB, {total_segments} segments in {total_seconds:.3f} s "
        f"= {total_bytes / total_seconds / 1e6:.2f} MB/s, {total_segments / total_seconds:,.0f} "
        "segments/s (best of each)"
    )
    print_cap_memory()


def cue_file(size: int) -> bytes:
    """A speaker-tagged VTT file of about ``size`` bytes, one cue per second."""
    cues, total, second = ["WEBVTT\n"], 0, 0
    while total < size:
        stamp = time.strftime("%H:%M:%S", time.gmtime(second))
        cue = (
            f"{stamp}.000 --> {stamp}.900\n<v Speaker {second % 3}>We compared databases and "
            f"indexes, and the trade-offs of each one, point {second}.\n"
        )
        cues.append(cue)
        total, second = total + len(cue) + 1, second + 1
    return "\n".join(cues).encode()


def cap_memory(size: int) -> tuple[float, float]:
    """(peak RSS in MB, seconds) of a child process parsing a ``size``-byte VTT file."""
    with tempfile.NamedTemporaryFile(suffix=".vtt") as handle:
        handle.write(cue_file(size))
        handle.flush()
        code = (
            "import sys; from bot.transcripts.parse import parse_transcript; "
            "parse_transcript(open(sys.argv[1], 'rb').read(), mime='text/vtt')"
        )
        began = time.perf_counter()
        subprocess.run([sys.executable, "-c", code, handle.name], check=True)
        seconds = time.perf_counter() - began
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, seconds


def print_cap_memory() -> None:
    cap = Settings(_env_file=None).max_transcript_bytes
    peak, seconds = cap_memory(cap)
    print(f"a {cap / 1e6:.0f} MB VTT at the size cap: peak {peak:.0f} MB RSS, {seconds:.1f} s")


if __name__ == "__main__":
    main()
