"""The live event bus (core.events): published on commit only, streamed as SSE, resumable by Last-Event-ID."""

import datetime as dt
import json

import pytest
from asgiref.sync import async_to_sync
from django.db import transaction
from django.test import AsyncClient, Client
from django.utils import timezone

from satulayar.core import events
from satulayar.core.events import EventCursor, event_publish, events_prune, sse_stream
from satulayar.core.models import Event


def parse(stream: str) -> list[dict]:
    """The SSE messages in `stream`: each a dict of its fields (comments and the retry hint left out)."""
    messages = []
    for block in stream.split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines() if line and not line.startswith(":"))
        if "data" in fields:
            messages.append({**fields, "data": json.loads(fields["data"])})
    return messages


def stream_text(request_headers=None, path="/?last=0", channels=("queue:1",)) -> str:
    from django.test import RequestFactory

    request = RequestFactory().get(path, headers=request_headers or {})
    response = sse_stream(request, channels=list(channels))
    return b"".join(response.streaming_content).decode()


@pytest.fixture
def short_streams(settings):
    settings.EVENTS_STREAM_SECONDS = 0  # one poll, then the stream ends (a browser would reconnect)


def test_an_event_is_stored_when_the_transaction_commits(transactional_db):
    with transaction.atomic():
        event_publish(channel="queue:1", kind="ticket.called", data={"code": "A-001"})
        assert not Event.objects.exists()  # not before the commit
    event = Event.objects.get()
    assert (event.channel, event.kind, event.data) == ("queue:1", "ticket.called", {"code": "A-001"})


def test_an_event_published_in_a_rolled_back_transaction_is_never_stored(transactional_db):
    with pytest.raises(RuntimeError), transaction.atomic():
        event_publish(channel="queue:1", kind="ticket.called", data={"code": "A-001"})
        raise RuntimeError("the write failed")
    with transaction.atomic():
        with pytest.raises(RuntimeError), transaction.atomic():  # a rolled-back savepoint inside a commit
            event_publish(channel="queue:1", kind="ticket.called", data={"code": "A-002"})
            raise RuntimeError("the inner write failed")
        event_publish(channel="queue:1", kind="ticket.issued", data={"code": "A-003"})
    assert list(Event.objects.values_list("data__code", flat=True)) == ["A-003"]


def test_data_that_is_not_json_is_refused_at_once(db):
    with pytest.raises(TypeError):
        event_publish(channel="queue:1", kind="x", data={"when": object()})


def test_the_stream_frames_id_event_and_data(db, short_streams, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        event_publish(channel="queue:1", kind="ticket.called", data={"code": "A-007", "counter": 2})
        event_publish(channel="queue:2", kind="ticket.called", data={"code": "B-001"})  # another office
    stored = Event.objects.get(channel="queue:1")
    text = stream_text()
    assert text.startswith("retry: 2000\n\n")
    assert f'id: {stored.pk}\nevent: ticket.called\ndata: {{"code":"A-007","counter":2}}\n\n' in text
    assert [m["data"]["code"] for m in parse(text)] == ["A-007"]


def test_last_event_id_resumes_after_the_last_event_seen(db, short_streams, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(1, 4):
            event_publish(channel="queue:1", kind="ticket.issued", data={"code": f"A-00{n}"})
    first = Event.objects.order_by("id").first()
    resumed = parse(stream_text({"Last-Event-ID": str(first.pk)}, path="/"))
    assert [m["data"]["code"] for m in resumed] == ["A-002", "A-003"]
    assert [int(m["id"]) for m in resumed] == [first.pk + 1, first.pk + 2]
    # the header wins over ?last= (the page's value is older than what the browser saw since)
    assert len(parse(stream_text({"Last-Event-ID": str(first.pk + 2)}, path="/?last=0"))) == 0


def test_a_new_client_without_an_id_gets_only_new_events(db, short_streams, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        event_publish(channel="queue:1", kind="ticket.issued", data={"code": "A-001"})
    assert parse(stream_text(path="/")) == []


def test_a_late_commit_with_a_smaller_id_is_still_sent(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(1, 4):
            event_publish(channel="queue:1", kind="ticket.issued", data={"code": f"A-00{n}"})
    ids = list(Event.objects.order_by("id").values_list("id", flat=True))
    cursor = EventCursor(channels=["queue:1"], last_id=0)
    assert [e.pk for e in cursor.fetch()] == ids
    # pretend the middle row committed after the last one had been streamed
    cursor.sent.discard(ids[1])
    assert [e.pk for e in cursor.fetch()] == [ids[1]]
    assert cursor.fetch() == []


def test_pings_keep_an_idle_stream_open(db):
    cursor = EventCursor(channels=["queue:1"], last_id=0)
    chunks = list(events.event_stream(cursor, poll=0.01, ping=0, seconds=0.03))
    assert chunks[0] == "retry: 2000\n\n" and ": ping\n\n" in chunks


def test_the_async_stream_serves_asgi_requests(org, short_streams, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        event_publish(channel=f"queue:{org.kuin.pk}", kind="ticket.called", data={"code": "A-009"})

    async def read():
        response = await AsyncClient().get(f"/antrean/{org.kuin.code}/layar/stream/?last=0")
        assert response["Content-Type"] == "text/event-stream"
        assert response.is_async
        return "".join([chunk.decode() async for chunk in response.streaming_content])

    assert [m["data"]["code"] for m in parse(async_to_sync(read)())] == ["A-009"]


def test_the_sync_stream_serves_wsgi_requests(org, short_streams):
    response = Client().get(f"/antrean/{org.kuin.code}/layar/stream/")
    assert not response.is_async
    assert b"".join(response.streaming_content) == b"retry: 2000\n\n"


def test_old_events_are_pruned(db):
    now = timezone.now()
    old = Event.objects.create(channel="queue:1", kind="ticket.issued", created_at=now - dt.timedelta(hours=25))
    recent = Event.objects.create(channel="queue:1", kind="ticket.issued", created_at=now - dt.timedelta(hours=23))
    assert events_prune(now=now) == 1
    assert list(Event.objects.values_list("pk", flat=True)) == [recent.pk]
    assert not Event.objects.filter(pk=old.pk).exists()
