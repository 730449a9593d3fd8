"""Posting due briefs through the publishers, recorded in the delivery ledger.

One channel's failure never stops the others: a channel that is gone is marked and skipped,
rate limits are waited out (``retry_after``), transient failures retried with backoff.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta

from sqlmodel import Session, select
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential_jitter

from bot.briefs.compose import compose_brief, compose_briefs
from bot.channels.schedule import due_date, local_today
from bot.core.config import Settings
from bot.core.db import session_scope
from bot.core.errors import ChannelGone, PodbriefError, RateLimited, ServiceUnavailable
from bot.core.models import Channel
from bot.core.ports import Publisher
from bot.core.services import Services, worker_name
from bot.core.values import Brief
from bot.delivery.ledger import (
    DeliveryClaim,
    claim_delivery,
    mark_channel_gone,
    mark_failed,
    mark_sent,
    settled_dates,
)

log = logging.getLogger(__name__)

Composer = Callable[[Services, Session, Channel, date], Brief]
Sleep = Callable[[float], None]
SEND_ATTEMPTS = 4
MAX_RETRY_AFTER_S = 120.0
SEND_WAIT_BUDGET_S = 120.0  # all waits of one send together, so the claim stays live
CLAIM_MARGIN_S = 60.0  # compose and the ledger writes around the send


def claim_timeout(settings: Settings) -> timedelta:
    """How old a delivery claim must be to count as abandoned: longer than the slowest send."""
    # A live claim that looked stale would be taken over mid-post, so the configured timeout is
    # raised to send_with_retry's worst case: its whole wait budget plus, per attempt, a
    # find_sent and a send_brief that each run to their request timeout.
    request_s = settings.connect_timeout_s + settings.read_timeout_s
    worst_send_s = SEND_WAIT_BUDGET_S + SEND_ATTEMPTS * 2 * request_s
    return timedelta(seconds=max(settings.delivery_claim_timeout_s, worst_send_s + CLAIM_MARGIN_S))


def due_channels(services: Services, now: datetime, platforms: set[str]) -> list[Channel]:
    """Active channels on ``platforms`` whose brief for their local today is due and unsettled."""
    with session_scope(services.engine) as session:
        query = select(Channel).where(Channel.status == "active", Channel.platform.in_(platforms))
        channels = list(session.exec(query.order_by(Channel.id)))
    settled = settled_dates(services.engine, {local_today(ch, now) for ch in channels}, now)
    return [
        ch
        for ch in channels
        if (day := due_date(ch, now)) is not None and (ch.id, day) not in settled
    ]


def deliver_due(
    services: Services,
    publishers: Mapping[str, Publisher],
    *,
    compose: Composer | None = None,
    sleep: Sleep = time.sleep,
    stop: Callable[[], bool] | None = None,
) -> Counter[str]:
    """Send every due brief once; returns outcome counts (sent, empty, gone, failed, skipped, lost).

    DELIVERY_CONCURRENCY channels are served at a time (each claim is atomic, so threads and
    other processes never send the same brief twice).
    """
    now = services.clock.now()
    due = due_channels(services, now, set(publishers))
    compose = compose or composed_ahead(services, due, now, stop)

    def deliver(channel: Channel) -> str:
        if stop is not None and stop():
            return "stopped"
        publisher = publishers[channel.platform]
        day = due_date(channel, now)
        return deliver_channel(services, publisher, channel, day, compose=compose, sleep=sleep)

    workers = max(1, services.settings.delivery_concurrency)
    with ThreadPoolExecutor(workers, thread_name_prefix="deliver") as pool:
        outcomes = Counter(pool.map(deliver, due))
    outcomes.pop("stopped", None)
    if outcomes:
        log.info("brief tick: %s", dict(outcomes))
    return outcomes


def composed_ahead(
    services: Services,
    channels: list[Channel],
    now: datetime,
    stop: Callable[[], bool] | None = None,
) -> Composer:
    """A composer serving briefs composed together for every due channel (the day's work is
    shared: 1,000 channels in seconds, not minutes); a channel composed later (a retry, a
    takeover) is composed on its own."""
    by_day: dict[date, list[Channel]] = {}
    for channel in channels:
        if (day := due_date(channel, now)) is not None:
            by_day.setdefault(day, []).append(channel)
    ready: dict[tuple[int, date], Brief] = {}
    try:
        with session_scope(services.engine) as session:  # commits the topic claims it stores
            for day, group in by_day.items():
                if stop is not None and stop():
                    break
                for channel_id, brief in compose_briefs(services, session, group, day).items():
                    ready[(channel_id, day)] = brief
    except Exception:  # composing one by one still delivers every brief
        log.exception("composing %d briefs together failed; composing one by one", len(channels))
        ready.clear()

    def compose(services: Services, session: Session, channel: Channel, day: date) -> Brief:
        brief = ready.pop((channel.id, day), None)
        return brief if brief is not None else compose_brief(services, session, channel, day)

    return compose


def deliver_channel(
    services: Services,
    publisher: Publisher,
    channel: Channel,
    day: date,
    *,
    compose: Composer,
    sleep: Sleep = time.sleep,
) -> str:
    """Claim, compose, post and record one channel's brief for ``day``; returns the outcome."""
    settings = services.settings
    claim = claim_delivery(
        services.engine,
        channel_id=channel.id,
        local_date=day,
        worker=worker_name(services),
        now=services.clock.now(),
        stale_after=claim_timeout(settings),
        max_attempts=settings.delivery_max_attempts,
    )
    if claim is None:
        return "skipped"
    try:
        return _compose_and_send(services, publisher, channel, claim, compose, sleep)
    except ChannelGone as exc:
        mark_channel_gone(services.engine, channel.id, str(exc))
        if not mark_failed(services.engine, claim, reason=f"channel gone: {exc}", status="skipped"):
            return "lost"
        return "gone"
    except Exception as exc:  # one channel's failure must not stop the tick
        if not isinstance(exc, PodbriefError):
            log.exception("brief for channel %s failed", channel.id)
        else:
            log.warning("brief for channel %s failed: %s", channel.id, exc)
        if not mark_failed(services.engine, claim, reason=str(exc) or exc.__class__.__name__):
            return "lost"
        return "failed"


