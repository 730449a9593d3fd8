"""SafeFetcher against a local server: statuses, validators, caps, timeouts, unsafe redirects."""

from __future__ import annotations

import asyncio
import gzip
import shutil
import ssl
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.core.config import Settings
from bot.core.errors import FetchError, UnsafeURL
from bot.feeds.fetching import SafeFetcher, parse_retry_after
from tests.fakes.feeds_server import FeedServer, Route

FEED = b"<rss version='2.0'><channel><title>T</title></channel></rss>"


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with FeedServer() as fake:
        yield fake


@pytest.fixture
def fast(settings) -> Settings:
    return settings.model_copy(update={"read_timeout_s": 0.5, "connect_timeout_s": 2.0})


@pytest.fixture
async def fetcher(fast, server):
    async with SafeFetcher(fast, allow_hosts={server.host}) as safe:
        yield safe


async def test_200_returns_body_and_sends_user_agent(fetcher, server, fast):
    server.routes["/f"] = Route(FEED, etag='"v1"', last_modified="Tue, 01 Dec 2026 08:00:00 GMT")
    result = await fetcher.get(server.url("/f"))
    assert (result.status, result.content) == (200, FEED)
    assert result.headers["etag"] == '"v1"'
    assert result.permanent_url is None
    assert server.seen("/f")[0].headers["user-agent"] == fast.user_agent


async def test_304_when_validators_match(fetcher, server):
    server.routes["/f"] = Route(FEED, etag='"v1"')
    result = await fetcher.get(server.url("/f"), etag='"v1"', last_modified="x")
    assert (result.status, result.content) == (304, b"")
    sent = server.seen("/f")[0].headers
    assert (sent["if-none-match"], sent["if-modified-since"]) == ('"v1"', "x")


@pytest.mark.parametrize(("code", "permanent"), [(301, True), (308, True), (302, False)])
async def test_redirect_then_200(fetcher, server, code, permanent):
    server.routes["/old"] = Route(status=code, location="/new")
    server.routes["/new"] = Route(FEED)
    result = await fetcher.get(server.url("/old"))
    assert (result.status, result.url) == (200, server.url("/new"))
    assert result.permanent_url == (server.url("/new") if permanent else None)


async def test_410_is_reported_as_gone(fetcher, server):
    server.routes["/f"] = Route(status=410)
    with pytest.raises(FetchError) as caught:
        await fetcher.get(server.url("/f"))
    assert caught.value.status == 410


@pytest.mark.parametrize("code", [429, 503])
async def test_retry_after_is_passed_on(fetcher, server, code):
    server.routes["/f"] = Route(status=code, headers={"Retry-After": "120"})
    with pytest.raises(FetchError) as caught:
        await fetcher.get(server.url("/f"))
    assert (caught.value.status, caught.value.retry_after) == (code, 120.0)


def test_retry_after_http_date():
    now = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
    assert parse_retry_after("Tue, 01 Dec 2026 08:05:00 GMT", now=now) == 300.0
    assert parse_retry_after("garbage", now=now) is None
    assert parse_retry_after(None) is None


async def test_oversized_body_is_refused(fetcher, server):
    server.routes["/big"] = Route(b"x" * 5000)
    with pytest.raises(FetchError, match="too large"):
        await fetcher.get(server.url("/big"), max_bytes=1000)


async def test_compressed_body_is_capped_after_decoding(fetcher, server):
    bomb = gzip.compress(b"<" * 200_000)
    server.routes["/bomb"] = Route(bomb, headers={"Content-Encoding": "gzip"})
    assert len(bomb) < 10_000
    with pytest.raises(FetchError, match="too large"):
        await fetcher.get(server.url("/bomb"), max_bytes=10_000)


async def test_stalled_body_times_out(fetcher, server):
    server.routes["/slow"] = Route(FEED, stall_after=10)
    with pytest.raises(FetchError, match="timed out"):
        await fetcher.get(server.url("/slow"))


@pytest.mark.parametrize(
    "target",
    [
        "http://127.0.0.1:{other}/f",
        "http://localhost:{port}/f",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::ffff:127.0.0.1]:{port}/f",
        "http://2130706433:{port}/f",
        "file:///etc/passwd",
    ],
)
async def test_redirect_to_a_private_target_is_refused(fetcher, server, target):
    port = int(server.host.rsplit(":", 1)[1])
    server.routes["/r"] = Route(status=302, location=target.format(port=port, other=port + 1))
    with pytest.raises(UnsafeURL):
        await fetcher.get(server.url("/r"))


async def test_private_server_refused_without_allowlist(fast, server):
    server.routes["/f"] = Route(FEED)
    async with SafeFetcher(fast) as fetcher:
        with pytest.raises(UnsafeURL):
            await fetcher.get(server.url("/f"))
    assert server.requests == []


