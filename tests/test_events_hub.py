"""The ASGI live streams share one poller per process: each stream gets its own channels' events once, in a
query per poll however many streams are open, and a reconnecting client first gets what it missed."""

import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest
from asgiref.sync import sync_to_async

from satulayar.core.events import EventCursor, EventHub, aevent_stream
from satulayar.core.models import Event

pytestmark = pytest.mark.django_db(transaction=True)


def add(channel: str, n: int) -> Event:
    return Event.objects.create(channel=channel, kind="tick", data={"n": n})


async def collect(stream, into: list[str]) -> None:
    async for chunk in stream:
        if chunk.startswith("id:"):
            into.append(chunk)


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
    hub = EventHub(poll=0.05)
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