def _compose_and_send(
    services: Services,
    publisher: Publisher,
    channel: Channel,
    claim: DeliveryClaim,
    compose: Composer,
    sleep: Sleep,
) -> str:
    with session_scope(services.engine) as session:
        brief = compose(services, session, channel, claim.local_date)
    status = "sent" if brief.items else "empty"
    if not brief.items and not services.settings.post_empty_briefs:
        settled = mark_sent(
            services.engine,
            claim,
            brief=brief,
            message_ref=None,
            now=services.clock.now(),
            status="empty",
        )
        return "empty" if settled else "lost"
    message_ref = None
    if claim.reclaimed:  # an earlier attempt may have posted; HistoryUnavailable: ask later
        message_ref = publisher.find_sent(channel, delivery_id=claim.id, since=claim.since)
    if message_ref is not None:
        log.info("delivery %s was already posted as %s; not posting again", claim.id, message_ref)
    else:
        message_ref = send_with_retry(
            publisher, channel, brief, claim.id, sleep=sleep, since=claim.since
        )
    settled = mark_sent(
        services.engine,
        claim,
        brief=brief,
        message_ref=message_ref,
        now=services.clock.now(),
        status=status,
    )
    return status if settled else "lost"


def _wait(retry_state) -> float:
    """Wait what a rate limit asks for, else exponential backoff, within the send's budget."""
    exc = retry_state.outcome.exception()
    if isinstance(exc, RateLimited):
        wanted = min(max(exc.retry_after, 0.0), MAX_RETRY_AFTER_S)
    else:
        wanted = wait_exponential_jitter(initial=1, max=30)(retry_state)
    # A send that waited longer than the claim timeout would look abandoned and be taken over.
    return max(0.0, min(wanted, SEND_WAIT_BUDGET_S - retry_state.idle_for))


def send_with_retry(
    publisher: Publisher,
    channel: Channel,
    brief: Brief,
    delivery_id: int,
    *,
    sleep: Sleep,
    since: datetime | None = None,
) -> str:
    """Post, retrying transient failures; before each retry ask whether the post already landed
    (a history that cannot be read ends the attempt: the ledger retries later, never blind)."""
    retrying = Retrying(
        retry=retry_if_exception_type(ServiceUnavailable),
        stop=stop_after_attempt(SEND_ATTEMPTS),
        wait=_wait,
        sleep=sleep,
        reraise=True,
    )
    for attempt in retrying:
        with attempt:
            if attempt.retry_state.attempt_number > 1:
                # A timeout may hide a post that landed: look before posting again.
                found = publisher.find_sent(channel, delivery_id=delivery_id, since=since)
                if found is not None:
                    return found
            return publisher.send_brief(channel, brief, delivery_id=delivery_id)
    raise AssertionError("unreachable: tenacity reraises")  # pragma: no cover
