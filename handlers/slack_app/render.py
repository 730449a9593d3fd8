"""Block Kit for neutral replies, briefs and answers (listeners never build blocks themselves).

Every third-party string goes through ``mrkdwn.escape`` (or ``plain`` for plain_text objects)
and every limit Slack enforces is enforced here, truncating gracefully instead of failing.
"""

from __future__ import annotations

import logging
from typing import Any

from bot.core.moments import moment_label, short_time
from bot.core.values import Answer, Brief, BriefItem
from handlers.chat.distinct import distinct_citations, distinct_quote
from handlers.chat.replies import Line, Reply, format_day
from handlers.slack_app.mrkdwn import ELLIPSIS, escape, link, plain, truncate

log = logging.getLogger(__name__)

MAX_BLOCKS = 50
MAX_SECTION = 3000
MAX_HEADER = 150
MAX_BUTTON = 75
MAX_CONTEXT = 2000
MAX_FALLBACK = 3000

MORE, LESS, ASK = "podbrief_more", "podbrief_less", "podbrief_ask"
Block = dict[str, Any]


def action_id(kind: str, ref: int) -> str:
    """``podbrief_more:101``: the kind of button and the insight/episode id it acts on."""
    return f"{kind}:{ref}"


def parse_action_id(value: str) -> tuple[str, int]:
    """The inverse of ``action_id``."""
    kind, _, ref = value.partition(":")
    return kind, int(ref)


def header(text: str) -> Block:
    return {"type": "header", "text": _plain(text, MAX_HEADER)}


def section(mrkdwn_text: str) -> Block:
    """A section of already-escaped mrkdwn, cut to Slack's 3,000 characters."""
    return {
        "type": "section",
        "text": {"type": "mrkdwn", "text": truncate(mrkdwn_text, MAX_SECTION)},
    }


def context(*mrkdwn_texts: str) -> Block:
    elements = [{"type": "mrkdwn", "text": truncate(t, MAX_CONTEXT)} for t in mrkdwn_texts[:10]]
    return {"type": "context", "elements": elements}


def button(text: str, action: str, value: str, style: str | None = None) -> Block:
    element: Block = {"type": "button", "text": _plain(text, MAX_BUTTON), "action_id": action}
    element["value"] = value[:2000]
    if style:
        element["style"] = style
    return element


def _plain(text: str, limit: int) -> Block:
    return {"type": "plain_text", "text": truncate(plain(text) or " ", limit), "emoji": True}


# --- brief ----------------------------------------------------------------------------------


def brief_title(brief: Brief) -> str:
    return f"Your podcast brief · {format_day(brief.date)}"


def render_brief(brief: Brief) -> tuple[list[Block], str]:
    """The brief as Block Kit plus a plain-text fallback for notifications."""
    blocks: list[Block] = [header(brief_title(brief))]
    if brief.topics:
        blocks.append(context("Topics: " + escape(", ".join(brief.topics))))
    if not brief.items:
        blocks.append(section(escape(brief.empty_reason or "Nothing new for your topics today.")))
    groups = [_item_blocks(item) for item in brief.items]
    blocks += fit_groups(groups, MAX_BLOCKS - len(blocks))
    return blocks, brief_fallback(brief)


def _item_blocks(item: BriefItem) -> list[Block]:
    body = f"*{item.rank}.* {truncate(escape(item.text), 1200)}"
    quote = distinct_quote(item.text, item.quote)
    if quote:
        body += f"\n> “{truncate(escape(quote), 1200)}”"
    if item.speaker:
        body += f"\n— {truncate(escape(item.speaker), 120)}"
    moment = link(item.url, moment_label(item.start))
    where = f"{truncate(escape(item.podcast), 200)} · “{truncate(escape(item.episode), 300)}”"
    blocks = [section(body), context(f"{where} · {moment}")]
    if item.related:
        blocks.append(context("Also said on: " + _related_text(item)))
    blocks.append(
        {
            "type": "actions",
            "block_id": f"item:{item.insight_id}",
            "elements": [
                button("👍 More like this", action_id(MORE, item.insight_id), str(item.insight_id)),
                button("👎 Less like this", action_id(LESS, item.insight_id), str(item.insight_id)),
                button(
                    "Ask about this episode", action_id(ASK, item.episode_id), str(item.episode_id)
                ),
            ],
        }
    )
    return blocks


