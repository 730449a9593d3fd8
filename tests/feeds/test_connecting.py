"""The checked connector: every dialled address checked, allowlists exact, connections reused
(and what SafeFetcher makes of the answers aiohttp gives it)."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from types import SimpleNamespace

import aiohttp
import pytest

from bot.core.config import Settings
from bot.core.errors import FetchError, UnsafeURL
from bot.feeds import connecting, fetching
from bot.feeds.connecting import (
    CONNECTS_PER_HOST,
    QUICKACK,
    CheckedResolver,
    CheckedSocketFactory,
    checked_connector,
)
from bot.feeds.fetching import SafeFetcher
from tests.fakes.feeds_server import FeedServer, Route

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]
FEED = b"<rss version='2.0'><channel><title>T</title></channel></rss>"


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with FeedServer() as fake:
        fake.routes["/f"] = Route(FEED, etag='"v1"')
        yield fake


@pytest.fixture
def fast(settings) -> Settings:
    return settings.model_copy(update={"read_timeout_s": 0.5, "connect_timeout_s": 0.5})


def _port(server: FeedServer) -> int:
    return int(server.host.rsplit(":", 1)[1])


async def test_a_literal_private_address_is_refused_at_connect_time(server):
    """Even a request that skips SafeFetcher's URL check cannot dial a refused address."""
    connector = checked_connector(allow_private=False)
    async with aiohttp.ClientSession(connector=connector) as session:
        with pytest.raises(UnsafeURL, match=r"127\.0\.0\.1"):
            await session.get(server.url("/f"))
    assert server.requests == []


def test_the_socket_factory_checks_each_address():
    resolver = CheckedResolver(
        allow_private=False, allow_hosts=frozenset({"127.0.0.1:8080"}), timeout=None
    )
    factory = CheckedSocketFactory(resolver, allow_private=False)
    stream = (socket.AF_INET, socket.SOCK_STREAM, 6, "")
    for refused in [("127.0.0.1", 8081), ("169.254.169.254", 80), ("10.0.0.1", 80)]:
        with pytest.raises(UnsafeURL):
            factory((*stream, refused))
    factory((*stream, ("127.0.0.1", 8080))).close()  # the allowlisted host:port, exactly


async def test_an_allowlisted_name_is_dialled_but_only_on_its_port(fast, server):
    port = _port(server)
    async with SafeFetcher(fast, allow_hosts={f"localhost:{port}"}) as fetcher:
        assert (await fetcher.get(f"http://localhost:{port}/f")).content == FEED
        with pytest.raises(UnsafeURL):
            await fetcher.get(f"http://127.0.0.1:{port}/f")
    assert len(server.requests) == 1


async def test_a_slow_dns_answer_times_out_as_a_fetch_error(fast, monkeypatch):
    async def never(host, port, **kwargs):
        await asyncio.sleep(10)

    monkeypatch.setattr("bot.core.urlsafety.anyio.getaddrinfo", never)
    async with SafeFetcher(fast) as fetcher:
        with pytest.raises(FetchError, match="timed out"):
            await fetcher.get("http://slow-dns.example.com/f")


async def test_a_name_that_does_not_resolve_is_a_fetch_error(fast, monkeypatch):
    async def nxdomain(host, port, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr("bot.core.urlsafety.anyio.getaddrinfo", nxdomain)
    async with SafeFetcher(fast) as fetcher:
        with pytest.raises(FetchError, match="cannot resolve"):
            await fetcher.get("http://nowhere.example.com/f")


async def test_repeated_headers_are_joined_and_names_lowercased(fast):
    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(
            b'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-Tag: a\r\nx-tag: b\r\nETag: "v9"\r\n\r\nok'
        )
        await writer.drain()
        writer.close()

    async with _raw_server(answer) as host, SafeFetcher(fast, allow_hosts={host}) as fetcher:
        result = await fetcher.get(f"http://{host}/f")
    assert (result.content, result.headers["x-tag"], result.headers["etag"]) == (
        b"ok",
        "a, b",
        '"v9"',
    )


async def test_a_garbled_response_is_reported_without_the_feed_token(fast):
    """aiohttp's own error text ends with the full URL; the token must not reach chat."""

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"NOT HTTP AT ALL\r\n\r\n")
        await writer.drain()

    async with _raw_server(answer) as host, SafeFetcher(fast, allow_hosts={host}) as fetcher:
        with pytest.raises(FetchError, match="invalid response") as caught:
            await fetcher.get(f"http://{host}/f?auth=SECRET")
    assert "SECRET" not in str(caught.value) and "\n" not in str(caught.value)


