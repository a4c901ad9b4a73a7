"""The registry of live event kinds (core.events.EVENT_KINDS): one naming style, every kind published in the code
is registered and goes out on its own channel family, and the browser reads the list from the page."""

import re
from pathlib import Path

import pytest

from satulayar.core.events import EVENT_KINDS, event_publish

ROOT = Path(__file__).resolve().parent.parent
PUBLISHED = re.compile(r"""(?:kind=|_publish\((?:ticket|alert|request), )"([a-z_]+\.[a-z_]+)\"""")


def test_one_naming_style():
    assert all(re.fullmatch(r"[a-z]+\.[a-z_]+", name) for name in EVENT_KINDS), sorted(EVENT_KINDS)


def test_every_kind_published_in_the_code_is_registered():
    published = set()
    for path in (ROOT / "satulayar").rglob("*.py"):
        if "tests" not in path.parts:
            published |= set(PUBLISHED.findall(path.read_text(encoding="utf-8")))
    assert {"punch.recorded", "leave.decided", "inspection.started", "camera.frame", "integration.run"} <= published
    assert published <= set(EVENT_KINDS), published - set(EVENT_KINDS)


def test_an_unregistered_kind_or_a_wrong_channel_is_refused(db):
    with pytest.raises(ValueError, match="not registered"):
        event_publish(channel="attendance:1", kind="inspection_started", data={})
    with pytest.raises(ValueError, match="inspections:"):
        event_publish(channel="attendance:1", kind="inspection.started", data={"inspection": 1})


def test_the_page_carries_the_kind_list(client_for):
    page = client_for("walikota").get("/").content.decode()
    found = re.search(r'<script id="event-kinds" type="application/json">(.*?)</script>', page)
    assert found and "inspection.started" in found.group(1) and "camera.health" in found.group(1)
