"""A small live event bus for Server-Sent Events that works across processes.

`event_publish()` writes an `Event` row when the surrounding transaction commits, so a change that rolls
back never reaches a screen. `sse_stream()` answers one browser from its process's hub, which reads that table
for rows newer than the last it handed out. A table works across uvicorn workers and the Huey worker on SQLite
and PostgreSQL alike. On SQLite the hub polls it; on PostgreSQL a trigger (core migration 0002) notifies
NOTIFY_CHANNEL at each commit of new rows and the hub reads the table when woken (LISTEN on a connection of its
own, one per process), so an event reaches every process's screens in milliseconds, with a slow poll behind it
in case a notification is lost. Replay after a reconnect (Last-Event-ID) still reads the table.
"""

import asyncio
import datetime as dt
import json
import logging
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass

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
NOTIFY_CHANNEL = "satulayar_events"
NOTIFY_FALLBACK_SECONDS = 5.0  # PostgreSQL: read the table at least this often, should a notification be lost
# PostgreSQL: a notification right after a read waits out this gap, so that under load (50 punch commits a second)
# one read hands every stream the events of several commits in one write, not a write per commit and stream.
# A lone event still goes at once.
NOTIFY_READ_GAP_SECONDS = 0.03
PING_SECONDS = 15
RETRY_MS = 2000
BATCH = 200
# Ids come from a sequence but rows commit in any order, so a row with a smaller id can appear after a
# larger one was sent. Each poll also looks back this far and sends what it has not sent yet.
LATE_COMMIT_WINDOW = dt.timedelta(seconds=10)
LATE_COMMIT_IDS = 500


# --- the kinds of event and their channels -------------------------------------------------------------------
# A channel is "<family>:<id>": one city's (or one kelurahan office's) events of one app. The functions take a
# model instance or its id, so every app and the dashboard spell a channel the same way.


def _pk(thing) -> int:
    return thing if isinstance(thing, int) else thing.pk


def org_channel(city) -> str:
    return f"org:{_pk(city)}"


def attendance_channel(city) -> str:
    return f"attendance:{_pk(city)}"


def queue_channel(kelurahan) -> str:
    """A kelurahan office's queue: its desks, kiosk, display and public pages."""
    return f"queue:{_pk(kelurahan)}"


def cctv_channel(city) -> str:
    return f"cctv:{_pk(city)}"


def inspections_channel(city) -> str:
    return f"inspections:{_pk(city)}"


def integrations_channel(city) -> str:
    return f"integrations:{_pk(city)}"


def alerts_channel(city) -> str:
    return f"alerts:{_pk(city)}"


def integrity_channel(city) -> str:
    return f"integrity:{_pk(city)}"


@dataclass(frozen=True)
class EventKind:
    """One kind of live event: its name ("<subject>.<what happened>"), the channel function it is published on,
    and the keys of its payload (ids and small values only: a stream is read by anyone who may open it)."""

    name: str
    channel: Callable[..., str]
    payload: tuple[str, ...]

    @property
    def family(self) -> str:
        return self.channel(0).split(":")[0]


