"""Two counters pressing "Panggil berikutnya" at the same moment never get the same ticket, and tickets issued
at the same moment never share a number: real concurrent transactions, each thread with its own connection.

Only PostgreSQL has row locks to race against (SQLite lets one writer in at a time, so there is no race to
prove there); CI runs the suite on PostgreSQL as well, where these tests run.
"""

import datetime as dt
import sys
import threading
import zoneinfo
from types import SimpleNamespace

import pytest
from django.db import connection, connections

from satulayar.org.choices import Role
from satulayar.visits import services
from satulayar.visits.choices import TicketChannel, TicketStatus
from satulayar.visits.models import Service, Ticket
from tests.factories import kelurahan_named

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the two-counter race needs PostgreSQL row locks (SELECT … FOR UPDATE SKIP LOCKED); "
           "SQLite serialises writers, so run with DATABASE_URL=postgres://… to prove it",
)

ROUNDS = 30


def run_together(workers) -> list:
    """Start all `workers` at one barrier; each runs in its own thread with its own database connection."""
    barrier = threading.Barrier(len(workers))
    results, errors = [None] * len(workers), []

    def run(index, work):
        try:
            connection.ensure_connection()  # connect first, so the threads really meet at the barrier
            barrier.wait(timeout=30)
            results[index] = work()
        except Exception as exc:  # reported by the test below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, w)) for i, w in enumerate(workers)]
    switch = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # hand the GIL over often, so the threads interleave between queries
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    sys.setswitchinterval(switch)
    assert not errors, errors
    return results


@pytest.fixture
def office(transactional_db, city):
    kuin = kelurahan_named("Kuin Cerucuk")
    return SimpleNamespace(
        kuin=kuin,
        ktp=Service.objects.create(city=city, code="pengantar-ktp-kk", prefix="A", name="Surat pengantar KTP/KK"),
        sktm=Service.objects.create(city=city, code="sktm", prefix="C", name="Surat keterangan tidak mampu"),
        counters=[services.counter_ensure(actor=None, kelurahan=kuin, number=n) for n in (1, 2)],
    )


def test_two_counters_calling_at_the_same_moment_never_get_the_same_ticket(office):
    for n in range(ROUNDS * 2):
        services.ticket_issue(kelurahan=office.kuin, service=office.ktp if n % 2 else office.sktm,
                              channel=TicketChannel.DESK)

    def call_and_close(counter):
        def work():
            ticket = services.ticket_call_next(actor=None, kelurahan=office.kuin, counter=counter)
            services.ticket_no_show(actor=None, ticket=ticket)  # frees the counter for the next round
            return ticket.pk, counter.pk

        return work

    calls = []
    for _ in range(ROUNDS):
        calls += run_together([call_and_close(c) for c in office.counters])
    called_ids = [ticket_id for ticket_id, _counter in calls]
    assert len(called_ids) == ROUNDS * 2
    assert len(set(called_ids)) == len(called_ids), "a ticket was called by two counters"
    assert not Ticket.objects.filter(status=TicketStatus.WAITING).exists()
    # each ticket went to the counter that called it
    for ticket_id, counter_id in calls:
        assert Ticket.objects.get(pk=ticket_id).counter_id == counter_id


def test_the_last_waiting_ticket_goes_to_exactly_one_counter(office):
    for _ in range(ROUNDS):
        services.ticket_issue(kelurahan=office.kuin, service=office.ktp, channel=TicketChannel.DESK)
        results = run_together([
            lambda c=c: services.ticket_call_next(actor=None, kelurahan=office.kuin, counter=c)
            for c in office.counters])
        called = [t for t in results if t is not None]
        assert len(called) == 1, results
        services.ticket_no_show(actor=None, ticket=called[0])


def test_tickets_issued_at_the_same_moment_never_share_a_number(office):
    def take(service):
        return lambda: services.ticket_issue(kelurahan=office.kuin, service=service, channel=TicketChannel.ONLINE)

    issued = []
    for _ in range(ROUNDS):  # the first round also races to create the day's sequence rows
        issued += run_together([take(office.ktp), take(office.ktp), take(office.ktp), take(office.sktm)])
    numbers = {prefix: sorted(t.number for t in issued if t.prefix == prefix) for prefix in ("A", "C")}
    assert numbers == {"A": list(range(1, ROUNDS * 3 + 1)), "C": list(range(1, ROUNDS + 1))}
    assert Ticket.objects.count() == ROUNDS * 4


def test_two_kiosks_issuing_at_the_same_moment_never_share_a_number(office):
    from satulayar.visits.office import kiosk_register
    from tests.factories import make_user

    lurah = make_user("lurah_kiosk", Role.KELURAHAN_OFFICER, office.kuin.kecamatan.city, kelurahan=office.kuin)
    kiosks = [kiosk_register(actor=lurah, kelurahan=office.kuin, name=f"Anjungan {n}")[0] for n in (1, 2)]
    open_moment = dt.datetime(2025, 3, 5, 10, tzinfo=zoneinfo.ZoneInfo("Asia/Makassar"))  # a Wednesday

    def take(kiosk):
        return lambda: services.ticket_issue(kelurahan=office.kuin, service=office.ktp, channel=TicketChannel.KIOSK,
                                             kiosk=kiosk, now=open_moment)

    issued = []
    for _ in range(ROUNDS):
        issued += run_together([take(k) for k in kiosks])
    assert sorted(t.number for t in issued) == list(range(1, ROUNDS * 2 + 1))
    assert {t.kiosk_id for t in issued} == {k.pk for k in kiosks}
