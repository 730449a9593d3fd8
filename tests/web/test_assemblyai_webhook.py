"""The AssemblyAI webhook as a WSGI route beside another app."""

from __future__ import annotations

import io
import json
import logging

from sqlmodel import Session

from bot.core.config import Settings
from bot.core.models import Episode, Podcast
from bot.core.services import Services
from handlers.web.assemblyai_webhook import with_assemblyai_webhook


def inner(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"slack"]


def call(app, path: str, body: bytes, headers: dict | None = None, method: str = "POST"):
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
        **{f"HTTP_{k.upper().replace('-', '_')}": v for k, v in (headers or {}).items()},
    }
    seen = {}
    chunks = app(environ, lambda status, _headers: seen.update(status=status))
    return seen["status"], b"".join(chunks)


def test_webhook_route_requeues_and_other_paths_pass_through(engine):
    with Session(engine) as session:
        podcast = Podcast(url="https://feeds.example.com/a.xml")
        session.add(podcast)
        session.flush()
        session.add(
            Episode(
                podcast_id=podcast.id,
                identity="guid:1",
                assemblyai_id="tx_5",
                status="transcribing",
            )
        )
        session.commit()
    settings = Settings(
        _env_file=None,
        assemblyai_webhook_url="https://bot.example.com/hooks/assemblyai",
        assemblyai_webhook_secret="s3cret",
    )
    app = with_assemblyai_webhook(Services(settings=settings, engine=engine), inner)
    body = json.dumps({"transcript_id": "tx_5", "status": "completed"}).encode()

    assert call(app, "/slack/events", b"{}") == ("200 OK", b"slack")
    assert call(app, "/hooks/assemblyai", body)[0] == "401 Unauthorized"
    assert call(app, "/hooks/assemblyai", b"not json")[0] == "400 Bad Request"
    assert call(app, "/hooks/assemblyai", b"", method="GET")[0] == "405 Method Not Allowed"
    status, reply = call(app, "/hooks/assemblyai", body, {"X-Podbrief-Webhook-Secret": "s3cret"})
    assert status == "200 OK" and json.loads(reply) == {"result": "requeued"}
    with Session(engine) as session:
        assert session.get(Episode, 1).status == "pending"


def test_without_a_webhook_url_the_app_is_unchanged(engine):
    services = Services(settings=Settings(_env_file=None), engine=engine)
    assert with_assemblyai_webhook(services, inner) is inner


def test_a_json_body_that_is_not_an_object_is_a_bad_request(engine):
    settings = Settings(
        _env_file=None, assemblyai_webhook_url="https://bot.example.com/hooks/assemblyai"
    )
    app = with_assemblyai_webhook(Services(settings=settings, engine=engine), inner)
    for body in (b"[1, 2]", b'"tx_5"', b"42", b"null"):
        status, reply = call(app, "/hooks/assemblyai", body)
        assert status == "400 Bad Request"
        assert json.loads(reply) == {"error": "body must be a JSON object"}


def test_an_unauthenticated_webhook_is_warned_about_once_at_start(engine, caplog):
    url = "https://bot.example.com/hooks/assemblyai"
    caplog.set_level(logging.WARNING, logger="handlers.web.assemblyai_webhook")
    app = with_assemblyai_webhook(
        Services(settings=Settings(_env_file=None, assemblyai_webhook_url=url), engine=engine),
        inner,
    )
    body = json.dumps({"transcript_id": "tx_9", "status": "completed"}).encode()
    assert call(app, "/hooks/assemblyai", body)[0] == "200 OK"
    call(app, "/hooks/assemblyai", body)
    warnings = [r.getMessage() for r in caplog.records if "unauthenticated" in r.getMessage()]
    assert warnings == [
        "ASSEMBLYAI_WEBHOOK_SECRET is unset: the AssemblyAI webhook at /hooks/assemblyai "
        "is unauthenticated"
    ]
    caplog.clear()
    secured = Settings(_env_file=None, assemblyai_webhook_url=url, assemblyai_webhook_secret="s")
    with_assemblyai_webhook(Services(settings=secured, engine=engine), inner)
    assert not [r for r in caplog.records if "unauthenticated" in r.getMessage()]
