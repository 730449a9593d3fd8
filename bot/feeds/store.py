"""Followed feeds and their episodes: add, list, remove, and store a parsed feed's items."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import insert, update
from sqlmodel import Session, select

from bot.core.config import Settings
from bot.core.errors import NotFound
from bot.core.models import Episode, Podcast
from bot.core.tenancy import only_visible
from bot.core.urlsafety import check_url, shown
from bot.feeds.parse import ParsedFeed, ParsedItem

log = logging.getLogger(__name__)

REMOVED = "removed"
POLLED_STATUSES = ("active", "failing")
# Fields a re-polled item may change; an edited item updates its episode in place.
ITEM_FIELDS = (
    "guid",
    "title",
    "description",
    "link",
    "audio_url",
    "audio_type",
    "duration_s",
    "published_at",
    "transcripts",
    "chapters_url",
    "persons",
)
FEED_FIELDS = ("title", "author", "description", "link", "image_url", "language", "categories")


@dataclass
class StoreResult:
    """What one parsed feed changed: counts, and the ids of episodes queued for processing."""

    new: int = 0
    updated: int = 0
    queued: int = 0
    queued_ids: list[int] = field(default_factory=list)
    chapter_ids: list[int] = field(default_factory=list)  # episodes whose chapters to fetch
    chapter_urls: dict[int, str] = field(default_factory=dict)  # the same, with their URLs


def add_feed(
    session: Session, url: str, *, settings: Settings, allow_private: bool | None = None
) -> Podcast:
    """Follow a feed URL (idempotent: the same URL returns the existing podcast)."""
    private = settings.allow_private_urls if allow_private is None else allow_private
    normalised = check_url(subscription_url(url), allow_private=private)
    podcast = session.exec(select(Podcast).where(Podcast.url == normalised)).first()
    if podcast is not None:
        if podcast.status in (REMOVED, "gone"):  # following again resumes polling
            podcast.status, podcast.next_poll_at, podcast.failure_count = "active", None, 0
            session.add(podcast)
            session.flush()
        return podcast
    podcast = Podcast(url=normalised)
    session.add(podcast)
    session.flush()
    log.info("following feed %s as podcast %s", shown(normalised), podcast.id)
    return podcast


def subscription_url(url: str) -> str:
    """Read podcast-app links as the feed they name: ``feed:https://x``, ``itpc://x`` → https."""
    text = url.strip()
    lowered = text.lower()
    for scheme in ("feed:", "itpc:", "pcast:", "podcast:"):
        if lowered.startswith(scheme):
            rest = text[len(scheme) :]
            return rest if rest.lower().startswith(("http://", "https://")) else f"https:{rest}"
    return text


def get_podcast(session: Session, podcast_id: int) -> Podcast:
    """The podcast with this id (removed ones included), else NotFound."""
    podcast = session.get(Podcast, podcast_id)
    if podcast is None:
        raise NotFound(f"no podcast with id {podcast_id}")
    return podcast


def remove_feed(session: Session, podcast_id: int) -> Podcast:
    """Stop following a feed. Its episodes and insights stay, so past briefs keep their links."""
    podcast = get_podcast(session, podcast_id)
    if podcast.status == REMOVED:
        raise NotFound(f"no followed podcast with id {podcast_id}")
    podcast.status, podcast.next_poll_at = REMOVED, None
    session.add(podcast)
    session.flush()
    return podcast


def list_feeds(
    session: Session, *, include_removed: bool = False, visible: frozenset[int] | None = None
) -> list[Podcast]:
    """Followed podcasts by id (failing and gone ones included, so they are never hidden), of
    ``visible`` only when given (the podcasts a workspace may see)."""
    query = only_visible(select(Podcast).order_by(Podcast.id), Podcast.id, visible)
    if not include_removed:
        query = query.where(Podcast.status != REMOVED)
    return list(session.exec(query).all())


def due_feeds(session: Session, now: datetime, *, only_due: bool = True) -> list[int]:
    """Ids of podcasts to poll: active or failing, and due unless ``only_due`` is False.

    The demo's sample feeds (``demo_sample``) are never due: they exist only while
    `podbrief demo` serves them.
    """
    query = select(Podcast.id).where(
        Podcast.status.in_(POLLED_STATUSES),  # type: ignore[attr-defined]
        Podcast.demo_sample.is_(None),  # type: ignore[union-attr]
    )
    if only_due:
        query = query.where(
            (Podcast.next_poll_at.is_(None)) | (Podcast.next_poll_at <= now)  # type: ignore[union-attr]
        )
    return [pid for pid in session.exec(query.order_by(Podcast.id)).all() if pid is not None]


def claim_feed(session: Session, podcast_id: int, now: datetime, lease: timedelta) -> bool:
    """Claim a due feed for one poller by pushing its next poll ``lease`` ahead.

    An atomic conditional UPDATE, so two schedulers or workers never poll one feed at once; if
    the poller dies, the lease runs out and the feed is due again.
    """
    due = (Podcast.next_poll_at.is_(None)) | (Podcast.next_poll_at <= now)  # type: ignore[union-attr]
    statement = (
        update(Podcast)
        .where(
            Podcast.id == podcast_id,
            Podcast.status.in_(POLLED_STATUSES),  # type: ignore[attr-defined]
            Podcast.demo_sample.is_(None),  # type: ignore[union-attr]
            due,
        )
        .values(next_poll_at=now + lease)
    )
    return session.execute(statement).rowcount == 1