async def test_allow_private_setting_and_override(fast, server):
    server.routes["/f"] = Route(FEED)
    opened = fast.model_copy(update={"allow_private_urls": True})
    async with SafeFetcher(opened) as fetcher:
        assert (await fetcher.get(server.url("/f"))).content == FEED
    async with SafeFetcher(fast, allow_private=True) as fetcher:
        assert (await fetcher.get(server.url("/f"))).content == FEED
    async with SafeFetcher(opened, allow_private=False) as fetcher:
        with pytest.raises(UnsafeURL):
            await fetcher.get(server.url("/f"))


async def test_dns_answer_is_checked_at_connect_time(fast, server, monkeypatch):
    """A public-looking name that resolves to loopback (rebinding) is refused on connect."""

    async def rebinding_getaddrinfo(host, port, **kwargs):
        return [(2, 1, 6, "", ("127.0.0.1", port))]

    monkeypatch.setattr("bot.core.urlsafety.anyio.getaddrinfo", rebinding_getaddrinfo)
    server.routes["/f"] = Route(FEED)
    port = server.host.rsplit(":", 1)[1]
    async with SafeFetcher(fast) as fetcher:
        with pytest.raises(UnsafeURL, match=r"127\.0\.0\.1"):
            await fetcher.get(f"http://rebind.example.com:{port}/f")
    assert server.requests == []


async def test_redirect_loop_stops(fetcher, server):
    server.routes["/a"] = Route(status=302, location="/b")
    server.routes["/b"] = Route(status=302, location="/a")
    with pytest.raises(FetchError, match="too many redirects"):
        await fetcher.get(server.url("/a"))


async def test_unreachable_port_is_a_fetch_error(fast, server):
    port = int(server.host.rsplit(":", 1)[1]) + 1
    async with SafeFetcher(fast, allow_hosts={f"127.0.0.1:{port}"}) as fetcher:
        with pytest.raises(FetchError, match="could not fetch"):
            await fetcher.get(f"http://127.0.0.1:{port}/f")


async def test_whole_request_deadline(fast, server):
    server.routes["/slow"] = Route(FEED, stall_after=10)
    patient = fast.model_copy(update={"read_timeout_s": 30.0, "fetch_deadline_s": 0.3})
    async with SafeFetcher(patient, allow_hosts={server.host}) as fetcher:
        with pytest.raises(FetchError, match=r"over 0\.3 s"):
            await fetcher.get(server.url("/slow"))


async def test_at_most_per_host_concurrency_requests_per_host(fast, server):
    for n in range(6):
        server.routes[f"/f{n}"] = Route(FEED, delay=0.2)
    polite = fast.model_copy(update={"per_host_concurrency": 2})
    async with SafeFetcher(polite, allow_hosts={server.host}) as fetcher:
        results = await asyncio.gather(*(fetcher.get(server.url(f"/f{n}")) for n in range(6)))
    assert [r.status for r in results] == [200] * 6
    assert 1 <= server.max_in_flight <= 2


async def test_errors_never_show_a_private_feed_token(fetcher, server):
    server.routes["/f?auth=SECRET"] = Route(status=500)
    with pytest.raises(FetchError) as caught:
        await fetcher.get(server.url("/f?auth=SECRET"))
    assert "SECRET" not in str(caught.value) and server.url("/f") in str(caught.value)


@pytest.fixture
def tls_server(tmp_path) -> Iterator[tuple[int, Path]]:
    """An HTTPS server on 127.0.0.1 with a self-signed certificate for feeds.test."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl not installed")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-keyout", str(key), "-out", str(cert), "-subj", "/CN=feeds.test",
         "-addext", "subjectAltName=DNS:feeds.test"],
        check=True, capture_output=True,
    )  # fmt: skip
    with FeedServer() as fake:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        fake.wrap_tls(context)
        fake.routes["/f"] = Route(FEED)
        yield int(fake.host.rsplit(":", 1)[1]), cert


async def test_tls_is_verified_against_the_name_while_dialling_the_checked_ip(
    fast, tls_server, monkeypatch
):
    port, cert = tls_server

    async def to_loopback(host, port, **kwargs):
        return [(2, 1, 6, "", ("127.0.0.1", port))]

    monkeypatch.setattr("bot.core.urlsafety.anyio.getaddrinfo", to_loopback)
    monkeypatch.setattr("bot.feeds.connecting.certifi.where", lambda: str(cert))
    async with SafeFetcher(fast, allow_private=True) as fetcher:
        assert (await fetcher.get(f"https://feeds.test:{port}/f")).content == FEED
        with pytest.raises(FetchError, match="CERTIFICATE_VERIFY_FAILED"):
            await fetcher.get(f"https://other.test:{port}/f")
