"""The publisher path end to end: the real SafeFetcher against a local HTTP server."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlmodel import Session

from bot.core.config import Settings
from bot.core.errors import TranscriptError
from bot.core.models import Episode, Podcast
from bot.core.services import Services
from bot.transcripts.sources import obtain_segments
from bot.transcripts.store import load_segments
from tests.conftest import TEST_SAMPLES

SAMPLES = TEST_SAMPLES
ROUTES = {
    "/broken.json": ("application/json", b'{"segments": [{"startTime": 1'),
    "/voices.vtt": ("text/plain", (SAMPLES / "voices.vtt").read_bytes()),
    # A "soft 404": status 200, an HTML page where the feed promised captions.
    "/moved.vtt": (
        "text/html",
        b"<!doctype html><html><head><title>Page not found</title></head><body><nav>Home "
        b"Episodes About</nav><h1>Sorry</h1><p>We couldn't find that page.</p></body></html>",
    ),
}


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        mime, body = ROUTES.get(self.path, ("text/plain", b""))
        self.send_response(200 if self.path in ROUTES else 404)
        self.send_header("Content-Type", mime)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def base_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def local_services(engine, tmp_path) -> Services:
    settings = Settings(
        _env_file=None,
        database_url=f"sqlite:///{tmp_path / 'podbrief.db'}",
        allow_private_urls=True,
    )
    return Services(settings=settings, engine=engine)


def episode_with(session: Session, transcripts: list[dict]) -> Episode:
    podcast = Podcast(url="http://127.0.0.1/feed.xml", title="Local")
    session.add(podcast)
    session.flush()
    episode = Episode(podcast_id=podcast.id, identity="guid:local-1", transcripts=transcripts)
    session.add(episode)
    session.flush()
    return episode


def test_publisher_transcript_through_the_safe_fetcher(engine, tmp_path, base_url) -> None:
    services = local_services(engine, tmp_path)
    with Session(engine, expire_on_commit=False) as session:
        episode = episode_with(
            session,
            [
                {"url": f"{base_url}/broken.json", "type": "application/json"},
                {"url": f"{base_url}/moved.vtt", "type": "text/vtt"},
                {"url": f"{base_url}/voices.vtt", "type": "text/vtt"},
            ],
        )
        segments = obtain_segments(services, session, episode)
        assert [s.speaker for s in segments][:2] == ["Ann Lee", "Bo"]
        assert (episode.transcript_source, episode.transcript_format) == ("publisher", "vtt")
        assert load_segments(session, episode.id) == segments


def test_a_soft_404_is_a_failed_source_not_a_transcript(engine, tmp_path, base_url) -> None:
    services = local_services(engine, tmp_path)
    with Session(engine, expire_on_commit=False) as session:
        episode = episode_with(session, [{"url": f"{base_url}/moved.vtt", "type": "text/vtt"}])
        with pytest.raises(TranscriptError, match=r"error page|declared vtt"):
            obtain_segments(services, session, episode)
        assert load_segments(session, episode.id) == []