def store_items(
    session: Session,
    podcast: Podcast,
    parsed: ParsedFeed,
    *,
    now: datetime,
    initial_episodes: int,
) -> StoreResult:
    """Insert new items and update edited ones; queue what should be processed.

    The first poll of a feed stores its back catalogue as "new" and queues only the newest
    ``initial_episodes``; on later polls every new item is queued ("pending").
    """
    _update_podcast(podcast, parsed, now)
    existing = list(session.exec(select(Episode).where(Episode.podcast_id == podcast.id)).all())
    first_poll = not existing and podcast.last_success_at is None
    queue = _newest(parsed.items, initial_episodes) if first_poll else None
    result = StoreResult()
    rows: list[dict[str, Any]] = []
    refetch: dict[int, str] = {}
    for item, episode in zip(parsed.items, _match(parsed.items, existing), strict=True):
        if episode is not None:
            old_chapters_url = episode.chapters_url
            result.updated += _apply(episode, item, now)
            if episode.chapters_url and episode.chapters_url != old_chapters_url:
                refetch[episode.id] = episode.chapters_url
            continue
        status = "pending" if queue is None or item.identity in queue else "new"
        rows.append(_new_row(podcast, item, status, now))
    if rows:  # one multi-row INSERT: a back catalogue can be thousands of items
        session.execute(insert(Episode), rows)
    session.add(podcast)
    session.flush()
    result.new = len(rows)
    queued = _ids(session, podcast, [r["identity"] for r in rows if r["status"] == "pending"])
    result.queued_ids = [episode_id for episode_id, _url in queued]
    result.queued = len(result.queued_ids)
    result.chapter_urls = {episode_id: url for episode_id, url in queued if url} | refetch
    result.chapter_ids = list(result.chapter_urls)
    return result


def _match(items: list[ParsedItem], existing: list[Episode]) -> list[Episode | None]:
    """Each item's stored episode: by identity first, then by audio URL among the unmatched.

    Identity goes first for every item, so a new item reusing an older episode's enclosure never
    takes that episode from the item that really is it (which would then collide on identity).
    """
    by_identity = {e.identity: e for e in existing}
    found: list[Episode | None] = [by_identity.get(item.identity) for item in items]
    taken = {id(e) for e in found if e is not None}
    by_audio: dict[str, Episode] = {}
    for episode in existing:
        if episode.audio_url and id(episode) not in taken:
            by_audio.setdefault(episode.audio_url, episode)
    for number, item in enumerate(items):
        episode = by_audio.get(item.audio_url or "")
        if found[number] is None and episode is not None and id(episode) not in taken:
            found[number] = episode
            taken.add(id(episode))
    return found


def _new_row(podcast: Podcast, item: ParsedItem, status: str, now: datetime) -> dict[str, Any]:
    """An episode row for a core INSERT (every NOT NULL column given explicitly)."""
    fields = {name: getattr(item, name) for name in ITEM_FIELDS}
    return {
        **fields,
        "podcast_id": podcast.id,
        "identity": item.identity,
        "status": status,
        "attempts": 0,
        "chapters": [],
        "created_at": now,
        "updated_at": now,
    }


def _ids(session: Session, podcast: Podcast, identities: list[str]) -> list[tuple[int, str | None]]:
    """(id, chapters_url) of this podcast's episodes with these identities, in id order."""
    if not identities:
        return []
    query = (
        select(Episode.id, Episode.chapters_url)
        .where(Episode.podcast_id == podcast.id, Episode.identity.in_(identities))  # type: ignore[attr-defined]
        .order_by(Episode.id)
    )
    return [(row[0], row[1]) for row in session.exec(query).all() if row[0] is not None]


def _newest(items: list[ParsedItem], count: int) -> set[str]:
    """Identities of the ``count`` newest items (undated ones rank after dated, in feed order)."""
    floor = datetime.min.replace(tzinfo=UTC)
    ranked = sorted(
        enumerate(items), key=lambda pair: (-(pair[1].published_at or floor).timestamp(), pair[0])
    )
    return {item.identity for _index, item in ranked[: max(count, 0)]}


def _apply(episode: Episode, item: ParsedItem, now: datetime) -> int:
    """Copy the item's fields onto the episode; 1 if anything changed, else 0."""
    changed = False
    for name in ITEM_FIELDS:
        value: Any = getattr(item, name)
        if getattr(episode, name) != value:
            setattr(episode, name, value)
            changed = True
    if changed and episode.id is not None:
        episode.updated_at = now
        return 1
    return 0


def _update_podcast(podcast: Podcast, parsed: ParsedFeed, now: datetime) -> None:
    for name in FEED_FIELDS:
        value = getattr(parsed, name)
        if value and getattr(podcast, name) != value:
            setattr(podcast, name, value)
            podcast.updated_at = now
