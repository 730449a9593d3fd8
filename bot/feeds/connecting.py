"""An httpx transport that connects only to checked addresses (no DNS rebinding).

httpcore hands every new TCP connection to a network backend with the URL's host name. Ours
resolves that name itself, checks every address, and connects to a checked IP; TLS still
verifies the certificate against the original host name, because httpcore passes it as SNI.
"""

from __future__ import annotations

import logging
import ssl
from collections.abc import Iterable

import anyio
import certifi
import httpcore
import httpx

from bot.core.urlsafety import resolve_checked

log = logging.getLogger(__name__)


class CheckedNetworkBackend(httpcore.AsyncNetworkBackend):
    """Resolve, check, then connect to the checked address; ``allow_hosts`` skip the check."""

    def __init__(self, *, allow_private: bool, allow_hosts: Iterable[str] = ()) -> None:
        self._inner = httpcore.AnyIOBackend()
        self._allow_private = allow_private
        self._allow_hosts = frozenset(h.lower() for h in allow_hosts)

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        """Open a TCP stream to a checked address of ``host``."""
        if f"{host.lower()}:{port}" in self._allow_hosts:
            addresses = [host]
        else:
            with anyio.move_on_after(timeout) as scope:
                addresses = await resolve_checked(host, port, allow_private=self._allow_private)
            if scope.cancelled_caught:
                raise httpcore.ConnectTimeout(f"resolving {host} timed out")
        last_error: Exception | None = None
        for address in addresses:
            try:
                return await self._inner.connect_tcp(
                    address, port, timeout, local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last_error = exc
        assert last_error is not None
        raise last_error

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        """Unix sockets are never a feed's address."""
        raise httpcore.ConnectError("unix sockets are not fetched")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


def checked_transport(
    *, allow_private: bool, allow_hosts: Iterable[str] = (), max_connections: int = 100
) -> httpx.AsyncHTTPTransport:
    """An httpx transport whose every connection goes through ``CheckedNetworkBackend``."""
    transport = httpx.AsyncHTTPTransport(trust_env=False)
    # httpx has no public hook for the network backend; swapping its pool is the documented
    # httpcore way to get one (httpx.AsyncHTTPTransport only wraps an httpcore pool).
    transport._pool = httpcore.AsyncConnectionPool(
        ssl_context=ssl.create_default_context(cafile=certifi.where()),
        max_connections=max_connections,
        # Feeds share hosts (one CDN serves thousands): a connection kept for every slot saves
        # a TCP (and TLS) handshake per request, most of what a 304 costs.
        max_keepalive_connections=max_connections,
        keepalive_expiry=5.0,
        network_backend=CheckedNetworkBackend(allow_private=allow_private, allow_hosts=allow_hosts),
    )
    return transport
