"""URL safety: podbrief fetches only http(s) URLs that lead to public addresses.

``check_url`` vets a URL's shape and any literal IP in it; ``resolve_checked`` resolves a host
and vets every address it maps to. The fetcher connects only to an address that passed, so a
DNS answer that changes between the check and the connection (rebinding) cannot slip through.
"""

from __future__ import annotations

import ipaddress
import logging
import re
import socket

import anyio
import httpx

from bot.core.errors import FetchError, UnsafeURL

log = logging.getLogger(__name__)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

CGNAT = ipaddress.ip_network("100.64.0.0/10")
NAT64 = ipaddress.ip_network("64:ff9b::/96")
# Labels that inet_aton would read as numbers (decimal, octal, hex): "2130706433", "0x7f.1".
_NUMERIC_LABEL = re.compile(r"^(0x[0-9a-f]*|[0-9]+)$", re.IGNORECASE)


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries (mapped, 6to4, Teredo, NAT64), if any."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    if ip in NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def is_public_address(ip: str | IPAddress) -> bool:
    """True for a globally routable unicast address (IPv4-mapped IPv6 judged by its IPv4)."""
    addr = ipaddress.ip_address(ip) if isinstance(ip, str) else ip
    if isinstance(addr, ipaddress.IPv6Address):
        # fec0::/10 (deprecated site-local) is routed inside a site, yet ``is_global`` says True.
        if addr.scope_id or addr.is_site_local:
            return False
        inner = _embedded_ipv4(addr)
        if inner is not None:
            return is_public_address(inner)
    if isinstance(addr, ipaddress.IPv4Address) and addr in CGNAT:
        return False
    return addr.is_global and not (
        addr.is_multicast
        or addr.is_private
        or addr.is_loopback
        or addr.is_link_local
        or addr.is_reserved
        or addr.is_unspecified
    )


def is_allowed_private(addr: IPAddress) -> bool:
    """Addresses ALLOW_PRIVATE_URLS opens up: LAN, loopback and CGNAT unicast only.

    Link-local (cloud metadata lives at 169.254.169.254), multicast, reserved and unspecified
    addresses stay refused even then: no self-hosted feed lives there.
    """
    if isinstance(addr, ipaddress.IPv6Address):
        inner = _embedded_ipv4(addr)
        if inner is not None:
            return is_allowed_private(inner)
    if addr.is_loopback:
        return True
    if addr.is_multicast or addr.is_link_local or addr.is_reserved or addr.is_unspecified:
        return False
    return addr.is_private or addr in CGNAT


def check_address(ip: str | IPAddress, *, allow_private: bool = False) -> IPAddress:
    """The address if podbrief may connect to it, else UnsafeURL."""
    addr = ipaddress.ip_address(ip) if isinstance(ip, str) else ip
    if is_public_address(addr) or (allow_private and is_allowed_private(addr)):
        return addr
    raise UnsafeURL(f"refusing to fetch from non-public address {addr}")


def _literal_ip(host: str) -> IPAddress | None:
    """The IP a host names literally ("[::1]" or "10.0.0.1"), refusing odd numeric spellings."""
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        pass
    labels = host.rstrip(".").split(".")
    if labels and all(_NUMERIC_LABEL.match(label) for label in labels):
        raise UnsafeURL(f"refusing unusual IP address spelling {host!r}")
    return None


def check_url(url: str, *, allow_private: bool = False) -> str:
    """The normalised URL if it is http(s) and any literal IP in it is allowed; else UnsafeURL."""
    try:
        parsed = httpx.URL(url.strip())
    except (httpx.InvalidURL, TypeError, ValueError) as exc:
        raise UnsafeURL(f"not a valid URL: {url!r} ({exc})") from None
    if parsed.scheme not in ("http", "https"):
        raise UnsafeURL(f"only http(s) URLs are fetched, not {parsed.scheme or 'no scheme'!r}")
    host = parsed.host.rstrip(".").lower()
    if not host:
        raise UnsafeURL(f"URL has no host: {url!r}")
    _refuse_ambiguous_host(url.strip(), parsed.raw_host.decode("ascii").rstrip(".").lower())
    literal = _literal_ip(host)
    if literal is not None:
        check_address(literal, allow_private=allow_private)
    elif (host == "localhost" or host.endswith(".localhost")) and not allow_private:
        raise UnsafeURL(f"refusing to fetch from {host}")
    return str(parsed.copy_with(host=host))


def _written_host(url: str) -> str:
    """The host as a reader (or a WHATWG parser) sees it: a backslash ends the authority."""
    authority = re.split(r"[/\\?#]", url.split("://", 1)[-1], maxsplit=1)[0]
    host_port = authority.rpartition("@")[2]
    if host_port.startswith("["):
        return host_port.partition("]")[0] + "]"
    return host_port.partition(":")[0]


def _refuse_ambiguous_host(url: str, host: str) -> None:
    """UnsafeURL when parsers would disagree on the host (``http://127.0.0.1:80\\@evil.com/``:
    httpx connects to evil.com, a browser and the person who typed it read 127.0.0.1)."""
    written = _written_host(url).rstrip(".").lower()
    if written.isascii() and written.strip("[]") != host.strip("[]"):
        raise UnsafeURL(f"ambiguous URL: its host reads as {written!r} but would be {host!r}")


def shown(url: str) -> str:
    """The URL for messages and logs: no credentials, query or fragment (private feeds keep
    their access tokens there, and errors end up in chat)."""
    try:
        parsed = httpx.URL(url)
        return str(parsed.copy_with(username=None, password=None, query=None, fragment=None))
    except (httpx.InvalidURL, TypeError, ValueError):
        return "<invalid URL>"


def shown_name(title: str | None, url: str) -> str:
    """A podcast's name for messages: its title, else its feed URL without secrets."""
    return title or shown(url)


async def resolve_checked(host: str, port: int, *, allow_private: bool = False) -> list[str]:
    """Resolve ``host`` and return its addresses, all checked; UnsafeURL if any is refused.

    A name that does not resolve is a FetchError (a network failure, not a refusal).

    One refused address refuses the host: a name that answers with both a public and a private
    address is a rebinding setup, not a mirror.
    """
    literal = _literal_ip(host)
    if literal is not None:
        return [str(check_address(literal, allow_private=allow_private))]
    try:
        infos = await anyio.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise FetchError(f"cannot resolve host {host!r}: {exc}") from None
    addresses: list[str] = []
    for _family, _type, _proto, _canon, sockaddr in infos:
        addr = check_address(str(sockaddr[0]).split("%")[0], allow_private=allow_private)
        if str(addr) not in addresses:
            addresses.append(str(addr))
    if not addresses:
        raise FetchError(f"host {host!r} has no address")
    return addresses
