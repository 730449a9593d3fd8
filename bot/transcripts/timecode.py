"""Timecodes as transcripts write them: ``01:02:03.500``, ``1:02:03,5``, ``112:31``, ``7.38``."""

from __future__ import annotations

import re

# [[hours:]minutes:]seconds[.,fraction]; minutes may exceed 59 when there is no hour field
# (Changelog writes 112:31), so no range checks beyond seconds < 60 when minutes are present.
_TIMECODE_RE = re.compile(
    r"(?:(?P<h>\d{1,3}):)??(?:(?P<m>\d{1,3}):)?(?P<s>\d{1,2})(?:[.,](?P<f>\d{1,3}))?"
)


def parse_timecode(value: str) -> float | None:
    """Seconds from a timecode string, or None when it is not one."""
    match = _TIMECODE_RE.fullmatch(value.strip())
    if not match:
        return None
    hours = int(match["h"] or 0)
    minutes = int(match["m"] or 0)
    seconds = int(match["s"])
    fraction = int((match["f"] or "0").ljust(3, "0")) / 1000
    if match["m"] is not None and seconds > 59:
        return None
    return hours * 3600 + minutes * 60 + seconds + fraction
