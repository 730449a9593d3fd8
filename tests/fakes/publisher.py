"""A publisher that records briefs in memory (errbot-style test backend)."""

from __future__ import annotations

import threading
from datetime import datetime

from bot.core.models import Channel
from bot.core.values import Brief


class RecordingPublisher:
    """Keeps every post; ``find_sent`` answers from what it kept, like a platform history."""

    def __init__(self, platform: str = "console") -> None:
        self.platform = platform
        self.posts: list[tuple[str, Brief, int]] = []  # (channel_ref, brief, delivery_id)
        self._lock = threading.Lock()

    def send_brief(self, channel: Channel, brief: Brief, *, delivery_id: int) -> str:
        with self._lock:
            self.posts.append((channel.channel_ref, brief, delivery_id))
            return f"{self.platform}:{len(self.posts)}"

    def find_sent(
        self, channel: Channel, *, delivery_id: int, since: datetime | None = None
    ) -> str | None:
        with self._lock:
            for number, (ref, _brief, sent_id) in enumerate(self.posts, start=1):
                if ref == channel.channel_ref and sent_id == delivery_id:
                    return f"{self.platform}:{number}"
        return None