async def test_quiet_feeds_reuse_one_kept_alive_connection(fast):
    """A poll of 304s costs a request each, not a TCP handshake each."""
    connections = 0

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal connections
        connections += 1
        while await reader.readuntil(b"\r\n\r\n"):
            writer.write(b'HTTP/1.1 304 Not Modified\r\nETag: "v1"\r\n\r\n')
            await writer.drain()

    async with _raw_server(answer) as host, SafeFetcher(fast, allow_hosts={host}) as fetcher:
        for n in range(20):
            result = await fetcher.get(f"http://{host}/f{n}", etag='"v1"')
            assert result.status == 304
    assert connections == 1


async def test_at_most_connects_per_host_handshakes_at_once(monkeypatch):
    """A burst of requests to a fresh host opens its connections a few at a time."""
    opening, most = 0, 0

    async def handshake(self, req, traces, timeout):
        nonlocal opening, most
        opening += 1
        most = max(most, opening)
        await asyncio.sleep(0.02)
        opening -= 1
        return object()

    monkeypatch.setattr(aiohttp.TCPConnector, "_create_connection", handshake)
    connector = checked_connector(allow_private=False)
    try:
        same_host = SimpleNamespace(host="feeds.example.com", port=443)
        other_host = SimpleNamespace(host="cdn.example.com", port=443)
        await asyncio.gather(
            *(connector._create_connection(same_host, [], None) for _ in range(6)),
            connector._create_connection(other_host, [], None),
        )
    finally:
        await connector.close()
    assert most == CONNECTS_PER_HOST + 1  # the other host did not wait for this one's turn


@pytest.mark.skipif(QUICKACK is None, reason="TCP_QUICKACK is Linux only")
async def test_a_200s_headers_are_acknowledged_at_once(fast, server, monkeypatch):
    """http.server writes headers, then the body: Nagle holds the body for our ACK, which Linux
    delays by 40 ms on a kept-alive connection unless we ACK at once (bench.feeds times it)."""
    acked: list[int] = []

    def acknowledge(response) -> None:
        connecting.acknowledge_now(response)
        if response.connection is not None:  # None: the whole body is in, nothing to ACK
            sock = response.connection.transport.get_extra_info("socket")
            acked.append(sock.getsockopt(socket.IPPROTO_TCP, QUICKACK))

    monkeypatch.setattr(fetching, "acknowledge_now", acknowledge)
    server.routes["/b"] = Route(FEED * 100)
    async with SafeFetcher(fast, allow_hosts={server.host}) as fetcher:
        for _ in range(3):
            assert (await fetcher.get(server.url("/b"))).status == 200
    assert acked and set(acked) == {1}


@contextlib.asynccontextmanager
async def _raw_server(handler: Handler) -> AsyncIterator[str]:
    """An asyncio server on 127.0.0.1 answering with ``handler``; yields its ``host:port``."""

    async def guarded(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await handler(reader, writer)
        except (asyncio.IncompleteReadError, ConnectionError):
            pass  # the client closed its kept-alive connection
        finally:
            writer.close()

    server = await asyncio.start_server(guarded, "127.0.0.1", 0)
    try:
        yield f"127.0.0.1:{server.sockets[0].getsockname()[1]}"
    finally:
        server.close()
