"""SQLite as Django's backend has it, with two changes for a server process that runs many requests at once.

- Connections are kept for reuse within the process. Under ASGI every request runs its sync code in a thread of
  its own, so Django opens a connection per request and closes it after; on SQLite the first statement on a new
  connection also reads and parses the whole schema (1,4 ms, measured). Closed connections wait here instead and
  the next request's thread takes one. A connection is handed back only outside any transaction and only while
  its file is the one it was opened on (a test database made again, a restore that replaced the file: then it
  is closed for good).
- The writers of one process queue for SQLite's single write lock on a lock of the process. SQLite's own wait
  (busy_timeout) retries with sleeps of up to 100 ms and no order, so under 50 writes a second some writers slept
  past the timeout ("database is locked") while the lock stood free; here the next writer starts the moment the
  last one commits. Writers of other processes (the worker) still meet SQLite's wait.
"""

import os
import queue
import threading

from django.db import OperationalError
from django.db.backends.sqlite3 import base

IDLE_MAX = 8  # per database file; more idle connections than concurrent requests would only hold file handles
WRITE_WAIT_SECONDS = 10.0  # as long as SQLite's busy_timeout (settings.SQLITE_OPTIONS)

_pools: dict[str, queue.LifoQueue] = {}
_write_locks: dict[str, "threading.Lock"] = {}
_registry_lock = threading.Lock()


def _pool(name: str) -> queue.LifoQueue:
    with _registry_lock:
        return _pools.setdefault(name, queue.LifoQueue(IDLE_MAX))


def _write_lock(name: str) -> "threading.Lock":
    with _registry_lock:
        return _write_locks.setdefault(name, threading.Lock())


def _inode(name: str) -> int | None:
    try:
        return os.stat(name).st_ino
    except OSError:
        return None


class DatabaseWrapper(base.DatabaseWrapper):
    _held_write_lock = None  # the process write lock, while this connection has a transaction open

    def _file(self) -> str | None:
        return None if self.is_in_memory_db() else str(self.settings_dict["NAME"])

    def get_new_connection(self, conn_params):
        if name := self._file():
            pool = _pool(name)
            while True:
                try:
                    connection, inode = pool.get_nowait()
                except queue.Empty:
                    break
                if inode is not None and inode == _inode(name):
                    connection.execute("PRAGMA foreign_keys = ON")  # as a new one has it
                    return connection
                connection.close()
        return super().get_new_connection(conn_params)

    def _start_transaction_under_autocommit(self):
        if name := self._file():
            lock = _write_lock(name)
            if not lock.acquire(timeout=WRITE_WAIT_SECONDS):
                raise OperationalError("database is locked")
            self._held_write_lock = lock
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._write_lock_release()
            raise

    def _write_lock_release(self) -> None:
        lock, self._held_write_lock = self._held_write_lock, None
        if lock is not None:
            lock.release()

    def _commit(self):
        try:
            return super()._commit()
        finally:
            self._write_lock_release()

    def _rollback(self):
        try:
            return super()._rollback()
        finally:
            self._write_lock_release()

    def _close(self):
        try:
            if self.connection is None or not (name := self._file()):
                return super()._close()
            connection = self.connection
            if connection.in_transaction:
                connection.rollback()
            try:
                _pool(name).put_nowait((connection, _inode(name)))
            except queue.Full:
                connection.close()
        finally:
            self._write_lock_release()