def _related_text(item: BriefItem) -> str:
    """ "Also said on" entries: show (moment), episode, how it relates and the related sentence
    itself ("agrees", "disagrees", "adds"); as many whole ones as fit one context element."""
    parts: list[str] = []
    budget = MAX_CONTEXT - 40
    for related in item.related:
        entry = f"{truncate(escape(related.podcast), 80)} "
        entry += f"({link(related.url, short_time(related.start) or 'episode')})"
        entry += f" · “{truncate(escape(related.episode), 80)}”"
        stance = related.stance
        entry += f" · _{escape(stance)}_: " if stance else ": "
        entry += f"“{truncate(escape(related.text), 300)}”"
        if len(entry) + 1 > budget:
            break
        parts.append(entry)
        budget -= len(entry) + 1
    return "\n".join(parts)


def fit_groups(groups: list[list[Block]], room: int) -> list[Block]:
    """Whole groups while they fit (trimming "also said" first), then a note of what was cut."""
    out: list[Block] = []
    for index, group in enumerate(groups):
        left = len(groups) - index - 1
        reserve = 1 if left else 0
        if len(group) > room - len(out) - reserve:
            group = [b for b in group if not _is_related(b)]
        if len(group) > room - len(out) - reserve:
            out.append(context(f"{ELLIPSIS} and {left + 1} more (too long for one message)"))
            break
        out += group
    return out[:room]


def _is_related(block: Block) -> bool:
    first = block.get("elements", [{}])[0]
    return block["type"] == "context" and first.get("text", "").startswith("Also said on")


def brief_fallback(brief: Brief) -> str:
    """The notification text: title and numbered insights, escaped."""
    lines = [brief_title(brief)]
    lines += [f"{item.rank}. {escape(item.text)}" for item in brief.items]
    if not brief.items:
        lines.append(escape(brief.empty_reason or "Nothing new for your topics today."))
    return truncate("\n".join(lines), MAX_FALLBACK)


def brief_metadata(brief: Brief, *, delivery_id: int | None = None) -> dict[str, Any]:
    """Message metadata for a posted brief, so thread follow-ups can find its episodes."""
    payload: dict[str, Any] = {
        "episode_ids": [item.episode_id for item in brief.items],
        "insight_ids": [item.insight_id for item in brief.items],
        "date": brief.date.isoformat(),
    }
    if delivery_id is not None:
        payload["delivery_id"] = delivery_id
    return {"event_type": "podbrief_brief", "event_payload": payload}


# --- answers and replies --------------------------------------------------------------------


def render_answer(answer: Answer) -> list[Block]:
    """The answer, then its numbered citations as one context line each."""
    answer = distinct_citations(answer)
    blocks = [section(escape(answer.answer) or "No answer.")]
    for number, c in enumerate(answer.citations[:10], start=1):
        moment = link(c.url, moment_label(c.start))
        where = f"{truncate(escape(c.podcast), 200)} · “{truncate(escape(c.episode), 300)}”"
        blocks.append(context(f"[{number}] {where} · {moment}"))
    return blocks


def render_line(line: Line) -> str:
    """A reply line as mrkdwn (see ``Line``: the label, else the text, carries the link)."""
    if line.url and line.label:
        return f"{escape(line.text)} {link(line.url, line.label)}"
    if line.url:
        return link(line.url, line.text)
    return escape(line.text)


def render_reply(reply: Reply) -> tuple[list[Block], str]:
    """Any reply as blocks and fallback text, within Slack's limits."""
    if reply.brief is not None:
        blocks, text = render_brief(reply.brief)
    else:
        blocks, text = [], ""
    if reply.title:
        title = escape(reply.title)
        blocks.append(section(f"*{truncate(title, MAX_SECTION - 2)}*"))
    if reply.answer is not None:
        blocks += render_answer(reply.answer)
        text = text or escape(f"{reply.title or ''}\n{reply.answer.answer}".strip())
    blocks += _line_sections([render_line(line) for line in reply.lines])
    text = text or escape(reply.text) or "podbrief"
    if len(blocks) > MAX_BLOCKS:
        blocks = [*blocks[: MAX_BLOCKS - 1], context(f"{ELLIPSIS} more not shown")]
    return blocks, truncate(text, MAX_FALLBACK)


def _line_sections(lines: list[str]) -> list[Block]:
    """Pack lines into as few sections as fit in 3,000 characters each."""
    sections: list[Block] = []
    current = ""
    for line in lines:
        line = truncate(line, MAX_SECTION)
        if current and len(current) + 1 + len(line) > MAX_SECTION:
            sections.append(section(current))
            current = ""
        current = f"{current}\n{line}" if current else line
    if current:
        sections.append(section(current))
    return sections
