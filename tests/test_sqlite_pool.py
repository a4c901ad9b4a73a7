"""The SQLite backend keeps closed connections for the next request's thread (core/sqlite/base.py)."""

import os
import shutil
import sqlite3
import threading

import pytest
from django.db import connection, connections

pytestmark = pytest.mark.skipif(connection.vendor != "sqlite", reason="the pool is SQLite's; PostgreSQL has Django's")


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
