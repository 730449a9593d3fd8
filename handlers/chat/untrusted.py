"""Links in text that came from outside (feeds, transcripts, LLM output) made inert.

Chat clients turn ``https://…`` (and Slack also ``evil.example/login``) into live links, so a
crafted transcript could put a clickable phishing link beside podbrief's own timestamp links.
A word joiner (U+2060, invisible) after the scheme and before a domain's dots keeps the text
readable and copyable while no client's link detector sees a URL any more.
"""

from __future__ import annotations

import re

JOINER = "\u2060"
_SCHEME = re.compile(r"(?i)\b([a-z][a-z0-9+.-]{1,15}):(?=//)")
# a dot between a name and a top-level-domain-like word: "evil.example", "www.x.com/login"
_DOMAIN_DOT = re.compile(r"(?i)(?<=[a-z0-9-])\.(?=[a-z][a-z0-9-]{1,62}\b)")


def defuse_links(text: str, *, bare_domains: bool = False) -> str:
    """``text`` with every URL scheme (and with ``bare_domains``, every domain) made inert."""
    text = _SCHEME.sub(lambda m: f"{m[1]}{JOINER}:", text)
    if bare_domains:
        text = _DOMAIN_DOT.sub(JOINER + ".", text)
    return text
