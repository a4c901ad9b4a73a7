"""Several pollers share the cameras: a camera is grabbed by one poller per round, a dead poller's cameras are
taken over once its leases run out, a poller that stops hands them back at once, and one started later gets its
share."""

import datetime as dt

import pytest
from django.utils import timezone

from satulayar.cctv.models import Camera, Frame, PollerSeen
from satulayar.cctv.poller import Poller, camera_lease_claim


@pytest.fixture
def two_pollers():
    pollers = [Poller(concurrency=2, timeout=2, owner=f"host-{n}:{n}") for n in (1, 2)]
    yield pollers
    for poller in pollers:
        poller.pool.shutdown(wait=False, cancel_futures=True)


def grabbed(outcomes) -> set[int]:
    return {outcome.camera_id for outcome in outcomes}


def test_a_camera_held_by_one_poller_is_not_grabbed_by_another(cameras, two_pollers):
    first, second = two_pollers
    every = set(Camera.objects.values_list("pk", flat=True))
    assert grabbed(first.poll_once()) == every
    assert second.poll_once() == []  # the first holds every lease
    assert Frame.objects.count() == len(every)  # one frame per camera: no camera grabbed twice
    assert set(Camera.objects.values_list("poll_owner", flat=True)) == {"host-1:1"}
    assert grabbed(first.poll_once()) == every  # the holder renews its own leases


def test_pollers_asking_in_turn_split_the_cameras(cameras, two_pollers):
    first, second = two_pollers
    ids = sorted(Camera.objects.values_list("pk", flat=True))
    took = [grabbed((first if n % 2 else second).poll_once(Camera.objects.filter(pk=pk))) for n, pk in enumerate(ids)]
    assert took == [{pk} for pk in ids]
    assert grabbed(second.poll_once()) == set(ids[::2])  # its own, not the first's
    owners = dict(Camera.objects.values_list("pk", "poll_owner"))
    assert {owners[pk] for pk in ids[::2]} == {"host-2:2"} and {owners[pk] for pk in ids[1::2]} == {"host-1:1"}


def test_a_dead_pollers_cameras_are_taken_over_after_the_lease(cameras, two_pollers):
    first, second = two_pollers
    first.poll_once()
    lease_until = Camera.objects.get(pk=cameras.kuin.pk).poll_lease_until
    assert lease_until - timezone.now() > dt.timedelta(seconds=cameras.kuin.interval_s)  # interval + timeout + slack
    Camera.objects.update(poll_lease_until=timezone.now() - dt.timedelta(seconds=1))  # the first died; time passed
    assert grabbed(second.poll_once()) == set(Camera.objects.values_list("pk", flat=True))
    assert set(Camera.objects.values_list("poll_owner", flat=True)) == {"host-2:2"}


def test_a_stopping_poller_hands_its_cameras_back(cameras, two_pollers):
    first, second = two_pollers
    first.poll_once()
    first.close()
    assert set(Camera.objects.values_list("poll_owner", flat=True)) == {""}
    assert len(second.poll_once()) == Camera.objects.count()


def test_the_lease_claim_is_one_conditional_update(cameras):
    now = timezone.now()
    claim = dict(camera_id=cameras.alalak.pk, seconds=20, now=now)
    assert camera_lease_claim(owner="a:1", **claim)
    assert not camera_lease_claim(owner="b:2", **claim)
    assert camera_lease_claim(owner="a:1", **claim)
    assert camera_lease_claim(owner="b:2", **{**claim, "now": now + dt.timedelta(seconds=21)})
    assert not camera_lease_claim(owner="a:1", **{**claim, "now": now + dt.timedelta(seconds=30)})
    assert Camera.objects.get(pk=cameras.alalak.pk).poll_owner == "b:2"


def owned_by(owner: str) -> set[int]:
    return set(Camera.objects.filter(poll_owner=owner).values_list("pk", flat=True))


def test_a_poller_started_later_gets_its_share(cameras, two_pollers):
    first, second = two_pollers
    assert first.share_refresh() == 4  # alone: every camera
    assert len(first.poll_once()) == 4
    assert second.share_refresh() == 2 and first.share_refresh() == 2  # two pollers seen
    assert len(first.poll_once()) == 2  # over its share: two cameras handed back as they fall due
    assert len(second.poll_once()) == 2  # below its share: it takes the free ones
    ones, others = owned_by("host-1:1"), owned_by("host-2:2")
    assert len(ones) == len(others) == 2 and not ones & others
    assert grabbed(first.poll_once()) == ones and grabbed(second.poll_once()) == others  # and keeps them
    assert Frame.objects.count() == 4 + 2 + 2 + 2 + 2  # never one camera twice in a round


def test_a_poller_not_heard_from_is_not_counted(cameras, two_pollers):
    first, _second = two_pollers
    PollerSeen.objects.create(owner="host-gone:9", seen_at=timezone.now() - dt.timedelta(minutes=1))
    assert first.share_refresh() == 4
    PollerSeen.objects.create(owner="host-3:3", seen_at=timezone.now())
    assert first.share_refresh() == 2
    first.close()
    assert not PollerSeen.objects.filter(owner="host-1:1").exists()
