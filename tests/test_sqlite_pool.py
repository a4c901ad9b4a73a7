"""The SQLite backend keeps closed connections for the next request's thread and queues one process's writers on a
lock of its own (core/sqlite/base.py)."""

import os
import shutil
import sqlite3
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections, transaction

from satulayar.core.sqlite import base as sqlite_base

pytestmark = pytest.mark.skipif(connection.vendor != "sqlite",
                                reason="SQLite's own backend; PostgreSQL runs Django's, with its pool")


def _in_thread(function):
    """Like an ASGI request: the work runs in a new thread, and its connections are closed at its end."""
    out = {}

    def run():
        try:
            out["value"] = function()
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    return out["value"]


def _driver_connection():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return connection.connection


@pytest.mark.django_db(transaction=True)
def test_a_request_thread_reuses_the_connection_the_last_one_closed():
    first = _in_thread(_driver_connection)
    second = _in_thread(_driver_connection)
    assert first is second
    with first:  # still open, and with the pragmas a new connection gets
        assert first.execute("PRAGMA foreign_keys").fetchone() == (1,)
        assert first.execute("PRAGMA journal_mode").fetchone() == ("wal",)


@pytest.mark.django_db(transaction=True)
def test_a_connection_closed_inside_a_transaction_comes_back_without_it():
    def leave_open_transaction():
        driver = _driver_connection()
        driver.execute("BEGIN")
        driver.execute("CREATE TEMP TABLE pool_probe (x)")
        return driver

    driver = _in_thread(leave_open_transaction)
    assert not driver.in_transaction
    assert _in_thread(_driver_connection) is driver


@pytest.mark.django_db(transaction=True)
def test_a_replaced_database_file_is_not_read_through_an_old_connection(tmp_path):
    def checkpointed():
        driver = _driver_connection()
        driver.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # everything in the file itself before it is copied
        return driver

    old = _in_thread(checkpointed)
    name = connection.settings_dict["NAME"]
    copy = tmp_path / "copy.sqlite3"
    shutil.copyfile(name, copy)
    os.replace(copy, name)  # a restore writes a new file where the old one was: a new inode
    try:
        new = _in_thread(_driver_connection)
        assert new is not old
        with pytest.raises(sqlite3.ProgrammingError):  # closed, not kept on the old file
            old.execute("SELECT 1")
    finally:
        connections.close_all()


@pytest.mark.django_db(transaction=True)
def test_writers_of_one_process_take_turns_on_its_lock_not_on_sqlites_wait():
    """Eight threads each commit ten transactions that hold the write lock 20 ms. SQLite's own wait is cut to 50 ms
    here: writers left to it sleep past that ("database is locked"); queued on the process's lock, none does."""
    from satulayar.core.models import Event

    def writer(n):
        def run():
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA busy_timeout = 50")
            try:
                for i in range(10):
                    with transaction.atomic():
                        Event.objects.create(channel="queue:1", kind="tick", data={"n": n * 10 + i})
                        time.sleep(0.02)
            finally:
                with connection.cursor() as cursor:
                    cursor.execute("PRAGMA busy_timeout = 10000")  # as settings have it, before it goes back
            return True
        return run

    with ThreadPoolExecutor(8) as threads:
        done = list(threads.map(lambda n: _in_thread(writer(n)), range(8)))
    assert done == [True] * 8
    assert sorted(Event.objects.values_list("data__n", flat=True)) == list(range(80))


@pytest.mark.django_db(transaction=True)
def test_the_process_write_lock_is_let_go_on_commit_rollback_and_close():
    lock = sqlite_base._write_lock(str(connection.settings_dict["NAME"]))

    def holds(end):
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        connection.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)
        held = lock.locked()
        end()
        connection.autocommit = True
        return held, lock.locked()

    assert _in_thread(lambda: holds(connection.commit)) == (True, False)
    assert _in_thread(lambda: holds(connection.rollback)) == (True, False)
    assert _in_thread(lambda: holds(connection.close)) == (True, False)