_TICKET = ("ticket", "code", "status", "prefix", "service", "counter", "priority")
EVENT_KINDS: dict[str, EventKind] = {kind.name: kind for kind in (
    # org: the tree, its staff, roles and sites
    EventKind("unit.saved", org_channel, ("unit", "what")),
    EventKind("employee.saved", org_channel, ("employee", "unit", "what")),
    EventKind("employee.imported", org_channel, ("created",)),  # one event per bulk batch
    EventKind("role.assigned", org_channel, ("assignment", "role", "user")),
    EventKind("role.revoked", org_channel, ("assignment", "role", "user")),
    EventKind("site.saved", org_channel, ("site", "what")),
    # attendance: punches stored (ingest, phone check-in, corrections), today's statuses rewritten, leave
    EventKind("punch.recorded", attendance_channel, ("accepted", "units", "excluded")),  # excluded: corrections
    EventKind("status.changed", attendance_channel, ("date", "units")),
    EventKind("leave.requested", attendance_channel, ("request", "unit", "status")),
    EventKind("leave.decided", attendance_channel, ("request", "unit", "status")),
    EventKind("leave.cancelled", attendance_channel, ("request", "unit", "status")),
    EventKind("leave.forwarded", attendance_channel, ("request", "unit", "status")),  # superior approved; BKPSDM next
    EventKind("leave.attachment_added", attendance_channel, ("request", "unit", "attachment")),
    EventKind("leave.attachment_deleted", attendance_channel, ("request", "unit", "attachment")),
    EventKind("leave.rule_saved", attendance_channel, ("rule", "kind")),
    # attendance settings: the work calendar, schedules, special hours, shifts, TPP rules, device commands
    EventKind("calendar.day_saved", attendance_channel, ("day", "date", "kind")),
    EventKind("calendar.day_deleted", attendance_channel, ("day", "date", "kind")),
    EventKind("schedule.set", attendance_channel, ("schedule", "unit", "effective_from")),
    EventKind("schedule.special_hours_set", attendance_channel, ("special_hours", "start_date", "end_date")),
    EventKind("shift.set", attendance_channel, ("shift", "employee", "unit", "date")),
    EventKind("tpp.rule_saved", attendance_channel, ("rule", "violation")),
    EventKind("tpp.rule_deleted", attendance_channel, ("rule", "violation")),
    EventKind("device.command_queued", attendance_channel, ("device", "command")),
    EventKind("device.sync_queued", attendance_channel, ("device", "commands", "reason")),  # machines kept in step
    EventKind("device.pulled", attendance_channel, ("device", "state", "accepted", "records")),
    EventKind("terminal.registered", attendance_channel, ("kiosk", "site")),  # attendance kiosks (kiosks.py)
    EventKind("terminal.retired", attendance_channel, ("kiosk", "site")),
    # kelurahan services: every ticket write (its new status in the name), ratings, bookings, kiosks
    EventKind("ticket.issued", queue_channel, _TICKET),
    EventKind("ticket.called", queue_channel, (*_TICKET, "say")),
    EventKind("ticket.recalled", queue_channel, (*_TICKET, "say")),
    EventKind("ticket.waiting", queue_channel, _TICKET),
    EventKind("ticket.serving", queue_channel, _TICKET),
    EventKind("ticket.done", queue_channel, _TICKET),
    EventKind("ticket.no_show", queue_channel, _TICKET),
    EventKind("ticket.cancelled", queue_channel, _TICKET),
    EventKind("ticket.prioritised", queue_channel, _TICKET),
    EventKind("ticket.transferred", queue_channel, (*_TICKET, "to_service", "to_counter")),
    EventKind("ticket.printed", queue_channel, (*_TICKET, "copy")),
    EventKind("rating.submitted", queue_channel, _TICKET),
    EventKind("booking.capacity_set", queue_channel, ("service", "hour", "capacity")),
    EventKind("booking.created", queue_channel, ("booking", "date", "hour", "service")),
    EventKind("booking.checked_in", queue_channel, ("booking", "ticket", "code")),
    EventKind("booking.cancelled", queue_channel, ("booking",)),
    EventKind("kiosk.registered", queue_channel, ("kiosk",)),
    # cameras
    EventKind("camera.saved", cctv_channel, ("camera_id", "kelurahan_id", "what")),  # registry and settings changes
    EventKind("camera.health", cctv_channel, ("camera_id", "kelurahan_id", "health", "previous", "error", "at")),
    EventKind("camera.count", cctv_channel, ("camera_id", "kelurahan_id", "people", "previous", "at")),
    EventKind("camera.frame", cctv_channel, ("camera_id", "kelurahan_id", "frame_id", "taken_at", "people",
                                            "thumbnail_url")),
    # the integration hub
    EventKind("connector.saved", integrations_channel, ("connector", "kind", "what")),
    EventKind("indicator.saved", integrations_channel, ("indicator", "code")),
    EventKind("client.saved", integrations_channel, ("client", "active")),
    EventKind("integration.run", integrations_channel, ("connector", "run", "status", "accepted", "rejected",
                                                        "health")),
    # sidak
    EventKind("inspection.started", inspections_channel, ("inspection",)),
    EventKind("inspection.closed", inspections_channel, ("inspection",)),
    EventKind("inspection.marked", inspections_channel, ("inspection", "entry", "observation")),
    EventKind("inspection.conflict_resolved", inspections_channel, ("inspection", "entry", "observation")),
    EventKind("finding.assigned", inspections_channel, ("finding", "inspection", "unit", "status")),
    EventKind("finding.followed_up", inspections_channel, ("finding", "inspection", "unit", "status")),
    # the dashboard's alerts
    EventKind("alert.opened", alerts_channel, ("alert", "kind")),
    EventKind("alert.resolved", alerts_channel, ("alert", "kind")),
    EventKind("alert.acknowledged", alerts_channel, ("alert", "kind")),
    # integrity signals: a run over a date range, an inspector's judgement, a rule tuned
    EventKind("integrity.run", integrity_channel, ("start", "end", "new", "found")),
    EventKind("integrity.judged", integrity_channel, ("finding", "rule", "status")),
    EventKind("integrity.tuned", integrity_channel, ("rule", "enabled")),
)}


