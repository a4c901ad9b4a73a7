"""A small live event bus for Server-Sent Events that works across processes.

`event_publish()` writes an `Event` row when the surrounding transaction commits, so a change that rolls
back never reaches a screen. `sse_stream()` answers one browser by polling that table for rows newer than
the last one it sent. A table works across uvicorn workers and the Huey worker on SQLite and PostgreSQL
alike; LISTEN/NOTIFY or Redis pub/sub can replace the polling later behind the same two functions.
"""

import asyncio
import datetime as dt
import json
import logging
import time
from collections.abc import AsyncIterator, Iterator

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.handlers.asgi import ASGIRequest
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connections, transaction
from django.db.models import Max, Q
from django.http import StreamingHttpResponse
from django.utils import timezone

from satulayar.core.models import Event

logger = logging.getLogger(__name__)

POLL_SECONDS = 0.3
PING_SECONDS = 15
RETRY_MS = 2000
BATCH = 200
# Ids come from a sequence but rows commit in any order, so a row with a smaller id can appear after a
# larger one was sent. Each poll also looks back this far and sends what it has not sent yet.
LATE_COMMIT_WINDOW = dt.timedelta(seconds=10)
LATE_COMMIT_IDS = 500


def event_publish(*, channel: str, kind: str, data: dict) -> None:
    """Queue a live event; it is stored (and so streamed) only if the current transaction commits."""
    payload = json.loads(json.dumps(data, cls=DjangoJSONEncoder))  # fail here, not after the commit

    def store():
        Event.objects.create(channel=channel, kind=kind, data=payload)

    transaction.on_commit(store, robust=True)


def events_prune(*, older_than: dt.timedelta = dt.timedelta(days=1), now: dt.datetime | None = None) -> int:
    """Delete events older than `older_than`; returns how many. A stream resumes only from recent events."""
    deleted, _ = Event.objects.filter(created_at__lt=(now or timezone.now()) - older_than).delete()
    return deleted


def event_last_id(*, channels: list[str] | None = None) -> int:
    """The newest event id (of `channels`). A page passes it to its stream (?last=) so nothing between render
    and connect is lost; a polled fragment uses it as its version."""
    events = Event.objects.all() if channels is None else Event.objects.filter(channel__in=channels)
    return events.aggregate(last=Max("id"))["last"] or 0


class EventCursor:
    """Where one stream stands: the last id sent, and the recent ids already sent (for late commits)."""

    def __init__(self, *, channels: list[str] | None, last_id: int | None):
        self.channels = None if channels is None else list(channels)  # None: every channel (the hub's cursor)
        self.last_id = last_id
        self.sent: set[int] = set()
        self.primed = False

    def _prime(self) -> None:
        if self.last_id is None:  # a new client: only what happens from now on
            self.last_id = event_last_id()
        # The client already has everything up to last_id, including recent rows below it.
        self.sent = set(self._events().filter(
            id__lte=self.last_id, id__gt=self.last_id - LATE_COMMIT_IDS,
            created_at__gte=timezone.now() - LATE_COMMIT_WINDOW).values_list("id", flat=True))
        self.primed = True

    def _events(self):
        return Event.objects.all() if self.channels is None else Event.objects.filter(channel__in=self.channels)

    def fetch(self) -> list[Event]:
        """The events not sent yet, oldest first."""
        if not self.primed:
            self._prime()
        recent = Q(id__gt=self.last_id - LATE_COMMIT_IDS, created_at__gte=timezone.now() - LATE_COMMIT_WINDOW)
        events = list(self._events().filter(Q(id__gt=self.last_id) | recent)
                      .exclude(id__in=self.sent).order_by("id")[:BATCH])
        for event in events:
            self.sent.add(event.pk)
            self.last_id = max(self.last_id, event.pk)
        self.sent = {pk for pk in self.sent if pk > self.last_id - LATE_COMMIT_IDS}
        return events


def sse_frame(event: Event) -> str:
    data = json.dumps(event.data, cls=DjangoJSONEncoder, separators=(",", ":"))
    return f"id: {event.pk}\nevent: {event.kind}\ndata: {data}\n\n"


def _stream_seconds() -> float:
    """A stream ends after this long; the browser reconnects with Last-Event-ID and loses nothing."""
    return float(getattr(settings, "EVENTS_STREAM_SECONDS", 300))


def event_stream(cursor: EventCursor, *, poll: float = POLL_SECONDS, ping: float = PING_SECONDS,
                 seconds: float | None = None) -> Iterator[str]:
    """The SSE text for a WSGI server (one thread per client); the server stops it when a write fails."""
    seconds = _stream_seconds() if seconds is None else seconds
    yield f"retry: {RETRY_MS}\n\n"
    started = last_write = time.monotonic()
    while True:
        for event in cursor.fetch():
            yield sse_frame(event)
            last_write = time.monotonic()
        now = time.monotonic()
        if now - last_write >= ping:
            yield ": ping\n\n"
            last_write = now
        if now - started >= seconds:
            return
        time.sleep(poll)


