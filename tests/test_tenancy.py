"""Two workspaces on one podbrief: each sees only its own podcasts and what came from them.

The bundled demo's three shows are loaded once. Workspace A follows The Inference Hour through a
private feed URL (a token in its query); workspace B follows nothing, so it sees only the
operator's two public shows. Every reading command, through the real chat core, must keep
A's show, its episodes, its answers and its URL away from B.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlmodel import Session, select

from bot.channels.subscriptions import follow_podcast, subscribe_topic
from bot.core.models import Episode, Podcast
from handlers.chat.channels import request_channel
from handlers.chat.replies import CommandRequest
from handlers.chat.router import dispatch
from tests.chat.test_integration import demo  # noqa: F401  (the module-scoped demo library)

SECRET = "tok3nSECRET"
A = CommandRequest(platform="slack", channel_ref="CA", user_id="UA", text="", team_id="TA")
B = CommandRequest(platform="slack", channel_ref="CB", user_id="UB", text="", team_id="TB")


@pytest.fixture(scope="module")
def private_show(demo):  # noqa: F811
    """The Inference Hour behind a private URL, followed by workspace A only."""
    with Session(demo.engine, expire_on_commit=False) as session:
        show = session.exec(select(Podcast).where(Podcast.title == "The Inference Hour")).one()
        show.url = f"{show.url}?token={SECRET}"
        session.add(show)
        follow_podcast(session, request_channel(demo, session, A, personal=False), show)
        for request in (A, B):
            channel = request_channel(demo, session, request, personal=False)
            subscribe_topic(session, channel, "open-source AI")
        session.commit()
        episodes = session.exec(select(Episode.id).where(Episode.podcast_id == show.id)).all()
    return show, list(episodes)


def said(services, request: CommandRequest, text: str) -> str:
    """Everything a reply shows: lines, and any brief or answer with their links."""
    reply = dispatch(services, replace(request, text=text))
    parts = [reply.title or ""] + [f"{line.text} {line.url or ''}" for line in reply.lines]
    if reply.brief is not None:
        for item in reply.brief.items:
            parts += [item.text, item.podcast, item.episode, item.url]
            parts += [f"{r.text} {r.podcast} {r.url}" for r in item.related]
    if reply.answer is not None:
        parts.append(reply.answer.answer)
        parts += [f"{c.podcast} {c.episode} {c.text} {c.url}" for c in reply.answer.citations]
    return " ".join(parts)


def test_the_other_workspace_never_sees_a_followed_private_show(demo, private_show):  # noqa: F811
    _show, episodes = private_show
    for text in ("podcasts", "episodes", "status", "search open-weight models", "brief", "why"):
        shown = said(demo, B, text)
        assert "Inference Hour" not in shown, (text, shown)
        assert SECRET not in shown, text
    answer = said(demo, B, "ask Why are startups moving to open-weight models?")
    assert "Inference Hour" not in answer and SECRET not in answer
    assert "No episode" in said(demo, B, f"summary {episodes[0]}")
    assert "No podcast" in said(demo, B, "episodes inference")


def test_the_workspace_that_follows_it_sees_it_without_its_token(demo, private_show):  # noqa: F811
    _show, episodes = private_show
    assert "Inference Hour" in said(demo, A, "podcasts")
    assert "Inference Hour" in said(demo, A, "episodes inference")
    assert "Inference Hour" in said(demo, A, "ask Why are startups moving to open-weight models?")
    assert "Inference Hour" in said(demo, A, f"summary {episodes[0]}")
    for text in ("podcasts", "episodes", "status", "ask Why are startups moving to open models?"):
        assert SECRET not in said(demo, A, text), text


def test_the_operator_console_sees_every_show(demo, private_show):  # noqa: F811
    console = CommandRequest(platform="console", channel_ref="console", user_id="me", text="")
    assert "Inference Hour" in said(demo, console, "episodes inference")


def test_two_slack_workspaces_through_oauth_installs_see_only_their_own(demo, private_show):  # noqa: F811
    """The same, end to end: signed slash commands from two installed workspaces, via Bolt."""
    import json

    from pydantic import SecretStr
    from slack_sdk.oauth.installation_store import Installation

    from bot.core.services import Services
    from handlers.slack_app.app import build_slack_app
    from handlers.slack_app.installs import build_installation_store
    from handlers.slack_app.runner import start_http
    from tests.fakes.slack_requests import SIGNING_SECRET, post
    from tests.fakes.slack_server import FakeSlack

    fake = FakeSlack().start()
    settings = demo.settings.model_copy(
        update={
            "slack_client_id": "111.222",
            "slack_client_secret": SecretStr("client-secret"),
            "slack_signing_secret": SecretStr(SIGNING_SECRET),
            "slack_api_url": fake.api_url,
        }
    )
    services = Services(settings=settings, engine=demo.engine, publishers=demo.publishers)
    store = build_installation_store(services)
    for team in ("TA", "TB"):
        store.save(Installation(app_id="A1", team_id=team, bot_token=f"xoxb-{team}", user_id="W"))
    stop, port = start_http(
        build_slack_app(services, installation_store=store), host="127.0.0.1", port=0
    )
    try:
        url = f"http://127.0.0.1:{port}/slack/events"
        replies = {}
        for number, (team, channel) in enumerate((("TA", "CA"), ("TB", "CB"))):
            body = {
                "team_id": team,
                "channel_id": channel,
                "user_id": f"U{team}",
                "command": "/podbrief",
                "text": "episodes inference",
                "response_url": f"{fake.url}/respond/{number}",
            }
            assert post(url, body).status_code == 200
            [reply] = fake.wait_for("respond", count=number + 1)[number:]
            replies[team] = json.dumps(reply.body)
        assert "Inference Hour" in replies["TA"]
        assert "Inference Hour" not in replies["TB"] and "No podcast" in replies["TB"]
        assert SECRET not in replies["TA"] + replies["TB"]
    finally:
        stop()
        fake.stop()