def event_publish(*, channel: str, kind: str, data: dict) -> None:
    """Queue a live event; it is stored (and so streamed) only if the current transaction commits. The kind must
    be registered in EVENT_KINDS and published on a channel of its family."""
    payload = json.loads(json.dumps(data, cls=DjangoJSONEncoder))  # fail here, not after the commit
    registered = EVENT_KINDS.get(kind)
    if registered is None:
        raise ValueError(f"live event kind {kind!r} is not registered in core.events.EVENT_KINDS")
    if channel.split(":")[0] != registered.family:
        raise ValueError(f"live event {kind!r} belongs on a {registered.family}: channel, not {channel!r}")

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
    """The event as SSE text, kept on the event: a process's hub hands one event object to every open screen."""
    frame = getattr(event, "_sse_frame", None)
    if frame is None:
        data = json.dumps(event.data, cls=DjangoJSONEncoder, separators=(",", ":"))
        frame = event._sse_frame = f"id: {event.pk}\nevent: {event.kind}\ndata: {data}\n\n"
    return frame


def _with_queued(queue: asyncio.Queue, first: Event) -> list[Event]:
    """`first` and whatever else is already waiting: under load one write to the client carries them all."""
    events = [first]
    while not queue.empty():
        events.append(queue.get_nowait())
    return events


def _stream_seconds() -> float:
    """A stream ends after this long; the browser reconnects with Last-Event-ID and loses nothing."""
    return float(settings.EVENTS_STREAM_SECONDS)


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
    """One reader per process for all its ASGI streams: each read gets the new events of every channel once and
    hands each stream those of its channels, so the database sees one query per read however many screens are
    open. It reads every `poll` seconds on SQLite; on PostgreSQL when NOTIFY_CHANNEL wakes it (`listen`)."""

    def __init__(self, *, poll: float = POLL_SECONDS, listen: bool | None = None,
                 read_gap: float = NOTIFY_READ_GAP_SECONDS):
        self.poll = poll
        self.listen = listen  # None: when the database is PostgreSQL and settings.EVENTS_LISTEN
        self.read_gap = read_gap
        self.feeds: set[StreamFeed] = set()
        self.task: asyncio.Task | None = None
        self.ready = asyncio.Event()
        self.polls = 0
        self.last_read = 0.0

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
        listener = None
        try:
            listener = await self._listener()  # before priming: nothing committed after the prime goes unnoticed
            await sync_to_async(cursor._prime)()
        finally:
            self.ready.set()
        fetch = sync_to_async(cursor.fetch)
        try:
            while self.feeds:
                self.polls += 1
                self.last_read = time.monotonic()
                try:
                    events = await fetch()
                except Exception:  # a database hiccup must not end every open screen's stream
                    logger.exception("live events: read failed")
                    events = []
                for feed in list(self.feeds):
                    feed.offer(events)
                listener = await self._wait(listener)
        finally:
            if listener is not None:
                await listener.close()

    async def _listener(self):
        """A connection of its own LISTENing on NOTIFY_CHANNEL (PostgreSQL), or None: poll."""
        db = connections["default"]
        wanted = settings.EVENTS_LISTEN and db.vendor == "postgresql" if self.listen is None else self.listen
        if not wanted:
            return None
        import psycopg

        params = db.settings_dict
        try:
            listener = await psycopg.AsyncConnection.connect(
                dbname=params["NAME"], user=params["USER"], password=params["PASSWORD"],
                host=params["HOST"] or None, port=params["PORT"] or None, autocommit=True)
            await listener.execute(f"LISTEN {NOTIFY_CHANNEL}")
        except psycopg.Error:
            logger.exception("live events: LISTEN failed, polling instead")
            return None
        return listener

    async def _wait(self, listener):
        """Until the next notification (or the fallback read); the listener to go on with (None after a failure)."""
        if listener is None:
            await asyncio.sleep(self.poll)
            return None
        try:
            async for _notice in listener.notifies(timeout=NOTIFY_FALLBACK_SECONDS, stop_after=1):
                pass
            if (gap := self.read_gap - (time.monotonic() - self.last_read)) > 0:
                await asyncio.sleep(gap)
                async for _notice in listener.notifies(timeout=0):  # those of the commits the gap gathered
                    pass
        except Exception:
            logger.exception("live events: the LISTEN connection failed, polling instead")
            await listener.close()
            return None
        return listener


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
            yield "".join(sse_frame(e) for e in _with_queued(feed.queue, event))
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
