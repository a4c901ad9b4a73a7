"""The ASGI live streams share one poller per process: each stream gets its own channels' events once, in a
query per poll however many streams are open, and a reconnecting client first gets what it missed."""

import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest
from asgiref.sync import sync_to_async
from django.db import connection, transaction

from satulayar.core.events import EventCursor, EventHub, aevent_stream
from satulayar.core.models import Event

pytestmark = pytest.mark.django_db(transaction=True)


def add(channel: str, n: int) -> Event:
    return Event.objects.create(channel=channel, kind="tick", data={"n": n})


async def collect(stream, into: list[str], writes: list[str] | None = None) -> None:
    async for chunk in stream:
        if chunk.startswith("id:"):
            into.extend(f"{frame}\n\n" for frame in chunk.split("\n\n") if frame)
            if writes is not None:
                writes.append(chunk)


def run_streams(*, before, during, streams, hub, seconds=1.2):
    """Open `streams` (channels, last id) on `hub`, add `during` events while they run; returns their frames."""
    for channel, n in before:
        add(channel, n)

    async def scenario():
        frames = [[] for _ in streams]
        tasks = [asyncio.create_task(collect(aevent_stream(EventCursor(channels=channels, last_id=last), ping=0.2,
                                                           seconds=seconds, hub=hub), into))
                 for (channels, last), into in zip(streams, frames, strict=True)]
        await asyncio.sleep(0.3)
        for channel, n in during:
            await sync_to_async(add)(channel, n)
            await asyncio.sleep(0.05)
        await asyncio.gather(*tasks)
        return frames

    # A thread of its own: after a browser test, Playwright's loop is still running in this one.
    with ThreadPoolExecutor(1) as thread:
        return thread.submit(asyncio.run, scenario()).result()


def numbers(frames: list[str]) -> list[int]:
    return [int(frame.split('"n":')[1].split("}")[0]) for frame in frames]


def test_each_stream_gets_its_channels_once_from_one_poller():
    hub = EventHub(poll=0.05, listen=False)
    many = [(["queue:1"], None)] * 20 + [(["queue:2", "attendance:1"], None)]
    frames = run_streams(before=[("queue:1", 0)], during=[("queue:1", 1), ("queue:2", 2), ("attendance:1", 3),
                                                         ("queue:1", 4), ("cctv:1", 5)], streams=many, hub=hub)
    for got in frames[:20]:
        assert numbers(got) == [1, 4]  # not the event from before they connected, not other channels
    assert numbers(frames[-1]) == [2, 3]
    # One query per poll for 21 streams: at most about seconds / poll polls, not 21 times that.
    assert 5 <= hub.polls <= 1.2 / 0.05 + 2
    assert not hub.feeds  # every stream left the hub when it ended


def test_a_reconnecting_client_first_gets_what_it_missed_then_live_events():
    missed = add("queue:1", 10).pk - 1
    add("queue:1", 11)
    add("queue:9", 12)
    frames = run_streams(before=[], during=[("queue:1", 13)], streams=[(["queue:1"], missed)],
                         hub=EventHub(poll=0.05), seconds=0.8)
    assert numbers(frames[0]) == [10, 11, 13]


def test_on_postgresql_a_commit_wakes_the_hub_instead_of_its_poll():
    """With a poll of a minute, only the NOTIFY of each commit can bring the events within the stream's second;
    on SQLite the same hub polls (every 50 ms here)."""
    postgresql = connection.vendor == "postgresql"
    hub = EventHub(poll=60 if postgresql else 0.05)
    frames = run_streams(before=[], during=[("queue:1", 1), ("queue:2", 2), ("queue:1", 3)],
                         streams=[(["queue:1"], None), (["queue:2"], None)], hub=hub, seconds=1.0)
    assert [numbers(f) for f in frames] == [[1, 3], [2]]
    if postgresql:
        assert hub.polls <= 1 + 3  # the first read, then one per notification at most


@pytest.mark.skipif(connection.vendor != "postgresql", reason="NOTIFY is PostgreSQL's; SQLite's hub reads on a clock")
def test_on_postgresql_commits_close_together_are_read_together():
    """Every commit notifies; one that comes within the read gap waits for it, so a burst of commits costs a few
    reads (each a single write to each stream), not one per commit, and every event still arrives, in order."""
    hub = EventHub(poll=60, read_gap=0.2)
    frames = run_streams(before=[], during=[("queue:1", n) for n in range(8)], streams=[(["queue:1"], None)],
                         hub=hub, seconds=1.2)
    assert numbers(frames[0]) == list(range(8))
    assert hub.polls <= 1 + 4  # the first read, then at most one per gap over the 0,4 s burst: not 1 + 8


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's write-ahead log; SQLite runs on WAL pages")
def test_on_postgresql_events_skip_the_write_ahead_log_but_their_ids_never_go_back():
    """A request's events commit without a disk flush; after a crash the table is empty but ids go on."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT relpersistence FROM pg_class WHERE oid = 'core_event'::regclass "
                       "UNION ALL SELECT relpersistence FROM pg_class WHERE oid = "
                       "pg_get_serial_sequence('core_event', 'id')::regclass")
        assert [row[0] for row in cursor.fetchall()] == ["u", "p"]


def test_events_read_together_go_to_each_stream_in_one_write():
    """Under load one read brings several events: a stream sends them in one write, not one write each."""
    def add_three():
        with transaction.atomic():
            for n in (1, 2, 3):
                add("queue:1", n)

    async def scenario():
        hub = EventHub(poll=0.3, listen=False)
        frames, writes = [[], []], [[], []]
        tasks = [asyncio.create_task(collect(aevent_stream(EventCursor(channels=["queue:1"], last_id=None), ping=5,
                                                           seconds=1.0, hub=hub), frames[i], writes[i]))
                 for i in range(2)]
        await asyncio.sleep(0.1)
        await sync_to_async(add_three)()
        await asyncio.gather(*tasks)
        return frames, writes

    with ThreadPoolExecutor(1) as thread:
        frames, writes = thread.submit(asyncio.run, scenario()).result()
    assert [numbers(f) for f in frames] == [[1, 2, 3], [1, 2, 3]]
    assert [len(w) for w in writes] == [1, 1]


def test_a_hub_that_cannot_listen_polls():
    """A LISTEN that fails (on SQLite: asked of a server that is not there) or is not wanted leaves the poll."""
    hub = EventHub(poll=0.05, listen=connection.vendor == "sqlite")
    frames = run_streams(before=[], during=[("queue:1", 1)], streams=[(["queue:1"], None)], hub=hub, seconds=0.6)
    assert numbers(frames[0]) == [1]
