"""``urljoin`` with a shortcut for the URL it would return unchanged.

Resolving links was a third of a fast parse: most feed URLs are already absolute, plain
http(s) URLs, for which ``urljoin`` (and feedparser's ``_urljoin``) parse and rebuild the very
same string. Only those skip the work; a test checks the shortcut against ``urljoin``.
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import urljoin

from feedparser.urls import _urljoin

# An absolute http(s) URL that urlsplit/urlunsplit rebuild exactly: lowercase scheme, a plain
# host, no params (";"), no whitespace or controls, no empty "?" or "#" (urlunsplit drops them).
_AS_IS = re.compile(
    r"https?://[A-Za-z0-9.-]+(?::[0-9]+)?(?:/[^\s;?#\x00-\x1f\x7f]*)?"
    r"(?:\?[^\s#\x00-\x1f\x7f]+)?(?:#[^\s\x00-\x1f\x7f]+)?"
)


# A bare relative name ("ep-12", "notes.html"): joined, it replaces the base's last segment.
_NAME = re.compile(r"[A-Za-z0-9_~-][A-Za-z0-9._~-]*")
_DOT_SEGMENT = re.compile(r"/\.{1,2}(?:/|$)")


def as_is(href: str) -> bool:
    """Whether joining ``href`` to any base returns ``href`` itself."""
    return _AS_IS.fullmatch(href) is not None


@lru_cache(maxsize=64)
def _directory(base: str) -> str | None:
    """What a bare name is appended to when joined to ``base``; None when not that simple."""
    if not as_is(base) or "?" in base or "#" in base:
        return None
    slash = base.find("/", base.index("//") + 2)
    if slash < 0:
        return base + "/"  # no path: the name goes under the root
    path = base[slash:]
    if "//" in path or _DOT_SEGMENT.search(path):
        return None  # urljoin would collapse or resolve these
    return base[: base.rfind("/") + 1]


def _shortcut(base: str, href: str) -> str | None:
    if as_is(href):
        return href
    if _NAME.fullmatch(href) and href not in (".", ".."):
        directory = _directory(base)
        return directory + href if directory is not None else None
    return None


@lru_cache(maxsize=4096)
def joined(base: str, href: str) -> str:
    """``urllib.parse.urljoin(base, href)``."""
    # why cached: one feed repeats its base and often a chapters or person URL in every item
    found = _shortcut(base, href)
    return found if found is not None else urljoin(base, href)


def feedparser_joined(base: str, href: str) -> str:
    """feedparser's ``_urljoin(base, href)`` (its relative-link resolution)."""
    found = _shortcut(base, href)
    return found if found is not None else _urljoin(base, href)
