"""An aiohttp connector that connects only to checked addresses (no DNS rebinding).

aiohttp hands every host name it must dial to a resolver. Ours resolves the name itself and
checks every address (``resolve_checked``); the connector then dials one of those checked IPs,
and a socket factory checks the address of every socket once more as it is opened (literal-IP
URLs skip the resolver). TLS still verifies the certificate against the original host name,
because aiohttp passes it as SNI and as the name to match.

Why aiohttp and not httpx here: httpcore's pool re-checked every idle connection (a
``getpeername`` syscall each) on every request it placed, about 40% of a poll of quiet feeds;
aiohttp keeps idle connections in a per-host queue and takes one in O(1).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import socket
import ssl
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

import aiohttp
import anyio
import certifi
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.client_proto import ResponseHandler

from bot.core.urlsafety import check_address, resolve_checked

# Connections idle longer than this are closed: enough to carry a poll's feeds that share a
# CDN from one request to the next, short enough that servers rarely close them first.
KEEPALIVE_S = 5.0
# New connections opened to one host at once. Python's socketserver listens with a backlog of
# 5 (many small self-hosted servers keep such defaults): a burst of 16 handshakes overflows it,
# the dropped ones are retried by TCP after a second, and a whole poll waited on them. Browsers
# keep to six connections a host for the same courtesy.
CONNECTS_PER_HOST = 2
# Linux only: ACK what has arrived at once, instead of up to 40 ms later (delayed ACK).
QUICKACK: int | None = getattr(socket, "TCP_QUICKACK", None)
# Header lines as long as h11 (httpx's parser) accepted, so no feed is refused for a long cookie.
MAX_HEADER_LINE = 16 * 1024


def host_key(host: str, port: int) -> str:
    """The ``host:port`` form ``allow_hosts`` entries are written in (IPv6 without brackets)."""
    return f"{host.strip('[]').lower()}:{port}"


class CheckedResolver(AbstractResolver):
    """Resolve with ``resolve_checked``; an ``allow_hosts`` entry is resolved unchecked.

    Every address it lets through for an allowlisted host is remembered, so the socket factory
    lets exactly those (address, port) pairs through as well.
    """

    def __init__(
        self, *, allow_private: bool, allow_hosts: frozenset[str], timeout: float | None
    ) -> None:
        self._allow_private = allow_private
        self._allow_hosts = allow_hosts
        self._timeout = timeout
        self.allowed_addresses: set[str] = set(allow_hosts)

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        """The checked addresses of ``host`` (UnsafeURL or FetchError from the check)."""
        try:
            async with asyncio.timeout(self._timeout):
                addresses = await self._addresses(host, port)
        except TimeoutError:
            # aiohttp reports a TimeoutError raised while connecting as a connect timeout
            raise TimeoutError(f"resolving {host} timed out") from None
        return [
            ResolveResult(
                hostname=host,
                host=address,
                port=port,
                family=socket.AF_INET6 if ":" in address else socket.AF_INET,
                proto=0,
                flags=socket.AI_NUMERICHOST,
            )
            for address in addresses
        ]

    async def _addresses(self, host: str, port: int) -> list[str]:
        if host_key(host, port) not in self._allow_hosts:
            return await resolve_checked(host, port, allow_private=self._allow_private)
        infos = await anyio.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        addresses = list(dict.fromkeys(str(info[4][0]).split("%")[0] for info in infos))
        self.allowed_addresses.update(host_key(address, port) for address in addresses)
        return addresses

    async def close(self) -> None:
        """Nothing to release: lookups run through anyio's resolver thread pool."""


class CheckedSocketFactory:
    """Open a socket only for a checked address: the last check before ``connect``."""

    def __init__(self, resolver: CheckedResolver, *, allow_private: bool) -> None:
        self._resolver = resolver
        self._allow_private = allow_private

    def __call__(self, addr_info: tuple) -> socket.socket:
        """A new socket for ``addr_info``, or UnsafeURL if its address is not allowed."""
        family, type_, proto, _canonical, sockaddr = addr_info
        address, port = str(sockaddr[0]), int(sockaddr[1])
        if host_key(address, port) not in self._resolver.allowed_addresses:
            check_address(address.split("%")[0], allow_private=self._allow_private)
        return socket.socket(family=family, type=type_, proto=proto)


class CheckedConnector(aiohttp.TCPConnector):
    """aiohttp's pooled TCP connector, opening at most CONNECTS_PER_HOST connections to a host
    at once (requests beyond them wait for a handshake to finish, or for a pooled connection).
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._opening: defaultdict[tuple[str, int], asyncio.Semaphore] = defaultdict(
            lambda: asyncio.Semaphore(CONNECTS_PER_HOST)
        )

    async def _create_connection(
        self, req: aiohttp.ClientRequest, traces: list[Any], timeout: aiohttp.ClientTimeout
    ) -> ResponseHandler:
        # why override this underscored hook: it is the one step every new connection passes
        # through (aiohttp's own connectors each implement it), and a reused one never does
        async with self._opening[(req.host, req.port or 0)]:
            return await super()._create_connection(req, traces, timeout)


def acknowledge_now(response: aiohttp.ClientResponse) -> None:
    """ACK the response's headers at once, before its body is read.

    A server that writes its headers and its body in two sends (Python's http.server, many
    small ones) holds the body back (Nagle) until the headers are ACKed, and on a kept-alive
    connection Linux delays that ACK by 40 ms: every 200 from such a server waited 40 ms.
    """
    connection = response.connection
    transport = connection.transport if connection is not None else None
    sock = transport.get_extra_info("socket") if transport is not None else None
    if QUICKACK is None or sock is None:
        return
    with contextlib.suppress(OSError):  # a nicety: the body still arrives without it
        sock.setsockopt(socket.IPPROTO_TCP, QUICKACK, 1)


@functools.lru_cache(maxsize=4)
def tls_context(cafile: str) -> ssl.SSLContext:
    """A verifying TLS context for this CA bundle (built once: loading it takes ~40 ms)."""
    return ssl.create_default_context(cafile=cafile)


def checked_connector(
    *,
    allow_private: bool,
    allow_hosts: Iterable[str] = (),
    max_connections: int = 100,
    resolve_timeout: float | None = None,
) -> aiohttp.TCPConnector:
    """A pooled connector whose every connection goes to a checked address.

    Call it inside the event loop that will use it. ``resolve_timeout`` bounds the DNS lookup
    (aiohttp's ``sock_connect`` only covers the TCP and TLS handshakes).
    """
    allowed = frozenset(h.lower() for h in allow_hosts)
    resolver = CheckedResolver(
        allow_private=allow_private, allow_hosts=allowed, timeout=resolve_timeout
    )
    return CheckedConnector(
        limit=max_connections,
        # Feeds share hosts (one CDN serves thousands): connections kept between requests save
        # a TCP (and TLS) handshake each, most of what a 304 costs.
        keepalive_timeout=KEEPALIVE_S,
        resolver=resolver,
        socket_factory=CheckedSocketFactory(resolver, allow_private=allow_private),
        ssl=tls_context(certifi.where()),
    )