class StreamFeed:
    """What one ASGI stream has been handed: its channels, the ids sent (to drop repeats), and a queue."""

    def __init__(self, channels: list[str]):
        self.channels = frozenset(channels)
        self.sent: set[int] = set()
        self.last_id = 0
        self.queue: asyncio.Queue[Event] = asyncio.Queue()

    def accept(self, events: list[Event]) -> list[Event]:
        """Those of `events` on this stream's channels not handed out before; runs on the event loop only."""
        fresh = [e for e in events if e.channel in self.channels and e.pk not in self.sent]
        for event in fresh:
            self.sent.add(event.pk)
            self.last_id = max(self.last_id, event.pk)
        if len(self.sent) > 2 * LATE_COMMIT_IDS:
            self.sent = {pk for pk in self.sent if pk > self.last_id - LATE_COMMIT_IDS}
        return fresh

    def offer(self, events: list[Event]) -> None:
        for event in self.accept(events):
            self.queue.put_nowait(event)


class EventHub:
    """One poller per process for all its ASGI streams: each poll reads the new events of every channel once and
    hands each stream those of its channels, so the database sees one query per poll however many screens
    are open (it saw one per screen before)."""

    def __init__(self, *, poll: float = POLL_SECONDS):
        self.poll = poll
        self.feeds: set[StreamFeed] = set()
        self.task: asyncio.Task | None = None
        self.ready = asyncio.Event()
        self.polls = 0

    async def join(self, feed: StreamFeed) -> None:
        """Start handing `feed` what arrives from now on. When this returns, every event committed so far is
        either visible to a query the stream makes itself or will reach its queue."""
        self.feeds.add(feed)
        if self.task is None or self.task.done():
            self.ready = asyncio.Event()
            self.task = asyncio.get_running_loop().create_task(self._run())
        await self.ready.wait()

    def leave(self, feed: StreamFeed) -> None:
        self.feeds.discard(feed)

    async def _run(self) -> None:
        cursor = EventCursor(channels=None, last_id=None)
        try:
            await sync_to_async(cursor._prime)()
        finally:
            self.ready.set()
        fetch = sync_to_async(cursor.fetch)
        while self.feeds:
            self.polls += 1
            try:
                events = await fetch()
            except Exception:  # a database hiccup must not end every open screen's stream
                logger.exception("live events: poll failed")
                events = []
            for feed in list(self.feeds):
                feed.offer(events)
            await asyncio.sleep(self.poll)


HUB = EventHub()


async def aevent_stream(cursor: EventCursor, *, ping: float = PING_SECONDS, seconds: float | None = None,
                        hub: EventHub | None = None) -> AsyncIterator[str]:
    """The same for ASGI, fed by the process's hub; Django cancels it when the client disconnects."""
    seconds = _stream_seconds() if seconds is None else seconds
    hub = hub or HUB
    feed = StreamFeed(cursor.channels)
    yield f"retry: {RETRY_MS}\n\n"
    started = time.monotonic()
    await hub.join(feed)
    try:
        while True:  # what the client missed before it connected (?last= or Last-Event-ID), from its own cursor
            missed = await sync_to_async(_fetch_and_release)(cursor)
            for event in feed.accept(missed):
                yield sse_frame(event)
            if len(missed) < BATCH:
                break
        while (left := seconds - (time.monotonic() - started)) > 0:
            try:
                event = await asyncio.wait_for(feed.queue.get(), timeout=min(ping, left))
            except TimeoutError:
                yield ": ping\n\n"
                continue
            yield sse_frame(event)
    finally:
        hub.leave(feed)


def _release_connections() -> None:
    """A stream lasts minutes: holding its request's database connections that long would take one of
    PostgreSQL's connections per open screen. (One inside a transaction, as in a test, is left alone.)"""
    for connection in connections.all(initialized_only=True):
        if not connection.in_atomic_block:
            connection.close()


def _fetch_and_release(cursor: EventCursor) -> list[Event]:
    try:
        return cursor.fetch()
    finally:
        _release_connections()  # in the same call: a stream waiting for its turn holds no connection


def last_event_id(request) -> int | None:
    """The id the client last saw: the Last-Event-ID header on a reconnect, or ?last= from the page."""
    value = request.headers.get("Last-Event-ID") or request.GET.get("last") or ""
    return int(value) if value.isdigit() else None


def sse_stream(request, *, channels: list[str]) -> StreamingHttpResponse:
    """A text/event-stream response over `channels`, for sync views.

    Under ASGI (uvicorn) the body is an async generator; under WSGI (runserver, the test live server) a
    plain one, since Django would otherwise read an async body to its end before sending anything.
    """
    cursor = EventCursor(channels=channels, last_id=last_event_id(request))
    if isinstance(request, ASGIRequest):
        _release_connections()  # what the view opened (session, user); the stream opens one when it reads
    # A WSGI server learns that the client left only when a write fails, so there a ping follows every poll.
    body = aevent_stream(cursor) if isinstance(request, ASGIRequest) else event_stream(cursor, ping=POLL_SECONDS)
    response = StreamingHttpResponse(body, content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"
    return response
