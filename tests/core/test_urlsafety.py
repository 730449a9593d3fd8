"""URL safety: only http(s) to public addresses, however the address is spelled."""

from __future__ import annotations

import socket

import pytest

from bot.core.errors import FetchError, UnsafeURL
from bot.core.urlsafety import check_url, is_public_address, resolve_checked


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/feed",
        "http://localhost:8080/feed",
        "http://sub.localhost/feed",
        "http://10.0.0.5/feed",
        "http://172.16.3.4/feed",
        "http://192.168.1.1/feed",
        "http://169.254.169.254/latest/meta-data/",
        "http://100.64.0.1/feed",
        "http://224.0.0.1/feed",
        "http://240.0.0.1/feed",
        "http://0.0.0.0/feed",
        "http://[::1]/feed",
        "http://[::]/feed",
        "http://[fe80::1]/feed",
        "http://[fc00::1]/feed",
        "http://[ff02::1]/feed",
        "http://[fec0::1]/feed",
        "http://[fec0:1:2::3]:8080/feed",
        "http://[::ffff:127.0.0.1]/feed",
        "http://[::ffff:a9fe:a9fe]/feed",
        "http://[2002:7f00:1::]/feed",
        "http://[64:ff9b::7f00:1]/feed",
        "http://2130706433/feed",
        "http://0177.0.0.1/feed",
        "http://0x7f.0.0.1/feed",
        "http://0x7f000001/feed",
        "http://127.1/feed",
        "file:///etc/passwd",
        "ftp://example.com/feed",
        "gopher://example.com/",
        "javascript:alert(1)",
        "feed",
        "http:///nohost",
        "http://127.0.0.1:80\\@evil.example/",
        "http://10.0.0.1\\@feeds.example.com/rss",
    ],
)
def test_refused(url):
    with pytest.raises(UnsafeURL):
        check_url(url)


@pytest.mark.parametrize(
    ("url", "normalised"),
    [
        ("https://Feeds.Example.COM/show.xml", "https://feeds.example.com/show.xml"),
        ("  http://example.com/rss  ", "http://example.com/rss"),
        ("http://93.184.215.14:8080/rss", "http://93.184.215.14:8080/rss"),
        ("http://[2606:4700::1111]/rss", "http://[2606:4700::1111]/rss"),
        ("http://bücher.example/rss", "http://xn--bcher-kva.example/rss"),
        ("http://xn--bcher-kva.example/rss", "http://xn--bcher-kva.example/rss"),
        ("https://user:token@feeds.example.com/rss", "https://user:token@feeds.example.com/rss"),
        ("http://example.com/rss?next=@evil.example", "http://example.com/rss?next=@evil.example"),
    ],
)
def test_public_urls_are_normalised(url, normalised):
    assert check_url(url) == normalised


def test_allow_private_opens_lan_and_loopback_but_never_metadata():
    assert check_url("http://192.168.1.10/feed", allow_private=True)
    assert check_url("http://localhost:8000/feed", allow_private=True)
    assert check_url("http://[::1]/feed", allow_private=True)
    for url in ("http://169.254.169.254/", "http://0.0.0.0/", "http://224.0.0.1/"):
        with pytest.raises(UnsafeURL):
            check_url(url, allow_private=True)


@pytest.mark.parametrize(
    ("ip", "public"),
    [
        ("8.8.8.8", True),
        ("2606:4700::1111", True),
        ("::ffff:8.8.8.8", True),
        ("10.1.1.1", False),
        ("100.100.100.100", False),
        ("::ffff:10.0.0.1", False),
        ("192.0.2.1", False),
        ("255.255.255.255", False),
        ("fec0::1", False),
        ("fc00::1", False),
        ("2001:db8::1", False),
    ],
)
def test_is_public_address(ip, public):
    assert is_public_address(ip) is public


async def test_resolution_refuses_a_name_with_any_private_answer(monkeypatch):
    async def fake_getaddrinfo(host, port, **kwargs):
        return [(2, 1, 6, "", ("93.184.215.14", port)), (2, 1, 6, "", ("127.0.0.1", port))]

    monkeypatch.setattr("bot.core.urlsafety.anyio.getaddrinfo", fake_getaddrinfo)
    with pytest.raises(UnsafeURL, match=r"127\.0\.0\.1"):
        await resolve_checked("mixed.example.com", 80)


async def test_unresolvable_name_is_a_fetch_error_not_a_refusal(monkeypatch):
    async def failing_getaddrinfo(host, port, **kwargs):
        raise socket.gaierror(-2, "Name or service not known")

    monkeypatch.setattr("bot.core.urlsafety.anyio.getaddrinfo", failing_getaddrinfo)
    with pytest.raises(FetchError, match="cannot resolve"):
        await resolve_checked("nowhere.invalid", 443)
